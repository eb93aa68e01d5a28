/* conv_routed.h - the per-ISA loops of the routed convolution gradients
 * (internal; see sc_conv2d_backward_routed_f32 in seqcore.h). */
#ifndef SC_CONV_ROUTED_H
#define SC_CONV_ROUTED_H

#include "seqcore.h"

/* Kernel gradient, transposed, of filters [f0, f1) over images [n0, n1):
 * acc ((f1 - f0) x patch, patch = kh * kw * c in HWI order) += each routed
 * gradient times its input patch, in (image, route) order per filter.
 * base (oh * ow) holds each output pixel's patch offset in its image, -1
 * for patches over the padding; src and w are workspaces of (f1 - f0) *
 * routes entries, count of f1 - f0. For patches whose rows are long enough
 * to vectorize. */
typedef void (*sc_routed_dk_sparse_fn)(const sc_window *g, const float *x,
                                       const float *dz, const int *where,
                                       const int *base, long routes,
                                       long filters, long n0, long n1,
                                       long f0, long f1, float *acc,
                                       const float **src, float *w,
                                       long *count);

/* Filters per block of the dense kernel gradient: threads take whole
 * blocks, and the accumulator's rows are padded to whole blocks, so that
 * every ISA's vectors (16, 8 or 4 floats) tile them. */
#define ROUTED_FILTER_BLOCK 16

/* The same gradient, not transposed, for images [n0, n1): acc (patch x ld,
 * ld = f1 - f0 rounded up to ROUTED_FILTER_BLOCK) += patches^T dz over
 * every output pixel, with dz expanded from its routes into `dense` (oh *
 * ow x ld; the padding columns stay zero). For thin patches (one input
 * channel), where the filters vectorize instead. */
typedef void (*sc_routed_dk_dense_fn)(const sc_window *g, const float *x,
                                      const float *dz, const int *where,
                                      long routes, long filters, long n0,
                                      long n1, long f0, long f1, float *acc,
                                      float *dense);

/* The input gradient of image n: dimage (h, w, c) = the sum over its routed
 * gradients of the gradient times the filter's kernel, kt being the kernel
 * as (filters, kh, kw, c); base as above; src, w and pending are
 * workspaces of `filters` entries. */
typedef void (*sc_routed_dx_fn)(const sc_window *g, const float *kt,
                                const float *dz, const int *where,
                                const int *base, long routes, long filters,
                                long n, float *dimage, const float **src,
                                float *w, int *pending);

void sc_routed_dk_sparse_generic(const sc_window *g, const float *x,
                        const float *dz, const int *where, const int *base,
                        long routes, long filters, long n0, long n1, long f0,
                        long f1, float *acc, const float **src, float *w,
                        long *count);
void sc_routed_dk_dense_generic(const sc_window *g, const float *x,
                        const float *dz, const int *where, long routes,
                        long filters, long n0, long n1, long f0, long f1,
                        float *acc, float *dense);
void sc_routed_dx_generic(const sc_window *g, const float *kt, const float *dz,
                        const int *where, const int *base, long routes,
                        long filters, long n, float *dimage, const float **src,
                        float *w, int *pending);
#ifdef SC_HAVE_X86_KERNELS
void sc_routed_dk_sparse_avx2(const sc_window *g, const float *x,
                        const float *dz, const int *where, const int *base,
                        long routes, long filters, long n0, long n1, long f0,
                        long f1, float *acc, const float **src, float *w,
                        long *count);
void sc_routed_dk_dense_avx2(const sc_window *g, const float *x,
                        const float *dz, const int *where, long routes,
                        long filters, long n0, long n1, long f0, long f1,
                        float *acc, float *dense);
void sc_routed_dx_avx2(const sc_window *g, const float *kt, const float *dz,
                        const int *where, const int *base, long routes,
                        long filters, long n, float *dimage, const float **src,
                        float *w, int *pending);
void sc_routed_dk_sparse_avx512(const sc_window *g, const float *x,
                        const float *dz, const int *where, const int *base,
                        long routes, long filters, long n0, long n1, long f0,
                        long f1, float *acc, const float **src, float *w,
                        long *count);
void sc_routed_dk_dense_avx512(const sc_window *g, const float *x,
                        const float *dz, const int *where, long routes,
                        long filters, long n0, long n1, long f0, long f1,
                        float *acc, float *dense);
void sc_routed_dx_avx512(const sc_window *g, const float *kt, const float *dz,
                        const int *where, const int *base, long routes,
                        long filters, long n, float *dimage, const float **src,
                        float *w, int *pending);
#endif

#endif /* SC_CONV_ROUTED_H */
