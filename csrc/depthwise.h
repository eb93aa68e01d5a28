/* depthwise.h - the per-ISA row loops of the depthwise convolution
 * (internal; depthwise.c). Channels vectorize: a depthwise convolution does
 * one multiply-add per input element and tap, so it is bound by memory, and
 * the channels of a pixel are the contiguous run. */
#ifndef SC_DEPTHWISE_H
#define SC_DEPTHWISE_H

#include "seqcore.h"

/* One output row oh of one image, before the activation: row (ow x c*mult)
 * = bias (or 0) + the taps of image (h, w, c) times k (kh, kw, c, mult);
 * output channel ch * mult + m. Taps are added in kernel order (i, j). */
typedef void (*sc_dw_forward_row_fn)(const sc_window *g, const float *image,
                                     const float *k, long mult,
                                     const float *bias, long oh, float *row);

/* One input row ih of one image's gradient: drow (w x c) = the sum over the
 * outputs whose taps read it of dy (oh, ow, c*mult) times k; overwritten. */
typedef void (*sc_dw_input_row_fn)(const sc_window *g, const float *dy,
                                   const float *k, long mult, long ih,
                                   float *drow);

/* dk (kh, kw, c, mult) += the products of output row oh of one image's dy
 * (oh, ow, c*mult) with the inputs under its taps. */
typedef void (*sc_dw_kernel_row_fn)(const sc_window *g, const float *image,
                                    const float *dy, long mult, long oh,
                                    float *dk);

void sc_dw_forward_row_generic(const sc_window *g, const float *image,
                               const float *k, long mult, const float *bias,
                               long oh, float *row);
void sc_dw_input_row_generic(const sc_window *g, const float *dy,
                             const float *k, long mult, long ih, float *drow);
void sc_dw_kernel_row_generic(const sc_window *g, const float *image,
                              const float *dy, long mult, long oh, float *dk);
#ifdef SC_HAVE_X86_KERNELS
void sc_dw_forward_row_avx2(const sc_window *g, const float *image,
                            const float *k, long mult, const float *bias,
                            long oh, float *row);
void sc_dw_input_row_avx2(const sc_window *g, const float *dy, const float *k,
                          long mult, long ih, float *drow);
void sc_dw_kernel_row_avx2(const sc_window *g, const float *image,
                           const float *dy, long mult, long oh, float *dk);
void sc_dw_forward_row_avx512(const sc_window *g, const float *image,
                              const float *k, long mult, const float *bias,
                              long oh, float *row);
void sc_dw_input_row_avx512(const sc_window *g, const float *dy,
                            const float *k, long mult, long ih, float *drow);
void sc_dw_kernel_row_avx512(const sc_window *g, const float *image,
                             const float *dy, long mult, long oh, float *dk);
#endif

#endif /* SC_DEPTHWISE_H */
