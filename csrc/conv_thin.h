/* conv_thin.h - the per-ISA row loop of the convolution of thin inputs
 * (internal; conv.c). */
#ifndef SC_CONV_THIN_H
#define SC_CONV_THIN_H

#include "seqcore.h"

/* Filters per block of the thin convolution: the kernel and output rows
 * are padded to whole blocks, which every ISA's vectors (16, 8 or 4 floats)
 * tile. */
#define THIN_FILTER_BLOCK 16

/* One output row of a convolution, before its activation: row (ow x ld,
 * ld = filters rounded up to THIN_FILTER_BLOCK; the padding columns are
 * written too) = bias + the taps of output row oh of `image` (h, w, c)
 * times k (kh, kw, c, filters) padded to kp (kh * kw * c x ld). cols is a
 * workspace of THIN_COLS_FLOATS(g) floats. For inputs whose patch rows are
 * too short for an im2col GEMM (one to a few channels): the filters
 * vectorize instead, four output pixels at a time. */
#define THIN_COLS_WIDTH(g) (((g)->ow + 3) / 4 * 4)
#define THIN_COLS_FLOATS(g) ((g)->kh * (g)->kw * (g)->c * THIN_COLS_WIDTH(g))

typedef void (*sc_conv_thin_row_fn)(const sc_window *g, const float *image,
                                    const float *kp, long ld,
                                    const float *bias_padded, long oh,
                                    float *row, float *cols);

void sc_conv_thin_row_generic(const sc_window *g, const float *image,
                              const float *kp, long ld,
                              const float *bias_padded, long oh, float *row,
                              float *cols);
#ifdef SC_HAVE_X86_KERNELS
void sc_conv_thin_row_avx2(const sc_window *g, const float *image,
                           const float *kp, long ld, const float *bias_padded,
                           long oh, float *row, float *cols);
void sc_conv_thin_row_avx512(const sc_window *g, const float *image,
                             const float *kp, long ld,
                             const float *bias_padded, long oh, float *row,
                             float *cols);
#endif

#endif /* SC_CONV_THIN_H */
