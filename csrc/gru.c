/*
 * gru.c - the GRU forward pass over a whole sequence in one call.
 *
 * Gates z (update), r (reset), h (candidate), as in Keras:
 *   reset_after:  hh = act(x_h + r * (h R_h + b_rh))     (Keras's default)
 *   otherwise:    hh = act(x_h + (r * h) R_h)
 *   h' = z * h + (1 - z) * hh
 * The input projections of all steps are one GEMM up front.
 */
#include <stdlib.h>

#include "rnn_common.h"

/* z, r from their pre-activations xz + rz (already summed into zi[0:2u]). */
static void gru_zr(const sc_rnn_args *a, float *zi)
{
    sc_bias_act_f32(zi, 1, 2 * a->u, 2 * a->u, NULL, a->recurrent_act);
}

static void gru_update(const sc_rnn_args *a, float *zi, float *hi)
{
    const long u = a->u;
    const float *zg = zi, *hh = zi + 2 * u;
    for (long j = 0; j < u; ++j)
        hi[j] = zg[j] * hi[j] + (1.0f - zg[j]) * hh[j];
}

/* reset_after: rec = h R + b_r (n x 3u) for this step. */
static void gru_step_after(const sc_rnn_args *a, float *z, const float *rec,
                           float *h, float *seq, long s, long tt)
{
    const long u = a->u, ld = a->t * 3 * u;
#pragma omp parallel for num_threads(sc_rnn_threads(a, 3 * u)) schedule(static)
    for (long i = 0; i < a->n; ++i) {
        float *hi = h + i * u;
        if (sc_rnn_active(a, i, tt)) {
            float *zi = z + i * ld;
            const float *ri = rec + i * 3 * u;
            for (long j = 0; j < 2 * u; ++j)
                zi[j] += ri[j];
            gru_zr(a, zi);
            for (long j = 0; j < u; ++j)
                zi[2 * u + j] += zi[u + j] * ri[2 * u + j];
            sc_bias_act_f32(zi + 2 * u, 1, u, u, NULL, a->act);
            gru_update(a, zi, hi);
        }
        sc_rnn_store_output(a, seq, i, s, hi);
    }
}

int sc_gru_forward_f32(const sc_rnn_args *a, int reset_after, const float *x,
                       const float *kernel, const float *rkernel,
                       const float *bias, float *h, float *seq, float *gates)
{
    const long u = a->u, width = 3 * u, ld = a->t * width;
    if (a->n == 0 || a->t == 0)
        return 0;
    const float *input_bias = bias;
    const float *recurrent_bias = reset_after && bias ? bias + width : NULL;
    if (sc_rnn_project_inputs(a, x, kernel, width, input_bias, gates) != 0)
        return -1;
    float *rec = malloc((size_t)(a->n * width) * sizeof(float));
    if (!rec)
        return -1;
    int status = 0;
    for (long s = 0; s < a->t && status == 0; ++s) {
        const long tt = sc_rnn_time(a, s);
        float *z = gates + tt * width;
        if (reset_after) {
            status = sc_sgemm(a->n, width, u, 1.0f, h, u, 1, rkernel, width,
                              1, 0.0f, rec, width, recurrent_bias,
                              SC_ACT_NONE);
            gru_step_after(a, z, rec, h, seq, s, tt);
            continue;
        }
        /* reset before: z, r first, then (r * h) R_h into the candidate. */
        status = sc_sgemm(a->n, 2 * u, u, 1.0f, h, u, 1, rkernel, width, 1,
                          1.0f, z, ld, NULL, SC_ACT_NONE);
        float *rh = rec; /* (n, u) */
        for (long i = 0; i < a->n; ++i) {
            float *zi = z + i * ld;
            gru_zr(a, zi);
            for (long j = 0; j < u; ++j)
                rh[i * u + j] = zi[u + j] * h[i * u + j];
        }
        if (status == 0)
            status = sc_sgemm(a->n, u, u, 1.0f, rh, u, 1, rkernel + 2 * u,
                              width, 1, 1.0f, z + 2 * u, ld, NULL,
                              SC_ACT_NONE);
        for (long i = 0; i < a->n; ++i) {
            float *hi = h + i * u;
            if (sc_rnn_active(a, i, tt)) {
                float *zi = z + i * ld;
                sc_bias_act_f32(zi + 2 * u, 1, u, u, NULL, a->act);
                gru_update(a, zi, hi);
            }
            sc_rnn_store_output(a, seq, i, s, hi);
        }
    }
    free(rec);
    return status;
}
