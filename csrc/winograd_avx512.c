/* winograd_avx512.c - the Winograd F(2x2, 3x3) transforms compiled
 * (-mavx512f -mavx2 -mfma). */
#include "winograd_impl.h"

void sc_wino_input_avx512(const sc_window *g, const float *x, long n0, long n1,
                        long th, long tw, float *v, float *edge)
{
    sc_wino_input_impl(g, x, n0, n1, th, tw, v, edge);
}

void sc_wino_output_avx512(const float *m, long n0, long n1, long th, long tw,
                         long f, const float *bias, sc_act act, long ow,
                         float *y, int *where, float *tile)
{
    sc_wino_output_impl(m, n0, n1, th, tw, f, bias, act, ow, y, where, tile);
}
