/*
 * conv_routed_impl.h - the loops of the routed convolution gradients, as
 * inline bodies that conv_routed_{generic,avx2,avx512}.c compile with their
 * own ISA flags (native vector width, vec.h). Only those files include it.
 *
 * Both sparse gradients are sums of a few scaled patches: dk's row of a
 * filter sums the input patches of its routed pixels, and dx's patch of a
 * pixel sums the kernel columns of the filters routed to it. Each sum is
 * taken over a compacted list of its nonzero terms, a few vectors at a time
 * in registers, then added to memory once: no per-term read-modify-write of
 * memory, and no unpredictable branch per term.
 */
#ifndef SC_CONV_ROUTED_IMPL_H
#define SC_CONV_ROUTED_IMPL_H

#include <string.h>

#include "conv_routed.h"
#include "vec.h"
#include "window.h"

/* ---- patch geometry ---------------------------------------------------- */

/* A patch is a few contiguous runs of inputs: one per kernel row of kw * c
 * inputs without dilation, else one per tap of c inputs. */
static inline long routed_runs(const sc_window *g)
{
    return g->dw == 1 ? g->kh : g->kh * g->kw;
}

static inline long routed_run_length(const sc_window *g)
{
    return g->dw == 1 ? g->kw * g->c : g->c;
}

/* Run r's input offset from the patch's first input (interior patches). */
static inline long routed_run_offset(const sc_window *g, long r)
{
    if (g->dw == 1)
        return r * g->dh * g->w * g->c;
    return ((r / g->kw) * g->dh * g->w + (r % g->kw) * g->dw) * g->c;
}

/* ---- the scaled sums --------------------------------------------------- */

/* dst[t + i] += sum over q < count of w[q] * src[q][at + t + i] for the
 * `vecs` vectors from t (vecs a constant after inlining, so that the
 * accumulators live in registers): each element's terms added in q order.
 * Returns the next t. */
static inline long routed_sum_vectors(float *restrict dst,
                                      const float *const *restrict src,
                                      long at, const float *restrict w,
                                      long count, long t, const int vecs)
{
    sc_vf a[8];
    for (int l = 0; l < vecs; ++l)
        a[l] = (sc_vf){0};
    for (long q = 0; q < count; ++q) {
        const float *s = src[q] + at + t;
        for (int l = 0; l < vecs; ++l)
            a[l] += w[q] * sc_vf_load(s + l * SC_VF_LANES);
    }
    for (int l = 0; l < vecs; ++l)
        sc_vf_store(dst + t + l * SC_VF_LANES,
                    sc_vf_load(dst + t + l * SC_VF_LANES) + a[l]);
    return t + vecs * SC_VF_LANES;
}

/* dst[t] += sum over q < count of w[q] * src[q][at + t], t < len: each
 * element's terms added in q order in a register, then to dst. The terms
 * are walked once per group of up to 8 vectors (8, then 4, 2, 1). */
static inline void routed_sum_into(float *restrict dst, long len,
                                   const float *const *restrict src, long at,
                                   const float *restrict w, long count)
{
    long t = 0;
    while (t + 8 * SC_VF_LANES <= len)
        t = routed_sum_vectors(dst, src, at, w, count, t, 8);
    if (t + 4 * SC_VF_LANES <= len)
        t = routed_sum_vectors(dst, src, at, w, count, t, 4);
    if (t + 2 * SC_VF_LANES <= len)
        t = routed_sum_vectors(dst, src, at, w, count, t, 2);
    if (t + SC_VF_LANES <= len)
        t = routed_sum_vectors(dst, src, at, w, count, t, 1);
    for (; t < len; ++t) {
        float a = 0.0f;
        for (long q = 0; q < count; ++q)
            a += w[q] * src[q][at + t];
        dst[t] += a;
    }
}

/* ---- edge patches (over the padding), term by term ---------------------- */

/* The taps of output pixel `pixel`'s patch that fall inside the image:
 * for each, its offset in the image (image_at) and in the patch (kh x kw x
 * c, patch_at), c floats from there. Returns their number (at most kh *
 * kw). */
static inline long routed_inside_taps(const sc_window *g, long pixel,
                                      long *restrict image_at,
                                      long *restrict patch_at)
{
    const long oh = pixel / g->ow, ow = pixel % g->ow;
    long taps = 0;
    for (long i = 0; i < g->kh; ++i) {
        const long ih = sc_tap_row(g, oh, i);
        for (long j = 0; j < g->kw; ++j) {
            const long iw = sc_tap_col(g, ow, j);
            if (ih < 0 || ih >= g->h || iw < 0 || iw >= g->w)
                continue;
            image_at[taps] = (ih * g->w + iw) * g->c;
            patch_at[taps] = (i * g->kw + j) * g->c;
            ++taps;
        }
    }
    return taps;
}

/* acc (patch) += v * the input patch of output pixel `pixel` of image,
 * the taps over the padding dropped. */
static inline void routed_patch_axpy(const sc_window *g,
                                     const float *restrict image, long pixel,
                                     float v, float *restrict acc)
{
    long image_at[g->kh * g->kw], patch_at[g->kh * g->kw];
    const long taps = routed_inside_taps(g, pixel, image_at, patch_at);
    for (long t = 0; t < taps; ++t)
        for (long ch = 0; ch < g->c; ++ch)
            acc[patch_at[t] + ch] += v * image[image_at[t] + ch];
}

/* dimage += v * kf (a filter's kernel, kh x kw x c) over the input patch of
 * output pixel `pixel`, the taps over the padding dropped. */
static inline void routed_patch_scatter(const sc_window *g,
                                        const float *restrict kf, long pixel,
                                        float v, float *restrict dimage)
{
    long image_at[g->kh * g->kw], patch_at[g->kh * g->kw];
    const long taps = routed_inside_taps(g, pixel, image_at, patch_at);
    for (long t = 0; t < taps; ++t)
        for (long ch = 0; ch < g->c; ++ch)
            dimage[image_at[t] + ch] += v * kf[patch_at[t] + ch];
}

/* ---- kernel gradient, sparse ------------------------------------------- */

static inline void sc_routed_dk_sparse_impl(const sc_window *g,
                                            const float *x, const float *dz,
                                            const int *where,
                                            const int *base, long routes,
                                            long filters, long n0, long n1,
                                            long f0, long f1, float *acc,
                                            const float **src, float *w,
                                            long *count)
{
    const long patch = g->kh * g->kw * g->c;
    const long image_size = g->h * g->w * g->c;
    const long runs = routed_runs(g), len = routed_run_length(g);
    for (long n = n0; n < n1; ++n) {
        const float *image = x + n * image_size;
        const long e0 = n * routes * filters;
        /* each filter's interior terms compacted without branches, the
         * routes read in memory order; the edge terms (patches over the
         * padding) added one by one */
        for (long f = f0; f < f1; ++f)
            count[f - f0] = 0;
        for (long r = 0; r < routes; ++r)
            for (long f = f0; f < f1; ++f) {
                const long e = e0 + r * filters + f;
                const float v = dz[e];
                const int pixel = where[e];
                const int at = pixel >= 0 ? base[pixel] : -1;
                const long slot = (f - f0) * routes + count[f - f0];
                src[slot] = image + (at >= 0 ? at : 0);
                w[slot] = v;
                count[f - f0] += (at >= 0) & (v != 0.0f); /* &: no branch */
                if (at < 0 && pixel >= 0 && v != 0.0f)
                    routed_patch_axpy(g, image, pixel, v,
                                      acc + (f - f0) * patch);
            }
        for (long f = f0; f < f1; ++f)
            for (long r = 0; r < runs && count[f - f0] > 0; ++r)
                routed_sum_into(acc + (f - f0) * patch + r * len, len,
                                src + (f - f0) * routes,
                                routed_run_offset(g, r),
                                w + (f - f0) * routes, count[f - f0]);
    }
}

/* ---- kernel gradient, dense (thin patches) ------------------------------ */

/* acc (patch x ld) columns [fb, fb + SC_VF_LANES) += one image's patches^T
 * times the dense gradient's (oh * ow x ld) same columns. Each tap sums
 * its pixels in four interleaved accumulators (one chain of FMAs would wait
 * on itself), added together at the end. */
static inline void routed_dense_vector(const sc_window *g,
                                       const float *restrict image,
                                       const float *restrict dense, long ld,
                                       long fb, float *restrict acc)
{
    const long xs = g->sw * g->c; /* input step per output column */
    for (long i = 0; i < g->kh; ++i)
        for (long j = 0; j < g->kw; ++j) {
            long lo, hi;
            sc_tap_inside_cols(g, j, &lo, &hi);
            for (long ch = 0; ch < g->c; ++ch) {
                sc_vf s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
                for (long oh = 0; oh < g->oh; ++oh) {
                    const long ih = sc_tap_row(g, oh, i);
                    if (ih < 0 || ih >= g->h)
                        continue;
                    /* input of output column ow: xr[ow * xs] */
                    const float *xr = image + (ih * g->w - g->pad_left +
                                               j * g->dw) * g->c + ch;
                    const float *dr = dense + oh * g->ow * ld + fb;
                    long ow = lo;
                    for (; ow + 4 <= hi; ow += 4) {
                        s0 += xr[ow * xs] * sc_vf_load(dr + ow * ld);
                        s1 += xr[(ow + 1) * xs] *
                              sc_vf_load(dr + (ow + 1) * ld);
                        s2 += xr[(ow + 2) * xs] *
                              sc_vf_load(dr + (ow + 2) * ld);
                        s3 += xr[(ow + 3) * xs] *
                              sc_vf_load(dr + (ow + 3) * ld);
                    }
                    for (; ow < hi; ++ow)
                        s0 += xr[ow * xs] * sc_vf_load(dr + ow * ld);
                }
                float *a = acc + ((i * g->kw + j) * g->c + ch) * ld + fb;
                sc_vf_store(a, sc_vf_load(a) + ((s0 + s1) + (s2 + s3)));
            }
        }
}

static inline void sc_routed_dk_dense_impl(const sc_window *g,
                                           const float *x, const float *dz,
                                           const int *where, long routes,
                                           long filters, long n0, long n1,
                                           long f0, long f1,
                                           float *restrict acc,
                                           float *restrict dense)
{
    const long ld = (f1 - f0 + ROUTED_FILTER_BLOCK - 1) /
                    ROUTED_FILTER_BLOCK * ROUTED_FILTER_BLOCK;
    const long pixels = g->oh * g->ow;
    const long image_size = g->h * g->w * g->c;
    for (long n = n0; n < n1; ++n) {
        memset(dense, 0, (size_t)(pixels * ld) * sizeof(float));
        for (long r = 0; r < routes; ++r) {
            const long e = (n * routes + r) * filters;
            for (long f = f0; f < f1; ++f)
                if (where[e + f] >= 0)
                    dense[(long)where[e + f] * ld + f - f0] += dz[e + f];
        }
        for (long fb = 0; fb < ld; fb += SC_VF_LANES)
            routed_dense_vector(g, x + n * image_size, dense, ld, fb, acc);
    }
}

/* ---- input gradient ---------------------------------------------------- */

/* For each route, the filters routed to each pixel: their kernel columns,
 * scaled, summed in registers and added to the pixel's input patch once. */
static inline void sc_routed_dx_impl(const sc_window *g,
                                     const float *restrict kt,
                                     const float *restrict dz,
                                     const int *restrict where,
                                     const int *restrict base, long routes,
                                     long filters, long n,
                                     float *restrict dimage,
                                     const float **src, float *w,
                                     int *pending)
{
    const long patch = g->kh * g->kw * g->c;
    const long runs = routed_runs(g), len = routed_run_length(g);
    memset(dimage, 0, (size_t)(g->h * g->w * g->c) * sizeof(float));
    for (long r = 0; r < routes; ++r) {
        const long e0 = (n * routes + r) * filters;
        /* the filters with a gradient, compacted without branches */
        long left = 0;
        for (long f = 0; f < filters; ++f) {
            pending[left] = (int)f;
            left += (dz[e0 + f] != 0.0f) & (where[e0 + f] >= 0);
        }
        while (left > 0) { /* one pixel of the route at a time */
            const int pixel = where[e0 + pending[0]];
            const int at = base[pixel];
            long count = 0, kept = 0;
            for (long q = 0; q < left; ++q) {
                const int f = pending[q];
                const int same = where[e0 + f] == pixel;
                src[count] = kt + f * patch;
                w[count] = dz[e0 + f];
                count += same;
                pending[kept] = f;
                kept += !same;
            }
            left = kept;
            if (at < 0) { /* over the padding */
                for (long q = 0; q < count; ++q)
                    routed_patch_scatter(g, src[q], pixel, w[q], dimage);
                continue;
            }
            for (long run = 0; run < runs; ++run)
                routed_sum_into(dimage + at + routed_run_offset(g, run), len,
                                src, run * len, w, count);
        }
    }
}

#endif /* SC_CONV_ROUTED_IMPL_H */
