/*
 * lstm.c - the LSTM forward pass over a whole sequence in one call.
 *
 * Each thread owns a block of units (see rnn_common.h). Per step it
 * computes its gate columns x_t W + b + h R (two products on kernels it
 * packed once) and updates its units:
 *   i, f, o = recurrent_act(.), g = act(.), c = f c + i g, h = o act(c).
 */
#include <stdlib.h>

#include "rnn_common.h"

/* Per-thread state of one unit block: its packed input and recurrent
 * kernels. */
typedef struct {
    sc_packed_b *w, *r;
} lstm_block;

static void lstm_block_step(const sc_rnn_args *a, const sc_rnn_layout *L,
                            int b, const lstm_block *blk, const float *x,
                            long s, float *gates, const float *h_cur,
                            float *h_next, float *c, float *seq, float *tmp)
{
    const long u = a->u, ld = 4 * u, tt = sc_rnn_time(a, s);
    const long u0 = L->bound[b], w = sc_rnn_block_units(L, b);
    float *z = sc_rnn_step_gates(a, L, gates, tt, b);
    const int default_acts = a->act == SC_ACT_TANH &&
                             a->recurrent_act == SC_ACT_SIGMOID;
    sc_rnn_project_step(a, x, L, b, blk->w, L->bias, tt, z);
    sc_sgemm_packed_b(blk->r, a->n, h_cur, u, 1.0f, z, ld);
    for (long i = 0; i < a->n; ++i) {
        const float *hc = h_cur + i * u + u0;
        float *hn = h_next + i * u + u0, *ci = c + i * u + u0;
        if (sc_rnn_active(a, i, tt) && default_acts) {
            sc_lstm_cell_f32(z + i * ld, ci, hn, w);
        } else if (sc_rnn_active(a, i, tt)) {
            float *zi = z + i * ld; /* i, f, g, o blocks of w */
            sc_bias_act_f32(zi, 1, 2 * w, 2 * w, NULL, a->recurrent_act);
            sc_bias_act_f32(zi + 2 * w, 1, w, w, NULL, a->act);
            sc_bias_act_f32(zi + 3 * w, 1, w, w, NULL, a->recurrent_act);
            const float *ig = zi, *fg = zi + w, *gg = zi + 2 * w,
                        *og = zi + 3 * w;
            for (long j = 0; j < w; ++j)
                ci[j] = fg[j] * ci[j] + ig[j] * gg[j];
            for (long j = 0; j < w; ++j)
                tmp[j] = ci[j];
            sc_bias_act_f32(tmp, 1, w, w, NULL, a->act);
            for (long j = 0; j < w; ++j)
                hn[j] = og[j] * tmp[j];
        } else {
            memcpy(hn, hc, (size_t)w * sizeof(float));
        }
        sc_rnn_store_output(a, seq, i, s, u0, w, hn);
    }
}

int sc_lstm_forward_f32(const sc_rnn_args *a, const float *x,
                        const float *kernel, const float *rkernel,
                        const float *bias, float *h, float *c, float *seq,
                        float *gates)
{
    const long n = a->n, u = a->u;
    if (n == 0 || a->t == 0)
        return 0;
    sc_rnn_layout L;
    if (sc_rnn_layout_init(&L, a, 4, kernel, rkernel, bias, 1) != 0)
        return -1;
    /* Aligned copies of the states, so that unit blocks own whole lines. */
    float *hbuf = sc_rnn_aligned(2 * n * u), *cbuf = sc_rnn_aligned(n * u);
    int failed = hbuf == NULL || cbuf == NULL;
    if (!failed) {
        memcpy(hbuf, h, (size_t)(n * u) * sizeof(float));
        memcpy(cbuf, c, (size_t)(n * u) * sizeof(float));
    }

    if (!failed) {
#pragma omp parallel num_threads(L.blocks) reduction(| : failed)
    {
        const int me = sc_thread_num(), team = sc_team_size();
        /* This thread's blocks (all of them if fewer threads came). */
        const int mine = (L.blocks - me + team - 1) / team;
        lstm_block *blk = calloc((size_t)mine + 1, sizeof *blk);
        float *tmp = malloc((size_t)(u + 1) * sizeof(float));
        int ok = blk != NULL && tmp != NULL;
        for (int k = 0; ok && k < mine; ++k) {
            const int b = me + k * team;
            blk[k].w = sc_rnn_pack_input_kernel(a, &L, b);
            blk[k].r = sc_packed_b_new(u, 4 * sc_rnn_block_units(&L, b),
                                       L.rkernel + sc_rnn_block_col(&L, b),
                                       4 * u, 1);
            ok = blk[k].w != NULL && blk[k].r != NULL;
        }
        for (long s = 0; s < a->t; ++s) {
            const float *h_cur = hbuf + (s % 2) * n * u;
            float *h_next = hbuf + ((s + 1) % 2) * n * u;
            for (int k = 0; ok && k < mine; ++k)
                lstm_block_step(a, &L, me + k * team, &blk[k], x, s, gates,
                                h_cur, h_next, cbuf, seq, tmp);
#pragma omp barrier
        }
        for (int k = 0; blk && k < mine; ++k) {
            sc_packed_b_free(blk[k].w);
            sc_packed_b_free(blk[k].r);
        }
        free(blk);
        free(tmp);
        failed |= !ok;
    }
    }
    if (!failed) {
        memcpy(h, hbuf + (a->t % 2) * n * u, (size_t)(n * u) * sizeof(float));
        memcpy(c, cbuf, (size_t)(n * u) * sizeof(float));
    }
    free(hbuf);
    free(cbuf);
    sc_rnn_layout_free(&L);
    return failed ? -1 : 0;
}
