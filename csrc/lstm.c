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
#include "scratch.h"

typedef struct {
    const sc_rnn_args *a;
    const sc_rnn_layout *L;
    const float *x;
    float *gates, *c, *seq;
    int default_acts; /* sigmoid gates, tanh: the fused cell applies */
} lstm_call;

typedef struct {
    sc_packed_b *w, *r; /* the block's input and recurrent kernels */
    float *tmp;         /* act(c) for the block's units */
} lstm_block;

static int lstm_init(const void *ctx, int b, void *state)
{
    const lstm_call *k = ctx;
    lstm_block *blk = state;
    const long u = k->a->u, w = sc_rnn_block_units(k->L, b);
    blk->w = sc_rnn_pack_input_kernel(k->a, k->L, b);
    blk->r = sc_packed_b_new(u, 4 * w, k->L->rkernel + sc_rnn_block_col(k->L, b),
                             4 * u, 1);
    blk->tmp = sc_alloc((size_t)w + 1, sizeof(float));
    return blk->w && blk->r && blk->tmp;
}

static void lstm_free(void *state)
{
    lstm_block *blk = state;
    sc_packed_b_free(blk->w);
    sc_packed_b_free(blk->r);
    free(blk->tmp);
}

/* The general cell: any elementwise activations. */
static void lstm_cell(const sc_rnn_args *a, float *zi, float *ci, float *hn,
                      long w, float *tmp)
{
    sc_bias_act_f32(zi, 1, 2 * w, 2 * w, NULL, a->recurrent_act);
    sc_bias_act_f32(zi + 2 * w, 1, w, w, NULL, a->act);
    sc_bias_act_f32(zi + 3 * w, 1, w, w, NULL, a->recurrent_act);
    const float *ig = zi, *fg = zi + w, *gg = zi + 2 * w, *og = zi + 3 * w;
    for (long j = 0; j < w; ++j)
        ci[j] = fg[j] * ci[j] + ig[j] * gg[j];
    for (long j = 0; j < w; ++j)
        tmp[j] = ci[j];
    sc_bias_act_f32(tmp, 1, w, w, NULL, a->act);
    for (long j = 0; j < w; ++j)
        hn[j] = og[j] * tmp[j];
}

static void lstm_step(const void *ctx, int b, void *state, int phase, long s,
                      const float *h_cur, float *h_next)
{
    const lstm_call *k = ctx;
    const sc_rnn_args *a = k->a;
    lstm_block *blk = state;
    const long u = a->u, ld = 4 * u, tt = sc_rnn_time(a, s);
    const long u0 = k->L->bound[b], w = sc_rnn_block_units(k->L, b);
    float *z = sc_rnn_step_gates(a, k->L, k->gates, tt, b);
    (void)phase;
    sc_rnn_gate_inputs_step(a, k->x, k->L, b, blk->w, k->L->bias, blk->r,
                            h_cur, tt, z);
    for (long i = 0; i < a->n; ++i) {
        const float *hc = h_cur + i * u + u0;
        float *hn = h_next + i * u + u0, *ci = k->c + i * u + u0;
        if (!sc_rnn_active(a, i, tt))
            memcpy(hn, hc, (size_t)w * sizeof(float));
        else if (k->default_acts)
            sc_lstm_cell_f32(z + i * ld, ci, hn, w);
        else
            lstm_cell(a, z + i * ld, ci, hn, w, blk->tmp);
        sc_rnn_store_output(a, k->seq, i, s, u0, w, hn);
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
    /* An aligned copy of c, so that unit blocks own whole cache lines. */
    float *cbuf = sc_rnn_aligned(n * u);
    int status = -1;
    if (cbuf) {
        memcpy(cbuf, c, (size_t)(n * u) * sizeof(float));
        const lstm_call call = {a, &L, x, gates, cbuf, seq,
                                a->act == SC_ACT_TANH &&
                                    a->recurrent_act == SC_ACT_SIGMOID};
        const sc_rnn_cell cell = {&call, sizeof(lstm_block), 1, lstm_init,
                                  lstm_step, lstm_free};
        status = sc_rnn_run(a, &L, &cell, h);
        if (status == 0)
            memcpy(c, cbuf, (size_t)(n * u) * sizeof(float));
    }
    free(cbuf);
    sc_rnn_layout_free(&L);
    return status;
}
