/* activations_avx512.c - the activation and softmax rows, compiled for AVX-512F (-mavx512f -mavx2 -mfma). */
#include "activation_impl.h"

void sc_act_row_avx512(const float *x, float *y, long n, sc_act act)
{
    sc_act_row_impl(x, y, n, act);
}

void sc_softmax_row_avx512(const float *x, float *y, long n)
{
    sc_softmax_row_impl(x, y, n);
}
