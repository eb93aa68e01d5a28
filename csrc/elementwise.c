/* elementwise.c - activations applied in place, with an optional bias row:
 * the GEMM epilogue and the activation layers' forward pass. */
#include <math.h>

#include "fastmath.h"
#include "seqcore.h"

void sc_bias_act_f32(float *x, long m, long n, long ldx, const float *bias,
                     sc_act act)
{
    for (long i = 0; i < m; ++i) {
        float *restrict row = x + i * ldx;
        if (bias)
            for (long j = 0; j < n; ++j)
                row[j] += bias[j];
        switch (act) {
        case SC_ACT_NONE:
            break;
        case SC_ACT_RELU:
            for (long j = 0; j < n; ++j)
                row[j] = row[j] > 0.0f ? row[j] : 0.0f;
            break;
        case SC_ACT_SIGMOID:
            for (long j = 0; j < n; ++j)
                row[j] = sc_sigmoidf(row[j]);
            break;
        case SC_ACT_TANH:
            for (long j = 0; j < n; ++j)
                row[j] = sc_tanhf(row[j]);
            break;
        }
    }
}

void sc_bias_act_f64(double *x, long m, long n, long ldx, const double *bias,
                     sc_act act)
{
    for (long i = 0; i < m; ++i) {
        double *restrict row = x + i * ldx;
        if (bias)
            for (long j = 0; j < n; ++j)
                row[j] += bias[j];
        switch (act) {
        case SC_ACT_NONE:
            break;
        case SC_ACT_RELU:
            for (long j = 0; j < n; ++j)
                row[j] = row[j] > 0.0 ? row[j] : 0.0;
            break;
        case SC_ACT_SIGMOID:
            for (long j = 0; j < n; ++j)
                row[j] = 1.0 / (1.0 + exp(-row[j]));
            break;
        case SC_ACT_TANH:
            for (long j = 0; j < n; ++j)
                row[j] = tanh(row[j]);
            break;
        }
    }
}
