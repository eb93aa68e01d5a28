/* conv_internal.h - pieces of conv.c that the fused convolution + pooling
 * (conv_pool.c) builds on (internal). */
#ifndef SC_CONV_INTERNAL_H
#define SC_CONV_INTERNAL_H

#include "seqcore.h"

/* Output pixels [row0, row0 + rows) (n * oh * ow order) of the im2col
 * matrix: each a row of kh * kw * c inputs in the kernel's HWI order, zeros
 * for padding. */
void sc_im2col_rows(const sc_window *g, const float *x, long row0, long rows,
                    float *col);

/* Whether the input is thin (patch rows of kw * c shorter than a vector):
 * such convolutions run a direct loop rather than im2col + GEMM. */
int sc_conv_is_thin(const sc_window *g);

/* The kernel (kh, kw, c, filters) and bias (or NULL: zeros) padded to ld
 * columns, a whole number of vector blocks: (kh * kw * c + 1) x ld floats,
 * the bias last; NULL when out of memory. The caller frees it. */
float *sc_conv_thin_pack(const sc_window *g, const float *k, long filters,
                         const float *bias, long *ld);

/* Floats of the workspace sc_conv_thin_rows needs. */
size_t sc_conv_thin_buffer_floats(const sc_window *g, long ld);

/* Output rows [oh0, oh1) of one image (h, w, c) on the thin path into out
 * ((oh1 - oh0) x ow x filters), activation applied; buf is a workspace of
 * sc_conv_thin_buffer_floats(g, ld) floats. */
void sc_conv_thin_rows(const sc_window *g, const float *image,
                       const float *kp, long ld, long filters, sc_act act,
                       long oh0, long oh1, float *out, float *buf);

#endif /* SC_CONV_INTERNAL_H */
