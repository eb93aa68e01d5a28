/*
 * lstm.c - the LSTM forward pass over a whole sequence in one call.
 *
 * All input projections x W + b are one GEMM up front. Each step then adds
 * h R to its slice of those pre-activations with a second GEMM (beta = 1,
 * writing in place) and a fused per-sample gate update:
 *   i, f, o = recurrent_act(.), g = act(.), c = f c + i g, h = o act(c).
 */
#include <stdlib.h>

#include "rnn_common.h"

static void lstm_gates(const sc_rnn_args *a, float *z, float *h, float *c,
                       float *seq, long s, long tt, float *tmp_all)
{
    const long u = a->u, ld = a->t * 4 * u;
#pragma omp parallel for num_threads(sc_rnn_threads(a, 4 * u)) schedule(static)
    for (long i = 0; i < a->n; ++i) {
        float *hi = h + i * u, *ci = c + i * u;
        if (sc_rnn_active(a, i, tt)) {
            float *zi = z + i * ld;   /* i, f, g, o pre-activations */
            float *tmp = tmp_all + i * u;
            sc_bias_act_f32(zi, 1, 2 * u, 2 * u, NULL, a->recurrent_act);
            sc_bias_act_f32(zi + 2 * u, 1, u, u, NULL, a->act);
            sc_bias_act_f32(zi + 3 * u, 1, u, u, NULL, a->recurrent_act);
            const float *ig = zi, *fg = zi + u, *gg = zi + 2 * u,
                        *og = zi + 3 * u;
            for (long j = 0; j < u; ++j)
                ci[j] = fg[j] * ci[j] + ig[j] * gg[j];
            for (long j = 0; j < u; ++j)
                tmp[j] = ci[j];
            sc_bias_act_f32(tmp, 1, u, u, NULL, a->act);
            for (long j = 0; j < u; ++j)
                hi[j] = og[j] * tmp[j];
        }
        sc_rnn_store_output(a, seq, i, s, hi);
    }
}

int sc_lstm_forward_f32(const sc_rnn_args *a, const float *x,
                        const float *kernel, const float *rkernel,
                        const float *bias, float *h, float *c, float *seq,
                        float *gates)
{
    const long u = a->u, width = 4 * u;
    if (a->n == 0 || a->t == 0)
        return 0;
    if (sc_rnn_project_inputs(a, x, kernel, width, bias, gates) != 0)
        return -1;
    float *tmp = malloc((size_t)(a->n * u) * sizeof(float));
    if (!tmp)
        return -1;
    int status = 0;
    for (long s = 0; s < a->t && status == 0; ++s) {
        const long tt = sc_rnn_time(a, s);
        float *z = gates + tt * width; /* rows of sample i at i * t * width */
        status = sc_sgemm(a->n, width, u, 1.0f, h, u, 1, rkernel, width, 1,
                          1.0f, z, a->t * width, NULL, SC_ACT_NONE);
        lstm_gates(a, z, h, c, seq, s, tt, tmp);
    }
    free(tmp);
    return status;
}
