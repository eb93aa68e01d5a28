/*
 * winograd_impl.h - the transforms of the Winograd F(2x2, 3x3) convolution
 * as inline bodies that winograd_{generic,avx2,avx512}.c compile with their
 * own ISA flags (the channel loops vectorize at each width). Only those
 * files include it.
 *
 * With B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] and A^T = [1 1 1 0;
 * 0 1 -1 -1], a 2x2 output tile is A^T [(G g G^T) .* (B^T d B)] A for the
 * 4x4 input tile d (Lavin and Gray, 2016).
 */
#ifndef SC_WINOGRAD_IMPL_H
#define SC_WINOGRAD_IMPL_H

#include <string.h>

#include "activation_impl.h"
#include "winograd.h"

/* v[e * ldv + ch] = (B^T d B)[e] for the tile whose input row i is r[i]
 * (4 pixels of c channels). */
static inline void wino_input_tile(const float *restrict r0,
                                   const float *restrict r1,
                                   const float *restrict r2,
                                   const float *restrict r3, long c,
                                   float *restrict v, long ldv)
{
    for (long ch = 0; ch < c; ++ch) {
        float t[4][4]; /* B^T d: rows combined */
        for (long j = 0; j < 4; ++j) {
            const float d0 = r0[j * c + ch], d1 = r1[j * c + ch];
            const float d2 = r2[j * c + ch], d3 = r3[j * c + ch];
            t[0][j] = d0 - d2;
            t[1][j] = d1 + d2;
            t[2][j] = d2 - d1;
            t[3][j] = d1 - d3;
        }
        for (long i = 0; i < 4; ++i) { /* (B^T d) B: columns combined */
            v[(i * 4 + 0) * ldv + ch] = t[i][0] - t[i][2];
            v[(i * 4 + 1) * ldv + ch] = t[i][1] + t[i][2];
            v[(i * 4 + 2) * ldv + ch] = t[i][2] - t[i][1];
            v[(i * 4 + 3) * ldv + ch] = t[i][1] - t[i][3];
        }
    }
}

static inline void sc_wino_input_impl(const sc_window *g, const float *x,
                                      long n0, long n1, long th, long tw,
                                      float *v, float *edge)
{
    const long c = g->c;
    const long tiles = (n1 - n0) * th * tw;
    for (long n = n0; n < n1; ++n) {
        const float *image = x + n * g->h * g->w * c;
        for (long a = 0; a < th; ++a)
            for (long b = 0; b < tw; ++b) {
                const long ih = 2 * a - g->pad_top, iw = 2 * b - g->pad_left;
                const float *rows[4];
                if (ih >= 0 && ih + 4 <= g->h && iw >= 0 && iw + 4 <= g->w) {
                    for (long i = 0; i < 4; ++i)
                        rows[i] = image + ((ih + i) * g->w + iw) * c;
                } else { /* a tile over the padding: copied, zeros around */
                    for (long i = 0; i < 4; ++i) {
                        float *row = edge + i * 4 * c;
                        for (long j = 0; j < 4; ++j) {
                            const int inside = ih + i >= 0 && ih + i < g->h &&
                                               iw + j >= 0 && iw + j < g->w;
                            if (inside)
                                memcpy(row + j * c,
                                       image + ((ih + i) * g->w + iw + j) * c,
                                       (size_t)c * sizeof(float));
                            else
                                memset(row + j * c, 0,
                                       (size_t)c * sizeof(float));
                        }
                        rows[i] = row;
                    }
                }
                const long t = ((n - n0) * th + a) * tw + b;
                wino_input_tile(rows[0], rows[1], rows[2], rows[3], c,
                                v + t * c, tiles * c);
            }
    }
}

/* The four outputs of one tile (rows of `tile`, in scan order) from its 16
 * products m[e * ldm + f]. */
static inline void wino_output_tile(const float *restrict m, long ldm,
                                    long f, const float *restrict bias,
                                    float *restrict tile)
{
    for (long q = 0; q < f; ++q) {
        float s[2][4]; /* A^T m: rows combined */
        for (long j = 0; j < 4; ++j) {
            const float m0 = m[(0 * 4 + j) * ldm + q];
            const float m1 = m[(1 * 4 + j) * ldm + q];
            const float m2 = m[(2 * 4 + j) * ldm + q];
            const float m3 = m[(3 * 4 + j) * ldm + q];
            s[0][j] = m0 + m1 + m2;
            s[1][j] = m1 - m2 - m3;
        }
        const float b = bias ? bias[q] : 0.0f;
        for (long i = 0; i < 2; ++i) { /* (A^T m) A: columns combined */
            tile[(i * 2 + 0) * f + q] = s[i][0] + s[i][1] + s[i][2] + b;
            tile[(i * 2 + 1) * f + q] = s[i][1] - s[i][2] - s[i][3] + b;
        }
    }
}

static inline void sc_wino_output_impl(const float *m, long n0, long n1,
                                       long th, long tw, long f,
                                       const float *bias, sc_act act,
                                       long ow, float *y, int *where,
                                       float *tile)
{
    const long tiles = (n1 - n0) * th * tw;
    for (long n = n0; n < n1; ++n)
        for (long a = 0; a < th; ++a)
            for (long b = 0; b < tw; ++b) {
                const long t = ((n - n0) * th + a) * tw + b;
                wino_output_tile(m + t * f, tiles * f, f, bias, tile);
                if (act != SC_ACT_NONE)
                    sc_act_row_impl(tile, tile, 4 * f, act);
                const long at = ((n * th + a) * tw + b) * f;
                float *restrict best = y + at;
                if (where == NULL) { /* the maxima alone */
                    for (long q = 0; q < f; ++q)
                        best[q] = tile[q];
                    for (long e = 1; e < 4; ++e)
                        for (long q = 0; q < f; ++q)
                            best[q] = tile[e * f + q] > best[q]
                                          ? tile[e * f + q] : best[q];
                    continue;
                }
                int *restrict from = where + at;
                const int pixel0 = (int)(2 * a * ow + 2 * b);
                const int pixels[4] = {pixel0, pixel0 + 1, pixel0 + (int)ow,
                                       pixel0 + (int)ow + 1};
                for (long q = 0; q < f; ++q) {
                    best[q] = tile[q];
                    from[q] = pixel0;
                }
                for (long e = 1; e < 4; ++e) {
                    const float *restrict out = tile + e * f;
                    const int pixel = pixels[e];
                    for (long q = 0; q < f; ++q) {
                        /* branch-free, so that the selects vectorize */
                        const int larger = -(int)(out[q] > best[q]);
                        best[q] = out[q] > best[q] ? out[q] : best[q];
                        from[q] = (pixel & larger) | (from[q] & ~larger);
                    }
                }
            }
}

#endif /* SC_WINOGRAD_IMPL_H */
