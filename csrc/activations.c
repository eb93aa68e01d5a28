/* activations.c - Keras's activations on float32 rows (dispatched to the
 * selected ISA's build), the GEMM epilogue (bias + activation on a tile),
 * softmax, and the float64 versions for gradient checks. */
#include <math.h>

#include "activations.h"
#include "kernel_table.h"

/* Below this many elements a call stays on one thread. */
#define PARALLEL_MIN_ELEMENTS 65536L

void sc_bias_act_f32(float *x, long m, long n, long ldx, const float *bias,
                     sc_act act)
{
    for (long i = 0; i < m; ++i) {
        float *restrict row = x + i * ldx;
        if (bias)
            for (long j = 0; j < n; ++j)
                row[j] += bias[j];
        if (act != SC_ACT_NONE)
            sc_kernel_table_current()->act_row(row, row, n, act);
    }
}

/* float64 twin for gradient checks: libm throughout, no fast paths. */
static double act_f64(double v, sc_act act)
{
    switch (act) {
    case SC_ACT_RELU: return v > 0.0 ? v : 0.0;
    case SC_ACT_SIGMOID: return 1.0 / (1.0 + exp(-v));
    case SC_ACT_TANH: return tanh(v);
    case SC_ACT_ELU: return v > 0.0 ? v : expm1(v);
    case SC_ACT_SELU:
        return (double)SELU_SCALE * (v > 0.0 ? v : (double)SELU_ALPHA * expm1(v));
    case SC_ACT_SOFTPLUS: return fmax(v, 0.0) + log1p(exp(-fabs(v)));
    case SC_ACT_SOFTSIGN: return v / (1.0 + fabs(v));
    case SC_ACT_GELU: return 0.5 * v * erfc(-v * 0.70710678118654752);
    case SC_ACT_GELU_TANH:
        return 0.5 * v * (1.0 + tanh(0.79788456080286536 *
                                     (v + 0.044715 * v * v * v)));
    case SC_ACT_SWISH: return v / (1.0 + exp(-v));
    case SC_ACT_LEAKY_RELU: return v > 0.0 ? v : (double)LEAKY_SLOPE * v;
    case SC_ACT_HARD_SIGMOID: return fmin(fmax(v + 3.0, 0.0), 6.0) / 6.0;
    case SC_ACT_EXPONENTIAL: return exp(v);
    case SC_ACT_RELU6: return fmin(fmax(v, 0.0), 6.0);
    default: return v;
    }
}

void sc_bias_act_f64(double *x, long m, long n, long ldx, const double *bias,
                     sc_act act)
{
    for (long i = 0; i < m; ++i) {
        double *row = x + i * ldx;
        for (long j = 0; j < n; ++j)
            row[j] = act_f64(bias ? row[j] + bias[j] : row[j], act);
    }
}

#define CHUNK 16384L

void sc_add_f32(const float *a, const float *b, float *y, long n)
{
    const int nt = n < PARALLEL_MIN_ELEMENTS ? 1 : sc_get_num_threads();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long i = 0; i < n; ++i)
        y[i] = a[i] + b[i];
}

void sc_activation_f32(const float *x, float *y, long n, sc_act act)
{
    const long chunks = (n + CHUNK - 1) / CHUNK;
    const int nt = n < PARALLEL_MIN_ELEMENTS ? 1 : sc_get_num_threads();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long c = 0; c < chunks; ++c) {
        const long start = c * CHUNK;
        const long len = n - start < CHUNK ? n - start : CHUNK;
        sc_kernel_table_current()->act_row(x + start, y + start, len, act);
    }
}

void sc_softmax_f32(const float *x, float *y, long m, long n)
{
    if (n <= 0)
        return;
    const int nt = m * n < PARALLEL_MIN_ELEMENTS ? 1 : sc_get_num_threads();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long i = 0; i < m; ++i)
        sc_kernel_table_current()->softmax_row(x + i * n, y + i * n, n);
}

void sc_lstm_cell_backward_f32(const float *g, const float *cp,
                               const float *ac, const float *dh, float *dc,
                               const float *carry, float *dz, long u)
{
    sc_kernel_table_current()->lstm_cell_backward(g, cp, ac, dh, dc, carry,
                                                  dz, u);
}

void sc_gru_cell_backward_f32(const float *g, const float *hp,
                              const float *hr, const float *dh, float *dxg,
                              float *dhg, float *dh_prev, long u)
{
    sc_kernel_table_current()->gru_cell_backward(g, hp, hr, dh, dxg, dhg,
                                                 dh_prev, u);
}

void sc_lstm_cell_f32(float *z, float *c, float *h, long w)
{
    sc_kernel_table_current()->lstm_cell(z, c, h, w);
}

void sc_activation_backward_f32(const float *x, const float *y,
                                const float *dy, float *dx, long n,
                                sc_act act)
{
    const long chunks = (n + CHUNK - 1) / CHUNK;
    const int nt = n < PARALLEL_MIN_ELEMENTS ? 1 : sc_get_num_threads();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long c = 0; c < chunks; ++c) {
        const long start = c * CHUNK;
        const long len = n - start < CHUNK ? n - start : CHUNK;
        sc_kernel_table_current()->act_grad_row(x + start, y + start, dy + start, dx + start, len, act);
    }
}

void sc_act_rows_f32(const float *x, float *y, long n, sc_act act)
{
    sc_kernel_table_current()->act_row(x, y, n, act);
}

void sc_act_grad_rows_f32(const float *x, const float *y, const float *dy,
                          float *dx, long n, sc_act act)
{
    sc_kernel_table_current()->act_grad_row(x, y, dy, dx, n, act);
}
