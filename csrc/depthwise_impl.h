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

static inline void sc_dw_forward_row_impl(const sc_window *g,
                                          const float *restrict image,
                                          const float *restrict k, long mult,
                                          const float *restrict bias, long oh,
                                          float *restrict row)
{
    const long cm = g->c * mult;
    for (long ow = 0; ow < g->ow; ++ow) {
        float *out = row + ow * cm;
        if (bias)
            memcpy(out, bias, (size_t)cm * sizeof(float));
        else
            memset(out, 0, (size_t)cm * sizeof(float));
        for (long i = 0; i < g->kh; ++i) {
            const long ih = sc_tap_row(g, oh, i);
            if (ih < 0 || ih >= g->h)
                continue;
            for (long j = 0; j < g->kw; ++j) {
                const long iw = sc_tap_col(g, ow, j);
                if (iw < 0 || iw >= g->w)
                    continue;
                dw_madd_spread(out, image + (ih * g->w + iw) * g->c,
                               k + (i * g->kw + j) * cm, g->c, mult);
            }
        }
    }
}

/* The output index o with o * s - pad + t * d == in, or -1. */
static inline long dw_source(long in, long pad, long t, long d, long s,
                             long size)
{
    const long u = in + pad - t * d;
    if (u < 0 || u % s != 0 || u / s >= size)
        return -1;
    return u / s;
}

static inline void sc_dw_input_row_impl(const sc_window *g,
                                        const float *restrict dy,
                                        const float *restrict k, long mult,
                                        long ih, float *restrict drow)
{
    const long cm = g->c * mult;
    memset(drow, 0, (size_t)(g->w * g->c) * sizeof(float));
    for (long iw = 0; iw < g->w; ++iw) {
        float *acc = drow + iw * g->c;
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
