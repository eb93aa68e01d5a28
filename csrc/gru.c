/*
 * gru.c - the GRU forward pass over a whole sequence in one call.
 *
 * Gates z (update), r (reset), h (candidate), as in Keras:
 *   reset_after:  hh = act(x_h + r * (h R_h + b_rh))     (Keras's default)
 *   otherwise:    hh = act(x_h + (r * h) R_h)
 *   h' = z * h + (1 - z) * hh
 * Each thread owns a block of units (see rnn_common.h) and per step
 * computes its gate columns from kernels it packed once. Resetting before
 * the product needs r * h for every unit first, so that variant runs each
 * step in two phases with a barrier between them.
 */
#include <stdlib.h>

#include "rnn_common.h"
#include "scratch.h"

typedef struct {
    const sc_rnn_args *a;
    const sc_rnn_layout *L;
    int reset_after;
    const float *x;
    float *gates, *seq;
    float *rh;                   /* (n, u) r * h, reset before only */
    const float *recurrent_bias; /* permuted, reset_after only */
} gru_call;

typedef struct {
    sc_packed_b *w;    /* input kernel, the block's three gate columns */
    sc_packed_b *zr;   /* recurrent kernel: z and r columns (or all three) */
    sc_packed_b *hc;   /* candidate columns, reset before only */
    float *rec;        /* (n, 3w) recurrent products, reset_after only */
} gru_block;

static int gru_init(const void *ctx, int b, void *state)
{
    const gru_call *g = ctx;
    gru_block *blk = state;
    const long u = g->a->u, w = sc_rnn_block_units(g->L, b);
    const float *cols = g->L->rkernel + sc_rnn_block_col(g->L, b);
    blk->w = sc_rnn_pack_input_kernel(g->a, g->L, b);
    if (g->reset_after) {
        blk->zr = sc_packed_b_new(u, 3 * w, cols, 3 * u, 1);
        blk->rec = sc_alloc(sc_size_mul3(g->a->n, 3, w), sizeof(float));
        return blk->w && blk->zr && blk->rec;
    }
    blk->zr = sc_packed_b_new(u, 2 * w, cols, 3 * u, 1);
    blk->hc = sc_packed_b_new(u, w, cols + 2 * w, 3 * u, 1);
    return blk->w && blk->zr && blk->hc;
}

static void gru_free(void *state)
{
    gru_block *blk = state;
    sc_packed_b_free(blk->w);
    sc_packed_b_free(blk->zr);
    sc_packed_b_free(blk->hc);
    free(blk->rec);
}

static void gru_update(long w, const float *zi, const float *hc, float *hn)
{
    const float *zg = zi, *hh = zi + 2 * w;
    for (long j = 0; j < w; ++j)
        hn[j] = zg[j] * hc[j] + (1.0f - zg[j]) * hh[j];
}

static void step_after(const gru_call *g, int b, gru_block *blk, long s,
                       const float *h_cur, float *h_next)
{
    const sc_rnn_args *a = g->a;
    const long u = a->u, ld = 3 * u, tt = sc_rnn_time(a, s);
    const long u0 = g->L->bound[b], w = sc_rnn_block_units(g->L, b);
    float *z = sc_rnn_step_gates(a, g->L, g->gates, tt, b);
    const float *br = g->recurrent_bias
                          ? g->recurrent_bias + sc_rnn_block_col(g->L, b)
                          : NULL;
    sc_rnn_project_step(a, g->x, g->L, b, blk->w, g->L->bias, tt, z);
    sc_sgemm_packed_b(blk->zr, a->n, h_cur, u, 0.0f, blk->rec, 3 * w);
    for (long i = 0; i < a->n; ++i) {
        const float *hc = h_cur + i * u + u0;
        float *hn = h_next + i * u + u0;
        if (sc_rnn_active(a, i, tt)) {
            float *zi = z + i * ld;
            float *ri = blk->rec + i * 3 * w;
            if (br)
                for (long j = 0; j < 3 * w; ++j)
                    ri[j] += br[j];
            for (long j = 0; j < 2 * w; ++j)
                zi[j] += ri[j];
            sc_bias_act_f32(zi, 1, 2 * w, 2 * w, NULL, a->recurrent_act);
            for (long j = 0; j < w; ++j)
                zi[2 * w + j] += zi[w + j] * ri[2 * w + j];
            sc_bias_act_f32(zi + 2 * w, 1, w, w, NULL, a->act);
            gru_update(w, zi, hc, hn);
        } else {
            memcpy(hn, hc, (size_t)w * sizeof(float));
        }
        sc_rnn_store_output(a, g->seq, i, s, u0, w, hn);
    }
}

/* Reset before, phase 0: z and r, and r * h into the shared rh (n, u). */
static void step_before_gates(const gru_call *g, int b, gru_block *blk,
                              long s, const float *h_cur)
{
    const sc_rnn_args *a = g->a;
    const long u = a->u, ld = 3 * u, tt = sc_rnn_time(a, s);
    const long u0 = g->L->bound[b], w = sc_rnn_block_units(g->L, b);
    float *z = sc_rnn_step_gates(a, g->L, g->gates, tt, b);
    sc_rnn_gate_inputs_step(a, g->x, g->L, b, blk->w, g->L->bias, blk->zr,
                            h_cur, tt, z);
    for (long i = 0; i < a->n; ++i) {
        float *zi = z + i * ld;
        sc_bias_act_f32(zi, 1, 2 * w, 2 * w, NULL, a->recurrent_act);
        for (long j = 0; j < w; ++j)
            g->rh[i * u + u0 + j] = zi[w + j] * h_cur[i * u + u0 + j];
    }
}

/* Reset before, phase 1: the candidate from (r * h) R_h, then h. */
static void step_before_candidate(const gru_call *g, int b, gru_block *blk,
                                  long s, const float *h_cur, float *h_next)
{
    const sc_rnn_args *a = g->a;
    const long u = a->u, ld = 3 * u, tt = sc_rnn_time(a, s);
    const long u0 = g->L->bound[b], w = sc_rnn_block_units(g->L, b);
    float *z = sc_rnn_step_gates(a, g->L, g->gates, tt, b);
    sc_sgemm_packed_b(blk->hc, a->n, g->rh, u, 1.0f, z + 2 * w, ld);
    for (long i = 0; i < a->n; ++i) {
        const float *hc = h_cur + i * u + u0;
        float *hn = h_next + i * u + u0;
        if (sc_rnn_active(a, i, tt)) {
            float *zi = z + i * ld;
            sc_bias_act_f32(zi + 2 * w, 1, w, w, NULL, a->act);
            gru_update(w, zi, hc, hn);
        } else {
            memcpy(hn, hc, (size_t)w * sizeof(float));
        }
        sc_rnn_store_output(a, g->seq, i, s, u0, w, hn);
    }
}

static void gru_step(const void *ctx, int b, void *state, int phase, long s,
                     const float *h_cur, float *h_next)
{
    const gru_call *g = ctx;
    if (g->reset_after)
        step_after(g, b, state, s, h_cur, h_next);
    else if (phase == 0)
        step_before_gates(g, b, state, s, h_cur);
    else
        step_before_candidate(g, b, state, s, h_cur, h_next);
}

int sc_gru_forward_f32(const sc_rnn_args *a, int reset_after, const float *x,
                       const float *kernel, const float *rkernel,
                       const float *bias, float *h, float *seq, float *gates)
{
    const long u = a->u;
    if (a->n == 0 || a->t == 0)
        return 0;
    sc_rnn_layout L;
    if (sc_rnn_layout_init(&L, a, 3, kernel, rkernel, bias,
                           reset_after ? 2 : 1) != 0)
        return -1;
    float *rh = reset_after ? NULL : sc_rnn_aligned(a->n * u);
    int status = -1;
    if (reset_after || rh) {
        const gru_call call = {a, &L, reset_after, x, gates, seq, rh,
                               reset_after && L.bias ? L.bias + 3 * u : NULL};
        const sc_rnn_cell cell = {&call, sizeof(gru_block),
                                  reset_after ? 1 : 2, gru_init, gru_step,
                                  gru_free};
        status = sc_rnn_run(a, &L, &cell, h);
    }
    free(rh);
    sc_rnn_layout_free(&L);
    return status;
}
