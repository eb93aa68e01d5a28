/* winograd.h - the per-ISA transforms of the Winograd F(2x2, 3x3)
 * convolution + 2x2 max pooling (internal; winograd.c). */
#ifndef SC_WINOGRAD_H
#define SC_WINOGRAD_H

#include "seqcore.h"

/* The input transform of images [n0, n1) of x (NHWC, geometry g), tiles
 * th x tw (tile (a, b) reads the 4x4 inputs from row 2a - pad_top, column
 * 2b - pad_left, zeros outside): v holds 16 matrices (T x c), T = (n1 - n0)
 * * th * tw, matrix e at v + e * T * c, row (n - n0) * th * tw + a * tw +
 * b. edge is a workspace of 16 * c floats. */
typedef void (*sc_wino_input_fn)(const sc_window *g, const float *x, long n0,
                                 long n1, long th, long tw, float *v,
                                 float *edge);

/* The output transform of the same tiles from m (16 matrices (T x f)),
 * plus bias (or NULL), activation, and the 2x2 max pooling of each tile
 * into y (n, th, tw, f) and, when not NULL, where (the pixel (2a + i) * ow
 * + 2b + j of the convolution's output each maximum came from, the first
 * in scan order).
 * tile is a workspace of 4 * f floats. */
typedef void (*sc_wino_output_fn)(const float *m, long n0, long n1, long th,
                                  long tw, long f, const float *bias,
                                  sc_act act, long ow, float *y, int *where,
                                  float *tile);

void sc_wino_input_generic(const sc_window *g, const float *x, long n0,
                           long n1, long th, long tw, float *v, float *edge);
void sc_wino_output_generic(const float *m, long n0, long n1, long th,
                            long tw, long f, const float *bias, sc_act act,
                            long ow, float *y, int *where, float *tile);
#ifdef SC_HAVE_X86_KERNELS
void sc_wino_input_avx2(const sc_window *g, const float *x, long n0, long n1,
                        long th, long tw, float *v, float *edge);
void sc_wino_output_avx2(const float *m, long n0, long n1, long th, long tw,
                         long f, const float *bias, sc_act act, long ow,
                         float *y, int *where, float *tile);
void sc_wino_input_avx512(const sc_window *g, const float *x, long n0,
                          long n1, long th, long tw, float *v, float *edge);
void sc_wino_output_avx512(const float *m, long n0, long n1, long th,
                           long tw, long f, const float *bias, sc_act act,
                           long ow, float *y, int *where, float *tile);
#endif

/* Whether sc_conv3x3_maxpool2_winograd_f32 computes this convolution and
 * pooling (window ph x pw): a 3x3 kernel at stride 1 without dilation,
 * 2x2 pooling, and channels enough for the GEMMs. */
int sc_winograd_applies(const sc_window *g, long ph, long pw);

/* sc_conv2d_maxpool_forward_f32 for the cases above. */
int sc_conv3x3_maxpool2_winograd_f32(const sc_window *g, const float *x,
                                     const float *k, long filters,
                                     const float *bias, sc_act act,
                                     float *y, int *where);

#endif /* SC_WINOGRAD_H */
