/* activations.c - Keras's activations on float32 rows, the GEMM epilogue
 * (bias + activation on a tile) and softmax. */
#include <math.h>

#include "fastmath.h"
#include "seqcore.h"

/* Below this many elements a call stays on one thread. */
#define PARALLEL_MIN_ELEMENTS 65536L

static const float SELU_ALPHA = 1.67326324235437728481f;
static const float SELU_SCALE = 1.05070098735548049342f;
static const float LEAKY_SLOPE = 0.2f;

/* y = act(x) over n elements (y may be x); one loop per activation so each
 * vectorizes. */
static void act_row(const float *x, float *y, long n,
                    sc_act act)
{
    switch (act) {
    case SC_ACT_NONE:
    case SC_ACT_COUNT:
        if (x != y)
            for (long j = 0; j < n; ++j)
                y[j] = x[j];
        break;
    case SC_ACT_RELU:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] > 0.0f ? x[j] : 0.0f;
        break;
    case SC_ACT_SIGMOID:
        for (long j = 0; j < n; ++j)
            y[j] = sc_sigmoidf(x[j]);
        break;
    case SC_ACT_TANH:
        for (long j = 0; j < n; ++j)
            y[j] = sc_tanhf(x[j]);
        break;
    case SC_ACT_ELU:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] > 0.0f ? x[j] : sc_expf(x[j]) - 1.0f;
        break;
    case SC_ACT_SELU:
        for (long j = 0; j < n; ++j)
            y[j] = SELU_SCALE * (x[j] > 0.0f ? x[j]
                                             : SELU_ALPHA * (sc_expf(x[j]) - 1.0f));
        break;
    case SC_ACT_SOFTPLUS:
        /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|), exact for large |x| */
        for (long j = 0; j < n; ++j)
            y[j] = fmaxf(x[j], 0.0f) + log1pf(expf(-fabsf(x[j])));
        break;
    case SC_ACT_SOFTSIGN:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] / (1.0f + fabsf(x[j]));
        break;
    case SC_ACT_GELU:
        for (long j = 0; j < n; ++j)
            y[j] = 0.5f * x[j] * erfcf(-x[j] * 0.70710678118654752f);
        break;
    case SC_ACT_GELU_TANH:
        for (long j = 0; j < n; ++j) {
            const float v = x[j];
            y[j] = 0.5f * v *
                   (1.0f + sc_tanhf(0.79788456080286536f *
                                    (v + 0.044715f * v * v * v)));
        }
        break;
    case SC_ACT_SWISH:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] * sc_sigmoidf(x[j]);
        break;
    case SC_ACT_LEAKY_RELU:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] > 0.0f ? x[j] : LEAKY_SLOPE * x[j];
        break;
    case SC_ACT_HARD_SIGMOID:
        for (long j = 0; j < n; ++j)
            y[j] = fminf(fmaxf(x[j] + 3.0f, 0.0f), 6.0f) / 6.0f;
        break;
    case SC_ACT_EXPONENTIAL:
        for (long j = 0; j < n; ++j)
            y[j] = expf(x[j]);
        break;
    case SC_ACT_RELU6:
        for (long j = 0; j < n; ++j)
            y[j] = fminf(fmaxf(x[j], 0.0f), 6.0f);
        break;
    }
}

void sc_bias_act_f32(float *x, long m, long n, long ldx, const float *bias,
                     sc_act act)
{
    for (long i = 0; i < m; ++i) {
        float *restrict row = x + i * ldx;
        if (bias)
            for (long j = 0; j < n; ++j)
                row[j] += bias[j];
        if (act != SC_ACT_NONE)
            act_row(row, row, n, act);
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

void sc_activation_f32(const float *x, float *y, long n, sc_act act)
{
    const long chunks = (n + CHUNK - 1) / CHUNK;
    const int nt = n < PARALLEL_MIN_ELEMENTS ? 1 : sc_get_num_threads();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long c = 0; c < chunks; ++c) {
        const long start = c * CHUNK;
        const long len = n - start < CHUNK ? n - start : CHUNK;
        act_row(x + start, y + start, len, act);
    }
}

static void softmax_row(const float *x, float *y, long n)
{
    float max = x[0];
    for (long j = 1; j < n; ++j)
        max = x[j] > max ? x[j] : max;
    float sum = 0.0f;
    for (long j = 0; j < n; ++j) {
        y[j] = sc_expf(x[j] - max);
        sum += y[j];
    }
    const float inv = 1.0f / sum;
    for (long j = 0; j < n; ++j)
        y[j] *= inv;
}

void sc_softmax_f32(const float *x, float *y, long m, long n)
{
    if (n <= 0)
        return;
    const int nt = m * n < PARALLEL_MIN_ELEMENTS ? 1 : sc_get_num_threads();
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long i = 0; i < m; ++i)
        softmax_row(x + i * n, y + i * n, n);
}
