/* simple_rnn.c - SimpleRNN forward over a whole sequence in one call:
 * h = act(x W + b + h R), the input projections as one GEMM up front. */
#include "rnn_common.h"

int sc_simple_rnn_forward_f32(const sc_rnn_args *a, const float *x,
                              const float *kernel, const float *rkernel,
                              const float *bias, float *h, float *seq,
                              float *gates)
{
    const long u = a->u;
    if (a->n == 0 || a->t == 0)
        return 0;
    if (sc_rnn_project_inputs(a, x, kernel, u, bias, gates) != 0)
        return -1;
    for (long s = 0; s < a->t; ++s) {
        const long tt = sc_rnn_time(a, s);
        float *z = gates + tt * u;
        if (sc_sgemm(a->n, u, u, 1.0f, h, u, 1, rkernel, u, 1, 1.0f, z,
                     a->t * u, NULL, SC_ACT_NONE) != 0)
            return -1;
#pragma omp parallel for num_threads(sc_rnn_threads(a, u)) schedule(static)
        for (long i = 0; i < a->n; ++i) {
            float *hi = h + i * u;
            if (sc_rnn_active(a, i, tt)) {
                float *zi = z + i * a->t * u;
                sc_bias_act_f32(zi, 1, u, u, NULL, a->act);
                for (long j = 0; j < u; ++j)
                    hi[j] = zi[j];
            }
            sc_rnn_store_output(a, seq, i, s, hi);
        }
    }
    return 0;
}
