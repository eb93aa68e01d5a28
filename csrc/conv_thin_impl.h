/*
 * conv_thin_impl.h - the row loop of the thin-input convolution, as an
 * inline body that conv_thin_{generic,avx2,avx512}.c compile with their own
 * ISA flags. Only those files include it.
 */
#ifndef SC_CONV_THIN_IMPL_H
#define SC_CONV_THIN_IMPL_H

#include "conv_thin.h"

typedef float thin_block __attribute__((vector_size(64), aligned(4)));

/* Output columns [*lo, *hi) all of whose taps fall inside the input. */
static inline void thin_inside_cols(const sc_window *g, long *lo, long *hi)
{
    *lo = 0;
    *hi = g->ow;
    for (long j = 0; j < g->kw; ++j) {
        const long first = g->pad_left - j * g->dw;      /* ow * sw >= first */
        const long end = g->w + g->pad_left - j * g->dw; /* ow * sw < end */
        const long lo_j = first <= 0 ? 0 : (first + g->sw - 1) / g->sw;
        const long hi_j = end <= 0 ? 0 : (end + g->sw - 1) / g->sw;
        *lo = lo_j > *lo ? lo_j : *lo;
        *hi = hi_j < *hi ? hi_j : *hi;
    }
    if (*lo > *hi)
        *lo = *hi;
}

/* One output pixel's block of filters from f, taps checked against the
 * image's edges (the padded border). */
static inline thin_block thin_pixel(const sc_window *g,
                                    const float *restrict image,
                                    const float *restrict kp, long ld,
                                    long f, thin_block acc, long oh, long ow)
{
    for (long i = 0; i < g->kh; ++i) {
        const long ih = oh * g->sh - g->pad_top + i * g->dh;
        if (ih < 0 || ih >= g->h)
            continue;
        for (long j = 0; j < g->kw; ++j) {
            const long iw = ow * g->sw - g->pad_left + j * g->dw;
            if (iw < 0 || iw >= g->w)
                continue;
            const float *xp = image + (ih * g->w + iw) * g->c;
            const float *kr = kp + (i * g->kw + j) * g->c * ld + f;
            for (long ch = 0; ch < g->c; ++ch)
                acc += xp[ch] * *(const thin_block *)(kr + ch * ld);
        }
    }
    return acc;
}

/* Four neighbouring output pixels whose taps are all inside: the four
 * accumulators stay in registers over every tap, and each output is
 * written once. */
static inline void thin_quad(const sc_window *g, const float *restrict image,
                             const float *restrict kp, long ld, long f,
                             thin_block bias, long oh, long ow,
                             float *restrict row)
{
    const long xs = g->sw * g->c; /* input step per output column */
    thin_block a0 = bias, a1 = bias, a2 = bias, a3 = bias;
    for (long i = 0; i < g->kh; ++i) {
        const long ih = oh * g->sh - g->pad_top + i * g->dh;
        if (ih < 0 || ih >= g->h)
            continue;
        const float *xr = image + (ih * g->w + ow * g->sw - g->pad_left) *
                                      g->c;
        for (long j = 0; j < g->kw; ++j) {
            const float *xp = xr + j * g->dw * g->c;
            const float *kr = kp + (i * g->kw + j) * g->c * ld + f;
            for (long ch = 0; ch < g->c; ++ch) {
                const thin_block kv = *(const thin_block *)(kr + ch * ld);
                a0 += xp[ch] * kv;
                a1 += xp[ch + xs] * kv;
                a2 += xp[ch + 2 * xs] * kv;
                a3 += xp[ch + 3 * xs] * kv;
            }
        }
    }
    *(thin_block *)(row + ow * ld + f) = a0;
    *(thin_block *)(row + (ow + 1) * ld + f) = a1;
    *(thin_block *)(row + (ow + 2) * ld + f) = a2;
    *(thin_block *)(row + (ow + 3) * ld + f) = a3;
}

static inline void sc_conv_thin_row_impl(const sc_window *g,
                                         const float *restrict image,
                                         const float *restrict kp, long ld,
                                         const float *restrict bias_padded,
                                         long oh, float *restrict row)
{
    long lo, hi;
    thin_inside_cols(g, &lo, &hi);
    for (long f = 0; f < ld; f += THIN_FILTER_BLOCK) {
        const thin_block bias = *(const thin_block *)(bias_padded + f);
        long ow = 0;
        for (; ow < lo; ++ow)
            *(thin_block *)(row + ow * ld + f) =
                thin_pixel(g, image, kp, ld, f, bias, oh, ow);
        for (; ow + 4 <= hi; ow += 4)
            thin_quad(g, image, kp, ld, f, bias, oh, ow, row);
        for (; ow < g->ow; ++ow)
            *(thin_block *)(row + ow * ld + f) =
                thin_pixel(g, image, kp, ld, f, bias, oh, ow);
    }
}

#endif /* SC_CONV_THIN_IMPL_H */
