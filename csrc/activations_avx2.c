/* activations_avx2.c - the activation and softmax rows, compiled for AVX2 + FMA (-mavx2 -mfma). */
#include "activation_impl.h"

void sc_act_row_avx2(const float *x, float *y, long n, sc_act act)
{
    sc_act_row_impl(x, y, n, act);
}

void sc_softmax_row_avx2(const float *x, float *y, long n)
{
    sc_softmax_row_impl(x, y, n);
}
