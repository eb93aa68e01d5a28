/*
 * conv_thin_impl.h - the row loop of the thin-input convolution, as an
 * inline body that conv_thin_{generic,avx2,avx512}.c compile with their own
 * ISA flags. Only those files include it.
 */
#ifndef SC_CONV_THIN_IMPL_H
#define SC_CONV_THIN_IMPL_H

#include <string.h>

#include "conv_thin.h"
#include "vec.h"
#include "window.h"

/* Native vectors per block of THIN_FILTER_BLOCK filters. */
#define THIN_VECS (THIN_FILTER_BLOCK / SC_VF_LANES)

/* cols (taps x owp) = the row's inputs tap by tap: cols[t][ow] is the
 * input under tap t (kernel order i, j, channel) of output column ow, zero
 * in the padding and for ow >= g->ow. */
static inline void thin_gather(const sc_window *g,
                               const float *restrict image, long oh,
                               long owp, float *restrict cols)
{
    const long xs = g->sw * g->c; /* input step per output column */
    float *dst = cols;
    for (long i = 0; i < g->kh; ++i) {
        const long ih = sc_tap_row(g, oh, i);
        for (long j = 0; j < g->kw; ++j) {
            long lo, hi;
            sc_tap_inside_cols(g, j, &lo, &hi);
            if (ih < 0 || ih >= g->h)
                lo = hi = 0;
            for (long ch = 0; ch < g->c; ++ch, dst += owp) {
                const float *src = image + (ih * g->w - g->pad_left +
                                            j * g->dw) * g->c + ch;
                memset(dst, 0, (size_t)lo * sizeof(float));
                if (xs == 1)
                    memcpy(dst + lo, src + lo, (size_t)(hi - lo) * sizeof(float));
                else
                    for (long ow = lo; ow < hi; ++ow)
                        dst[ow] = src[ow * xs];
                memset(dst + hi, 0, (size_t)(owp - hi) * sizeof(float));
            }
        }
    }
}

/* Output columns [ow, ow + 4), filters [f, f + THIN_FILTER_BLOCK): the
 * four pixels' accumulators stay in registers over every tap. */
static inline void thin_quad(const float *restrict cols, long owp, long taps,
                             const float *restrict kp, long ld,
                             const float *restrict bias, float *restrict out,
                             long out_ld)
{
    sc_vf a[4][THIN_VECS];
    for (int q = 0; q < 4; ++q)
        for (int l = 0; l < THIN_VECS; ++l)
            a[q][l] = sc_vf_load(bias + l * SC_VF_LANES);
    for (long t = 0; t < taps; ++t, cols += owp, kp += ld)
        for (int l = 0; l < THIN_VECS; ++l) {
            const sc_vf kv = sc_vf_load(kp + l * SC_VF_LANES);
            a[0][l] += cols[0] * kv;
            a[1][l] += cols[1] * kv;
            a[2][l] += cols[2] * kv;
            a[3][l] += cols[3] * kv;
        }
    for (int q = 0; q < 4; ++q)
        for (int l = 0; l < THIN_VECS; ++l)
            sc_vf_store(out + q * out_ld + l * SC_VF_LANES, a[q][l]);
}

static inline void sc_conv_thin_row_impl(const sc_window *g,
                                         const float *restrict image,
                                         const float *restrict kp, long ld,
                                         const float *restrict bias_padded,
                                         long oh, float *restrict row,
                                         float *restrict cols)
{
    const long taps = g->kh * g->kw * g->c;
    const long owp = (g->ow + 3) / 4 * 4;
    thin_gather(g, image, oh, owp, cols);
    for (long f = 0; f < ld; f += THIN_FILTER_BLOCK) {
        long ow = 0;
        for (; ow + 4 <= g->ow; ow += 4)
            thin_quad(cols + ow, owp, taps, kp + f, ld, bias_padded + f,
                      row + ow * ld + f, ld);
        if (ow < g->ow) { /* the last columns, through a spare quad */
            float spare[4 * THIN_FILTER_BLOCK];
            thin_quad(cols + ow, owp, taps, kp + f, ld, bias_padded + f,
                      spare, THIN_FILTER_BLOCK);
            for (long q = 0; ow + q < g->ow; ++q)
                memcpy(row + (ow + q) * ld + f, spare + q * THIN_FILTER_BLOCK,
                       THIN_FILTER_BLOCK * sizeof(float));
        }
    }
}

#endif /* SC_CONV_THIN_IMPL_H */
