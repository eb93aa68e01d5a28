/* conv_routed_avx2.c - the routed convolution gradient loops compiled
 * (-mavx2 -mfma). */
#include "conv_routed_impl.h"

void sc_routed_dk_sparse_avx2(const sc_window *g, const float *x,
                        const float *dz, const int *where, const int *base,
                        long routes, long filters, long n0, long n1, long f0,
                        long f1, float *acc, const float **src, float *w,
                        long *count)
{
    sc_routed_dk_sparse_impl(g, x, dz, where, base, routes, filters, n0, n1,
                             f0, f1, acc, src, w, count);
}

void sc_routed_dk_dense_avx2(const sc_window *g, const float *x,
                        const float *dz, const int *where, long routes,
                        long filters, long n0, long n1, long f0, long f1,
                        float *acc, float *dense)
{
    sc_routed_dk_dense_impl(g, x, dz, where, routes, filters, n0, n1, f0, f1,
                            acc, dense);
}

void sc_routed_dx_avx2(const sc_window *g, const float *kt, const float *dz,
                        const int *where, const int *base, long routes,
                        long filters, long n, float *dimage, const float **src,
                        float *w, int *pending)
{
    sc_routed_dx_impl(g, kt, dz, where, base, routes, filters, n, dimage, src,
                      w, pending);
}
