/* simple_rnn.c - SimpleRNN forward over a whole sequence in one call:
 * h = act(x W + b + h R). Each thread owns a block of units (see
 * rnn_common.h) and per step computes its columns from kernels it packed
 * once. */
#include <stdlib.h>

#include "rnn_common.h"

static void block_step(const sc_rnn_args *a, const sc_rnn_layout *L, int b,
                       sc_packed_b *const *pb, const float *x, long s,
                       float *gates, const float *h_cur, float *h_next,
                       float *seq)
{
    const long u = a->u, ld = u, tt = sc_rnn_time(a, s);
    const long u0 = L->bound[b], w = sc_rnn_block_units(L, b);
    float *z = sc_rnn_step_gates(a, L, gates, tt, b);
    sc_rnn_project_step(a, x, L, b, pb[0], L->bias, tt, z);
    sc_sgemm_packed_b(pb[1], a->n, h_cur, u, 1.0f, z, ld);
    for (long i = 0; i < a->n; ++i) {
        const float *hc = h_cur + i * u + u0;
        float *hn = h_next + i * u + u0;
        if (sc_rnn_active(a, i, tt)) {
            float *zi = z + i * ld;
            sc_bias_act_f32(zi, 1, w, w, NULL, a->act);
            memcpy(hn, zi, (size_t)w * sizeof(float));
        } else {
            memcpy(hn, hc, (size_t)w * sizeof(float));
        }
        sc_rnn_store_output(a, seq, i, s, u0, w, hn);
    }
}

int sc_simple_rnn_forward_f32(const sc_rnn_args *a, const float *x,
                              const float *kernel, const float *rkernel,
                              const float *bias, float *h, float *seq,
                              float *gates)
{
    const long n = a->n, u = a->u;
    if (n == 0 || a->t == 0)
        return 0;
    sc_rnn_layout L;
    if (sc_rnn_layout_init(&L, a, 1, kernel, rkernel, bias, 1) != 0)
        return -1;
    float *hbuf = sc_rnn_aligned(2 * n * u);
    int failed = hbuf == NULL;
    if (!failed)
        memcpy(hbuf, h, (size_t)(n * u) * sizeof(float));

    if (!failed) {
#pragma omp parallel num_threads(L.blocks) reduction(| : failed)
    {
        const int me = sc_thread_num(), team = sc_team_size();
        const int mine = (L.blocks - me + team - 1) / team;
        /* pb[2k]: block k's input kernel, pb[2k + 1]: its recurrent one */
        sc_packed_b **pb = calloc((size_t)(2 * mine) + 1, sizeof *pb);
        int ok = pb != NULL;
        for (int k = 0; ok && k < mine; ++k) {
            const int b = me + k * team;
            pb[2 * k] = sc_rnn_pack_input_kernel(a, &L, b);
            pb[2 * k + 1] = sc_packed_b_new(u, sc_rnn_block_units(&L, b),
                                            L.rkernel + sc_rnn_block_col(&L, b),
                                            u, 1);
            ok = pb[2 * k] != NULL && pb[2 * k + 1] != NULL;
        }
        for (long s = 0; s < a->t; ++s) {
            const float *h_cur = hbuf + (s % 2) * n * u;
            float *h_next = hbuf + ((s + 1) % 2) * n * u;
            for (int k = 0; ok && k < mine; ++k)
                block_step(a, &L, me + k * team, pb + 2 * k, x, s, gates,
                           h_cur, h_next, seq);
#pragma omp barrier
        }
        for (int k = 0; pb && k < 2 * mine; ++k)
            sc_packed_b_free(pb[k]);
        free(pb);
        failed |= !ok;
    }
    }
    if (!failed)
        memcpy(h, hbuf + (a->t % 2) * n * u, (size_t)(n * u) * sizeof(float));
    free(hbuf);
    sc_rnn_layout_free(&L);
    return failed ? -1 : 0;
}
