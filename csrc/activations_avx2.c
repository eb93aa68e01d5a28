/* activations_avx2.c - activation rows and their derivatives, softmax rows and
 * the LSTM cell, compiled for AVX2 + FMA (-mavx2 -mfma). */
#include "activation_impl.h"

void sc_act_row_avx2(const float *x, float *y, long n, sc_act act)
{
    sc_act_row_impl(x, y, n, act);
}

void sc_softmax_row_avx2(const float *x, float *y, long n)
{
    sc_softmax_row_impl(x, y, n);
}

void sc_lstm_cell_avx2(float *z, float *c, float *h, long w)
{
    sc_lstm_cell_impl(z, c, h, w);
}

void sc_lstm_cell_backward_avx2(const float *g, const float *cp,
                                 const float *ac, const float *dh, float *dc,
                                 const float *carry, float *dz, long u)
{
    sc_lstm_cell_backward_impl(g, cp, ac, dh, dc, carry, dz, u);
}

void sc_gru_cell_backward_avx2(const float *g, const float *hp,
                                const float *hr, const float *dh, float *dxg,
                                float *dhg, float *dh_prev, long u)
{
    sc_gru_cell_backward_impl(g, hp, hr, dh, dxg, dhg, dh_prev, u);
}

void sc_act_grad_row_avx2(const float *x, const float *y, const float *dy,
                         float *dx, long n, sc_act act)
{
    sc_act_grad_row_impl(x, y, dy, dx, n, act);
}
