/*
 * conv_routed_impl.h - the loops of the routed convolution gradients, as
 * inline bodies that conv_routed_{generic,avx2,avx512}.c compile with their
 * own ISA flags (each vectorizes the contiguous channel runs at its width).
 * Only those files include it.
 */
#ifndef SC_CONV_ROUTED_IMPL_H
#define SC_CONV_ROUTED_IMPL_H

#include <string.h>

#include "conv_routed.h"

/* Input row ih of kernel row i for output row oh (may be outside). */
static inline long routed_in_row(const sc_window *g, long oh, long i)
{
    return oh * g->sh - g->pad_top + i * g->dh;
}

static inline long routed_in_col(const sc_window *g, long ow, long j)
{
    return ow * g->sw - g->pad_left + j * g->dw;
}

/* Whether kernel row i's kw taps at output column ow are one contiguous
 * run of kw * c inputs inside the image. */
static inline int routed_row_contiguous(const sc_window *g, long ow)
{
    const long iw0 = routed_in_col(g, ow, 0);
    return g->dw == 1 && iw0 >= 0 && iw0 + g->kw <= g->w;
}

/* acc (patch) += v * the input patch of output pixel `pixel` of image. */
static inline void routed_patch_axpy(const sc_window *g,
                                     const float *restrict image, long pixel,
                                     float v, float *restrict acc)
{
    const long oh = pixel / g->ow, ow = pixel % g->ow;
    const long run = g->kw * g->c;
    const int contiguous = routed_row_contiguous(g, ow);
    for (long i = 0; i < g->kh; ++i) {
        const long ih = routed_in_row(g, oh, i);
        if (ih < 0 || ih >= g->h)
            continue;
        float *restrict a = acc + i * run;
        if (contiguous) {
            const float *restrict src =
                image + (ih * g->w + routed_in_col(g, ow, 0)) * g->c;
            for (long t = 0; t < run; ++t)
                a[t] += v * src[t];
            continue;
        }
        for (long j = 0; j < g->kw; ++j) {
            const long iw = routed_in_col(g, ow, j);
            if (iw < 0 || iw >= g->w)
                continue;
            const float *restrict src = image + (ih * g->w + iw) * g->c;
            for (long ch = 0; ch < g->c; ++ch)
                a[j * g->c + ch] += v * src[ch];
        }
    }
}

static inline void sc_routed_dk_sparse_impl(const sc_window *g,
                                            const float *x, const float *dz,
                                            const int *where, long routes,
                                            long filters, long n0, long n1,
                                            long f0, long f1, float *acc)
{
    const long patch = g->kh * g->kw * g->c;
    const long image_size = g->h * g->w * g->c;
    for (long f = f0; f < f1; ++f) {
        float *a = acc + (f - f0) * patch;
        for (long n = n0; n < n1; ++n) {
            const long base = n * routes * filters + f;
            for (long r = 0; r < routes; ++r) {
                const float v = dz[base + r * filters];
                const int pixel = where[base + r * filters];
                /* most routed gradients are zero after a ReLU */
                if (v != 0.0f && pixel >= 0)
                    routed_patch_axpy(g, x + n * image_size, pixel, v, a);
            }
        }
    }
}

typedef float routed_block __attribute__((vector_size(64), aligned(4)));

/* The output columns [*lo, *hi) whose kernel column j falls inside the
 * input. */
static inline void routed_inside_cols(const sc_window *g, long j, long *lo,
                                      long *hi)
{
    const long first = g->pad_left - j * g->dw;       /* ow * sw >= first */
    const long end = g->w + g->pad_left - j * g->dw;  /* ow * sw < end */
    *lo = first <= 0 ? 0 : (first + g->sw - 1) / g->sw;
    *hi = end <= 0 ? 0 : (end + g->sw - 1) / g->sw;
    if (*hi > g->ow)
        *hi = g->ow;
    if (*lo > *hi)
        *lo = *hi;
}

/* acc (patch x ld, the ROUTED_FILTER_BLOCK columns from fb) += one image's
 * patches^T times the dense gradient (oh * ow x ld) columns from fb. Each
 * tap sums its pixels in four interleaved vector accumulators (a chain of
 * FMAs on one would wait on each other), added together at the end. */
static inline void routed_dense_block(const sc_window *g,
                                      const float *restrict image,
                                      const float *restrict dense, long ld,
                                      long fb, float *restrict acc)
{
    const long xs = g->sw * g->c; /* input step per output column */
    const long ds = ld;           /* dense step per output column */
    for (long i = 0; i < g->kh; ++i)
        for (long j = 0; j < g->kw; ++j) {
            long lo, hi;
            routed_inside_cols(g, j, &lo, &hi);
            for (long ch = 0; ch < g->c; ++ch) {
                routed_block s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
                for (long oh = 0; oh < g->oh; ++oh) {
                    const long ih = routed_in_row(g, oh, i);
                    if (ih < 0 || ih >= g->h)
                        continue;
                    const float *xr = image + (ih * g->w + routed_in_col(
                                          g, 0, j)) * g->c + ch;
                    const float *dr = dense + oh * g->ow * ld + fb;
                    long ow = lo;
                    for (; ow + 4 <= hi; ow += 4) {
                        s0 += xr[ow * xs] * *(const routed_block *)(dr + ow * ds);
                        s1 += xr[(ow + 1) * xs] *
                              *(const routed_block *)(dr + (ow + 1) * ds);
                        s2 += xr[(ow + 2) * xs] *
                              *(const routed_block *)(dr + (ow + 2) * ds);
                        s3 += xr[(ow + 3) * xs] *
                              *(const routed_block *)(dr + (ow + 3) * ds);
                    }
                    for (; ow < hi; ++ow)
                        s0 += xr[ow * xs] * *(const routed_block *)(dr + ow * ds);
                }
                *(routed_block *)(acc + ((i * g->kw + j) * g->c + ch) * ld +
                                  fb) += (s0 + s1) + (s2 + s3);
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
        for (long fb = 0; fb < ld; fb += ROUTED_FILTER_BLOCK)
            routed_dense_block(g, x + n * image_size, dense, ld, fb, acc);
    }
}

static inline void sc_routed_dx_impl(const sc_window *g,
                                     const float *restrict kt,
                                     const float *restrict dz,
                                     const int *restrict where, long routes,
                                     long filters, long n,
                                     float *restrict dimage)
{
    const long patch = g->kh * g->kw * g->c;
    const long run = g->kw * g->c;
    memset(dimage, 0, (size_t)(g->h * g->w * g->c) * sizeof(float));
    for (long e = n * routes * filters; e < (n + 1) * routes * filters;
         ++e) {
        const float v = dz[e];
        if (v == 0.0f || where[e] < 0)
            continue;
        const long oh = where[e] / g->ow, ow = where[e] % g->ow;
        const float *restrict kf = kt + (e % filters) * patch;
        const int contiguous = routed_row_contiguous(g, ow);
        for (long i = 0; i < g->kh; ++i) {
            const long ih = routed_in_row(g, oh, i);
            if (ih < 0 || ih >= g->h)
                continue;
            const float *restrict kr = kf + i * run;
            if (contiguous) {
                float *restrict d =
                    dimage + (ih * g->w + routed_in_col(g, ow, 0)) * g->c;
                for (long t = 0; t < run; ++t)
                    d[t] += v * kr[t];
                continue;
            }
            for (long j = 0; j < g->kw; ++j) {
                const long iw = routed_in_col(g, ow, j);
                if (iw < 0 || iw >= g->w)
                    continue;
                float *restrict d = dimage + (ih * g->w + iw) * g->c;
                for (long ch = 0; ch < g->c; ++ch)
                    d[ch] += v * kr[j * g->c + ch];
            }
        }
    }
}

#endif /* SC_CONV_ROUTED_IMPL_H */
