/* simple_rnn.c - SimpleRNN forward over a whole sequence in one call:
 * h = act(x W + b + h R). Each thread owns a block of units (see
 * rnn_common.h) and per step computes its columns from kernels it packed
 * once. */
#include <stdlib.h>

#include "rnn_common.h"

typedef struct {
    const sc_rnn_args *a;
    const sc_rnn_layout *L;
    const float *x;
    float *gates, *seq;
} simple_call;

typedef struct {
    sc_packed_b *w, *r; /* the block's input and recurrent kernels */
} simple_block;

static int simple_init(const void *ctx, int b, void *state)
{
    const simple_call *k = ctx;
    simple_block *blk = state;
    blk->w = sc_rnn_pack_input_kernel(k->a, k->L, b);
    blk->r = sc_packed_b_new(k->a->u, sc_rnn_block_units(k->L, b),
                             k->L->rkernel + sc_rnn_block_col(k->L, b),
                             k->a->u, 1);
    return blk->w && blk->r;
}

static void simple_free(void *state)
{
    simple_block *blk = state;
    sc_packed_b_free(blk->w);
    sc_packed_b_free(blk->r);
}

static void simple_step(const void *ctx, int b, void *state, int phase,
                        long s, const float *h_cur, float *h_next)
{
    const simple_call *k = ctx;
    const sc_rnn_args *a = k->a;
    simple_block *blk = state;
    const long u = a->u, ld = u, tt = sc_rnn_time(a, s);
    const long u0 = k->L->bound[b], w = sc_rnn_block_units(k->L, b);
    float *z = sc_rnn_step_gates(a, k->L, k->gates, tt, b);
    (void)phase;
    sc_rnn_gate_inputs_step(a, k->x, k->L, b, blk->w, k->L->bias, blk->r,
                            h_cur, tt, z);
    for (long i = 0; i < a->n; ++i) {
        float *hn = h_next + i * u + u0;
        if (sc_rnn_active(a, i, tt)) {
            float *zi = z + i * ld;
            sc_bias_act_f32(zi, 1, w, w, NULL, a->act);
            memcpy(hn, zi, (size_t)w * sizeof(float));
        } else {
            memcpy(hn, h_cur + i * u + u0, (size_t)w * sizeof(float));
        }
        sc_rnn_store_output(a, k->seq, i, s, u0, w, hn);
    }
}

int sc_simple_rnn_forward_f32(const sc_rnn_args *a, const float *x,
                              const float *kernel, const float *rkernel,
                              const float *bias, float *h, float *seq,
                              float *gates)
{
    if (a->n == 0 || a->t == 0)
        return 0;
    sc_rnn_layout L;
    if (sc_rnn_layout_init(&L, a, 1, kernel, rkernel, bias, 1) != 0)
        return -1;
    const simple_call call = {a, &L, x, gates, seq};
    const sc_rnn_cell cell = {&call, sizeof(simple_block), 1, simple_init,
                              simple_step, simple_free};
    const int status = sc_rnn_run(a, &L, &cell, h);
    sc_rnn_layout_free(&L);
    return status;
}
