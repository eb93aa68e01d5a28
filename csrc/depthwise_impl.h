/*
 * depthwise_impl.h - the row loops of the depthwise convolution as inline
 * bodies that depthwise_{generic,avx2,avx512}.c compile with their own ISA
 * flags. Only those files include it.
 *
 * Every loop runs over the channels of one pixel (c * mult contiguous
 * floats): native vectors, then a scalar tail. With mult > 1 each input
 * channel meets mult kernel entries: the inner loop is over m.
 */
#ifndef SC_DEPTHWISE_IMPL_H
#define SC_DEPTHWISE_IMPL_H

#include <string.h>

#include "depthwise.h"
#include "vec.h"
#include "window.h"

/* acc[e] += a[e] * b[e] for e < n. */
static inline void dw_madd(float *restrict acc, const float *restrict a,
                           const float *restrict b, long n)
{
    long e = 0;
    for (; e + SC_VF_LANES <= n; e += SC_VF_LANES)
        sc_vf_store(acc + e, sc_vf_load(acc + e) +
                             sc_vf_load(a + e) * sc_vf_load(b + e));
    for (; e < n; ++e)
        acc[e] += a[e] * b[e];
}

/* acc[ch * mult + m] += x[ch] * b[ch * mult + m]. */
static inline void dw_madd_spread(float *restrict acc,
                                  const float *restrict x,
                                  const float *restrict b, long c, long mult)
{
    if (mult == 1) {
        dw_madd(acc, x, b, c);
        return;
    }
    for (long ch = 0; ch < c; ++ch) {
        const float v = x[ch];
        float *a = acc + ch * mult;
        const float *bb = b + ch * mult;
        for (long m = 0; m < mult; ++m)
            a[m] += v * bb[m];
    }
}

/* acc[ch] += sum_m d[ch * mult + m] * b[ch * mult + m]. */
static inline void dw_madd_gather(float *restrict acc,
                                  const float *restrict d,
                                  const float *restrict b, long c, long mult)
{
    if (mult == 1) {
        dw_madd(acc, d, b, c);
        return;
    }
    for (long ch = 0; ch < c; ++ch) {
        float s = 0.0f;
        for (long m = 0; m < mult; ++m)
            s += d[ch * mult + m] * b[ch * mult + m];
        acc[ch] += s;
    }
}

/* One output pixel with mult == 1: per vector of channels, the taps
 * accumulate in a register. x0 is the pixel's first tap's input (may be
 * outside the image: only the taps in [i0, i1) x [j0, j1) are read). */
static inline void dw_pixel_mult1(const sc_window *g,
                                  const float *restrict image,
                                  const float *restrict k,
                                  const float *restrict bias, long ih0,
                                  long iw0, long i0, long i1, long j0,
                                  long j1, float *restrict out)
{
    const long c = g->c;
    long ch = 0;
    for (; ch + SC_VF_LANES <= c; ch += SC_VF_LANES) {
        sc_vf acc = bias ? sc_vf_load(bias + ch) : (sc_vf){0};
        for (long i = i0; i < i1; ++i) {
            const float *row = image + (ih0 + i * g->dh) * g->w * c + ch;
            const float *krow = k + i * g->kw * c + ch;
            for (long j = j0; j < j1; ++j)
                acc += sc_vf_load(row + (iw0 + j * g->dw) * c) *
                       sc_vf_load(krow + j * c);
        }
        sc_vf_store(out + ch, acc);
    }
    for (; ch < c; ++ch) {
        float acc = bias ? bias[ch] : 0.0f;
        for (long i = i0; i < i1; ++i)
            for (long j = j0; j < j1; ++j)
                acc += image[((ih0 + i * g->dh) * g->w + iw0 + j * g->dw) *
                             c + ch] * k[(i * g->kw + j) * c + ch];
        out[ch] = acc;
    }
}

/* The taps [*t0, *t1) of a window starting at `start` (step d, n taps)
 * that fall inside [0, size). */
static inline void dw_inside(long start, long d, long n, long size, long *t0,
                             long *t1)
{
    long a = 0, b = n;
    while (a < b && start + a * d < 0)
        ++a;
    while (b > a && start + (b - 1) * d >= size)
        --b;
    *t0 = a;
    *t1 = b;
}

static inline void sc_dw_forward_row_impl(const sc_window *g,
                                          const float *restrict image,
                                          const float *restrict k, long mult,
                                          const float *restrict bias, long oh,
                                          float *restrict row)
{
    const long cm = g->c * mult;
    const long ih0 = sc_tap_row(g, oh, 0);
    long i0, i1;
    dw_inside(ih0, g->dh, g->kh, g->h, &i0, &i1);
    for (long ow = 0; ow < g->ow; ++ow) {
        float *out = row + ow * cm;
        const long iw0 = sc_tap_col(g, ow, 0);
        long j0, j1;
        dw_inside(iw0, g->dw, g->kw, g->w, &j0, &j1);
        if (mult == 1) {
            dw_pixel_mult1(g, image, k, bias, ih0, iw0, i0, i1, j0, j1, out);
            continue;
        }
        if (bias)
            memcpy(out, bias, (size_t)cm * sizeof(float));
        else
            memset(out, 0, (size_t)cm * sizeof(float));
        for (long i = i0; i < i1; ++i) {
            const long ih = ih0 + i * g->dh;
            for (long j = j0; j < j1; ++j)
                dw_madd_spread(out, image + (ih * g->w + iw0 + j * g->dw) *
                                            g->c,
                               k + (i * g->kw + j) * cm, g->c, mult);
        }
    }
}

/* The output index o with o * s - pad + t * d == in, or -1. */
static inline long dw_source(long in, long pad, long t, long d, long s,
                             long size)
{
    const long u = in + pad - t * d;
    if (s == 1) /* no division on the common path */
        return u >= 0 && u < size ? u : -1;
    if (u < 0 || u % s != 0 || u / s >= size)
        return -1;
    return u / s;
}

/* Most taps per kernel axis whose sources a gathered input gradient keeps
 * on the stack; larger kernels take the accumulate-in-memory loop. */
#define DW_MAX_TAPS 16

static inline void sc_dw_input_row_impl(const sc_window *g,
                                        const float *restrict dy,
                                        const float *restrict k, long mult,
                                        long ih, float *restrict drow)
{
    const long cm = g->c * mult;
    long rows_i[DW_MAX_TAPS], rows_o[DW_MAX_TAPS], nr = 0;
    const int fast = mult == 1 && g->kh <= DW_MAX_TAPS &&
                     g->kw <= DW_MAX_TAPS;
    if (fast)
        for (long i = 0; i < g->kh; ++i) {
            const long oh = dw_source(ih, g->pad_top, i, g->dh, g->sh,
                                      g->oh);
            if (oh >= 0) {
                rows_i[nr] = i;
                rows_o[nr++] = oh;
            }
        }
    if (!fast)
        memset(drow, 0, (size_t)(g->w * g->c) * sizeof(float));
    for (long iw = 0; iw < g->w; ++iw) {
        float *acc = drow + iw * g->c;
        if (fast) {
            long cols_j[DW_MAX_TAPS], cols_o[DW_MAX_TAPS], nc = 0;
            for (long j = 0; j < g->kw; ++j) {
                const long ow = dw_source(iw, g->pad_left, j, g->dw, g->sw,
                                          g->ow);
                if (ow >= 0) {
                    cols_j[nc] = j;
                    cols_o[nc++] = ow;
                }
            }
            long ch = 0;
            for (; ch + SC_VF_LANES <= g->c; ch += SC_VF_LANES) {
                sc_vf sum = (sc_vf){0};
                for (long a = 0; a < nr; ++a)
                    for (long b = 0; b < nc; ++b)
                        sum += sc_vf_load(dy + (rows_o[a] * g->ow +
                                                cols_o[b]) * cm + ch) *
                               sc_vf_load(k + (rows_i[a] * g->kw +
                                               cols_j[b]) * cm + ch);
                sc_vf_store(acc + ch, sum);
            }
            for (; ch < g->c; ++ch) {
                float sum = 0.0f;
                for (long a = 0; a < nr; ++a)
                    for (long b = 0; b < nc; ++b)
                        sum += dy[(rows_o[a] * g->ow + cols_o[b]) * cm + ch] *
                               k[(rows_i[a] * g->kw + cols_j[b]) * cm + ch];
                acc[ch] = sum;
            }
            continue;
        }
        for (long i = 0; i < g->kh; ++i) {
            const long oh = dw_source(ih, g->pad_top, i, g->dh, g->sh, g->oh);
            if (oh < 0)
                continue;
            for (long j = 0; j < g->kw; ++j) {
                const long ow = dw_source(iw, g->pad_left, j, g->dw, g->sw,
                                          g->ow);
                if (ow < 0)
                    continue;
                dw_madd_gather(acc, dy + (oh * g->ow + ow) * cm,
                               k + (i * g->kw + j) * cm, g->c, mult);
            }
        }
    }
}

static inline void sc_dw_kernel_row_impl(const sc_window *g,
                                         const float *restrict image,
                                         const float *restrict dy, long mult,
                                         long oh, float *restrict dk)
{
    const long cm = g->c * mult;
    if (mult == 1) {
        /* tap by tap, each vector of channels summing the row in a
         * register */
        const long c = g->c;
        for (long i = 0; i < g->kh; ++i) {
            const long ih = sc_tap_row(g, oh, i);
            if (ih < 0 || ih >= g->h)
                continue;
            for (long j = 0; j < g->kw; ++j) {
                long lo, hi;
                sc_tap_inside_cols(g, j, &lo, &hi);
                const float *xs = image + (ih * g->w - g->pad_left +
                                           j * g->dw) * c;
                const float *ds = dy + oh * g->ow * c;
                float *dkt = dk + (i * g->kw + j) * c;
                long ch = 0;
                for (; ch + SC_VF_LANES <= c; ch += SC_VF_LANES) {
                    sc_vf acc = sc_vf_load(dkt + ch);
                    for (long ow = lo; ow < hi; ++ow)
                        acc += sc_vf_load(xs + ow * g->sw * c + ch) *
                               sc_vf_load(ds + ow * c + ch);
                    sc_vf_store(dkt + ch, acc);
                }
                for (; ch < c; ++ch) {
                    float acc = dkt[ch];
                    for (long ow = lo; ow < hi; ++ow)
                        acc += xs[ow * g->sw * c + ch] * ds[ow * c + ch];
                    dkt[ch] = acc;
                }
            }
        }
        return;
    }
    for (long ow = 0; ow < g->ow; ++ow) {
        const float *d = dy + (oh * g->ow + ow) * cm;
        for (long i = 0; i < g->kh; ++i) {
            const long ih = sc_tap_row(g, oh, i);
            if (ih < 0 || ih >= g->h)
                continue;
            for (long j = 0; j < g->kw; ++j) {
                const long iw = sc_tap_col(g, ow, j);
                if (iw < 0 || iw >= g->w)
                    continue;
                dw_madd_spread(dk + (i * g->kw + j) * cm,
                               image + (ih * g->w + iw) * g->c, d, g->c,
                               mult);
            }
        }
    }
}

#endif /* SC_DEPTHWISE_IMPL_H */
