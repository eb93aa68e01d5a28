/*
 * rnn_train.c - the training-mode recurrence and its backpropagation through
 * time, for LSTM, GRU and SimpleRNN, each direction in one call.
 *
 * Unlike the inference kernels (column-permuted blocks per thread), these
 * keep every step's values in Keras's natural column order, time-major, for
 * the backward pass and for the weight gradients that the caller forms as
 * three GEMMs over all steps.
 *
 * Threads split the batch: samples never interact in a recurrence, so each
 * thread runs every step for its own rows, with no barrier between steps.
 * The recurrent kernel is packed once per call (sc_packed_b) and shared
 * read-only; each thread has its own work rows. Row blocks
 * start at multiples of the micro-tile's height, and a row's values come
 * from the same instructions whichever block holds it, so results are the
 * same bits at any thread count.
 *
 * Shapes: n batch, t steps, u units, G gate groups (4, 3, 1). proj (t, n, Gu)
 * holds x_t W + input bias for every step; pre (t, n, Gu) the gates before
 * activation, gates (t, n, Gu) after; h_prev (t, n, u) the state each step
 * started from; seq (t, n, u) the output of each step. mask (t, n), nonzero
 * = real step, or NULL: a masked step keeps the states.
 */
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "omp_compat.h"
#include "scratch.h"
#include "seqcore.h"

/* The rows [r0, r1) one thread owns. */
typedef struct {
    long r0, r1;
} rows_t;

/* Threads for a pass of `flops` over n rows: at most one per micro-tile
 * row panel. */
static int row_parts(long n, double flops, long *unit)
{
    int mr, nr;
    long mc, kc, nc;
    sc_sgemm_blocks(&mr, &nr, &mc, &kc, &nc);
    *unit = mr;
    const long panels = (n + mr - 1) / mr;
    const int nt = sc_threads_for_work(flops);
    return panels < nt ? (int)panels : nt;
}

static long row_split(long n, long unit, int parts, int i)
{
    const long units = (n + unit - 1) / unit;
    const long at = units * i / parts * unit;
    return at < n ? at : n;
}

/* Run body(ctx, rows) on `parts` row blocks of n rows, one per thread.
 * Returns 0, or -1 when a body failed. */
static int over_rows(long n, double flops, const void *ctx,
                     int (*body)(const void *ctx, rows_t *rows))
{
    long unit;
    const int parts = row_parts(n, flops, &unit);
    int failed = 0;
#pragma omp parallel for num_threads(parts) schedule(static) \
    reduction(| : failed)
    for (int p = 0; p < parts; ++p) {
        rows_t rows = {row_split(n, unit, parts, p),
                       row_split(n, unit, parts, p + 1)};
        failed |= body(ctx, &rows) != 0;
    }
    return failed ? -1 : 0;
}

/* A masked step keeps its states: new = m ? new : old, per row. */
static void keep_masked(const unsigned char *mask, long n, long u,
                        const float *old, float *fresh)
{
    if (mask == NULL)
        return;
    for (long i = 0; i < n; ++i)
        if (!mask[i])
            memcpy(fresh + i * u, old + i * u, (size_t)u * sizeof(float));
}

/* Backward of keep_masked: the rows of masked steps pass their gradient
 * to the previous state untouched (carry) and none to the step. */
static void split_masked(const unsigned char *mask, long n, long u,
                         float *grad, float *carry)
{
    memset(carry, 0, (size_t)(n * u) * sizeof(float));
    if (mask == NULL)
        return;
    for (long i = 0; i < n; ++i)
        if (!mask[i]) {
            memcpy(carry + i * u, grad + i * u, (size_t)u * sizeof(float));
            memset(grad + i * u, 0, (size_t)u * sizeof(float));
        }
}

/* Step s's mask from row r0 on, or NULL. */
static const unsigned char *step_mask(const sc_rnn_train_args *a, long s,
                                      long r0)
{
    return a->mask ? a->mask + s * a->n + r0 : NULL;
}

/* ---- LSTM, gates i, f, c, o ------------------------------------------------ */

typedef struct {
    const sc_rnn_train_args *a;
    const sc_packed_b *r; /* R (u, 4u) */
    const float *proj;
    float *h, *c, *pre, *gates, *h_prev, *c_prev, *c_new, *act_c, *seq;
} lstm_fwd;

static int lstm_forward_rows(const void *ctx, rows_t *rows)
{
    const lstm_fwd *k = ctx;
    const sc_rnn_train_args *a = k->a;
    const long n = a->n, u = a->u, w = 4 * u, nu = n * u;
    const long r0 = rows->r0, m = rows->r1 - rows->r0;
    float *h = k->h + r0 * u, *c = k->c + r0 * u;
    for (long s = 0; s < a->t; ++s) {
        float *z = k->pre + s * n * w + r0 * w;
        float *g = k->gates + s * n * w + r0 * w;
        memcpy(k->h_prev + s * nu + r0 * u, h, (size_t)(m * u) * sizeof(float));
        memcpy(k->c_prev + s * nu + r0 * u, c, (size_t)(m * u) * sizeof(float));
        memcpy(z, k->proj + s * n * w + r0 * w,
               (size_t)(m * w) * sizeof(float));
        sc_sgemm_packed_b(k->r, m, h, u, 1.0f, z, w);
        float *cn = k->c_new + s * nu + r0 * u;
        float *ac = k->act_c + s * nu + r0 * u;
        float *out = k->seq + s * nu + r0 * u;
        for (long i = 0; i < m; ++i) {
            const float *zi = z + i * w;
            float *gi = g + i * w;
            /* i, f and o through the recurrent activation, g through act */
            sc_act_rows_f32(zi, gi, 2 * u, a->recurrent_act);
            sc_act_rows_f32(zi + 2 * u, gi + 2 * u, u, a->act);
            sc_act_rows_f32(zi + 3 * u, gi + 3 * u, u, a->recurrent_act);
            const float *ci = c + i * u;
            float *cni = cn + i * u;
            for (long j = 0; j < u; ++j)
                cni[j] = gi[u + j] * ci[j] + gi[j] * gi[2 * u + j];
            sc_act_rows_f32(cni, ac + i * u, u, a->act);
            for (long j = 0; j < u; ++j)
                out[i * u + j] = gi[3 * u + j] * ac[i * u + j];
        }
        const unsigned char *mk = step_mask(a, s, r0);
        keep_masked(mk, m, u, h, out);
        memcpy(h, out, (size_t)(m * u) * sizeof(float));
        for (long i = 0; i < m; ++i)  /* a masked row keeps its c */
            if (mk == NULL || mk[i])
                memcpy(c + i * u, cn + i * u, (size_t)u * sizeof(float));
    }
    return 0;
}

int sc_lstm_train_forward_f32(const sc_rnn_train_args *a, const float *proj,
                              const float *rkernel, float *h, float *c,
                              float *pre, float *gates, float *h_prev,
                              float *c_prev, float *c_new, float *act_c,
                              float *seq)
{
    const long u = a->u, w = 4 * u;
    if (a->n <= 0 || a->t <= 0)
        return 0;
    sc_packed_b *r = sc_packed_b_new(u, w, rkernel, w, 1);
    if (r == NULL)
        return -1;
    const lstm_fwd k = {a, r, proj, h, c, pre, gates, h_prev, c_prev, c_new,
                        act_c, seq};
    const int status = over_rows(a->n, 2.0 * a->n * u * w * a->t, &k,
                                 lstm_forward_rows);
    sc_packed_b_free(r);
    return status;
}

typedef struct {
    const sc_rnn_train_args *a;
    const sc_packed_b *rt; /* R^T (4u, u) */
    const float *pre, *gates, *c_prev, *c_new, *act_c, *d_seq;
    float *dh, *dc, *d_pre;
} lstm_bwd;

static int lstm_backward_rows(const void *ctx, rows_t *rows)
{
    const lstm_bwd *k = ctx;
    const sc_rnn_train_args *a = k->a;
    const long n = a->n, u = a->u, w = 4 * u, nu = n * u;
    const long r0 = rows->r0, m = rows->r1 - rows->r0, mu = m * u;
    float *work = sc_alloc(sc_size_add(sc_size_mul(4, mu), sc_size_mul(m, w)),
                           sizeof(float));
    if (work == NULL)
        return -1;
    float *carry_h = work, *carry_c = work + mu, *tmp = work + 2 * mu;
    float *d_act_c = work + 3 * mu, *d_gate = work + 4 * mu;
    float *dh = k->dh + r0 * u, *dc = k->dc + r0 * u;
    /* Keras's activations: the cell's backward in one vectorized pass. */
    const int default_acts = a->act == SC_ACT_TANH &&
                             a->recurrent_act == SC_ACT_SIGMOID;
    for (long s = a->t - 1; s >= 0; --s) {
        if (k->d_seq)
            for (long e = 0; e < mu; ++e)
                dh[e] += k->d_seq[s * nu + r0 * u + e];
        if (a->mask || s == a->t - 1) {   /* unmasked: carries stay 0 */
            split_masked(step_mask(a, s, r0), m, u, dh, carry_h);
            split_masked(step_mask(a, s, r0), m, u, dc, carry_c);
        }
        const float *g = k->gates + s * n * w + r0 * w;
        const float *z = k->pre + s * n * w + r0 * w;
        const float *cp = k->c_prev + s * nu + r0 * u;
        const float *cn = k->c_new + s * nu + r0 * u;
        const float *ac = k->act_c + s * nu + r0 * u;
        float *dz = k->d_pre + s * n * w + r0 * w;
        for (long i = 0; i < m && default_acts; ++i)
            sc_lstm_cell_backward_f32(g + i * w, cp + i * u, ac + i * u,
                                      dh + i * u, dc + i * u,
                                      carry_c + i * u, dz + i * w, u);
        for (long i = 0; i < m && !default_acts; ++i) {
            const float *gi = g + i * w;
            float *dhi = dh + i * u, *dci = dc + i * u, *di = d_gate + i * w;
            for (long j = 0; j < u; ++j)
                tmp[i * u + j] = dhi[j] * gi[3 * u + j];
            sc_act_grad_rows_f32(cn + i * u, ac + i * u, tmp + i * u,
                                 d_act_c + i * u, u, a->act);
            for (long j = 0; j < u; ++j) {
                const float dcj = dci[j] + d_act_c[i * u + j];
                di[j] = dcj * gi[2 * u + j];
                di[u + j] = dcj * cp[i * u + j];
                di[2 * u + j] = dcj * gi[j];
                di[3 * u + j] = dhi[j] * ac[i * u + j];
                dci[j] = dcj * gi[u + j] + carry_c[i * u + j];
            }
            sc_act_grad_rows_f32(z + i * w, gi, di, dz + i * w, 2 * u,
                                 a->recurrent_act);
            sc_act_grad_rows_f32(z + i * w + 2 * u, gi + 2 * u, di + 2 * u,
                                 dz + i * w + 2 * u, u, a->act);
            sc_act_grad_rows_f32(z + i * w + 3 * u, gi + 3 * u, di + 3 * u,
                                 dz + i * w + 3 * u, u, a->recurrent_act);
        }
        sc_sgemm_packed_b(k->rt, m, dz, w, 0.0f, dh, u);
        for (long e = 0; e < mu; ++e)
            dh[e] += carry_h[e];
    }
    free(work);
    return 0;
}

int sc_lstm_train_backward_f32(const sc_rnn_train_args *a,
                               const float *rkernel, const float *pre,
                               const float *gates, const float *c_prev,
                               const float *c_new, const float *act_c,
                               const float *d_seq, float *dh, float *dc,
                               float *d_pre)
{
    const long u = a->u, w = 4 * u;
    if (a->n <= 0 || a->t <= 0)
        return 0;
    sc_packed_b *rt = sc_packed_b_new(w, u, rkernel, 1, w);
    if (rt == NULL)
        return -1;
    const lstm_bwd k = {a, rt, pre, gates, c_prev, c_new, act_c, d_seq, dh,
                        dc, d_pre};
    const int status = over_rows(a->n, 2.0 * a->n * u * w * a->t, &k,
                                 lstm_backward_rows);
    sc_packed_b_free(rt);
    return status;
}

/* ---- GRU, gates z, r, h ----------------------------------------------------
 * reset_after: hz = h R + recurrent bias; candidate = act(x_h + r * hz_h).
 * reset before: candidate = act(x_h + (r * h) R_h); hz's first u columns
 * keep r * h, which the caller's gradient of R_h multiplies. */

typedef struct {
    const sc_rnn_train_args *a;
    int reset_after;
    /* reset_after: r_all = R (u, 3u); else r_zr = R[:, :2u], r_h = R[:, 2u:] */
    const sc_packed_b *r_all, *r_zr, *r_h;
    const float *proj, *recurrent_bias;
    float *h, *pre, *gates, *hz, *h_prev, *seq;
} gru_fwd;

static int gru_forward_rows(const void *ctx, rows_t *rows)
{
    const gru_fwd *k = ctx;
    const sc_rnn_train_args *a = k->a;
    const int reset_after = k->reset_after;
    const long n = a->n, u = a->u, w = 3 * u, nu = n * u;
    const long r0 = rows->r0, m = rows->r1 - rows->r0;
    float *h = k->h + r0 * u;
    for (long s = 0; s < a->t; ++s) {
        const float *x = k->proj + s * n * w + r0 * w;
        float *z = k->pre + s * n * w + r0 * w;
        float *g = k->gates + s * n * w + r0 * w;
        float *hzs = k->hz + s * n * w + r0 * w;
        float *out = k->seq + s * nu + r0 * u;
        memcpy(k->h_prev + s * nu + r0 * u, h, (size_t)(m * u) * sizeof(float));
        if (reset_after) {
            sc_sgemm_packed_b(k->r_all, m, h, u, 0.0f, hzs, w);
            if (k->recurrent_bias)
                sc_bias_act_f32(hzs, m, w, w, k->recurrent_bias, SC_ACT_NONE);
        } else {
            memcpy(z, x, (size_t)(m * w) * sizeof(float));
            sc_sgemm_packed_b(k->r_zr, m, h, u, 1.0f, z, w);
        }
        for (long i = 0; i < m; ++i) {
            float *zi = z + i * w, *gi = g + i * w;
            if (reset_after)
                for (long j = 0; j < 2 * u; ++j)
                    zi[j] = x[i * w + j] + hzs[i * w + j];
            sc_act_rows_f32(zi, gi, 2 * u, a->recurrent_act);
            if (reset_after) {
                for (long j = 0; j < u; ++j)
                    zi[2 * u + j] = x[i * w + 2 * u + j] +
                                    gi[u + j] * hzs[i * w + 2 * u + j];
            } else {
                for (long j = 0; j < u; ++j)
                    hzs[i * w + j] = gi[u + j] * h[i * u + j];
            }
        }
        if (!reset_after) {
            for (long i = 0; i < m; ++i)
                memcpy(z + i * w + 2 * u, x + i * w + 2 * u,
                       (size_t)u * sizeof(float));
            sc_sgemm_packed_b(k->r_h, m, hzs, w, 1.0f, z + 2 * u, w);
        }
        for (long i = 0; i < m; ++i) {
            float *gi = g + i * w;
            sc_act_rows_f32(z + i * w + 2 * u, gi + 2 * u, u, a->act);
            for (long j = 0; j < u; ++j)
                out[i * u + j] = gi[j] * h[i * u + j] +
                                 (1.0f - gi[j]) * gi[2 * u + j];
        }
        keep_masked(step_mask(a, s, r0), m, u, h, out);
        memcpy(h, out, (size_t)(m * u) * sizeof(float));
    }
    return 0;
}

int sc_gru_train_forward_f32(const sc_rnn_train_args *a, int reset_after,
                             const float *proj, const float *rkernel,
                             const float *recurrent_bias, float *h, float *pre,
                             float *gates, float *hz, float *h_prev,
                             float *seq)
{
    const long u = a->u, w = 3 * u;
    if (a->n <= 0 || a->t <= 0)
        return 0;
    sc_packed_b *r_all = NULL, *r_zr = NULL, *r_h = NULL;
    int status = -1;
    if (reset_after)
        r_all = sc_packed_b_new(u, w, rkernel, w, 1);
    else {
        r_zr = sc_packed_b_new(u, 2 * u, rkernel, w, 1);
        r_h = sc_packed_b_new(u, u, rkernel + 2 * u, w, 1);
    }
    if (reset_after ? r_all != NULL : (r_zr != NULL && r_h != NULL)) {
        const gru_fwd k = {a, reset_after, r_all, r_zr, r_h, proj,
                           recurrent_bias, h, pre, gates, hz, h_prev, seq};
        status = over_rows(a->n, 2.0 * a->n * u * w * a->t,
                           &k, gru_forward_rows);
    }
    sc_packed_b_free(r_all);
    sc_packed_b_free(r_zr);
    sc_packed_b_free(r_h);
    return status;
}

typedef struct {
    const sc_rnn_train_args *a;
    int reset_after;
    /* dh += dhg[:, :kk] R[:, :kk]^T; without reset_after also R_h^T */
    const sc_packed_b *rt, *rt_h;
    const float *pre, *gates, *hz, *h_prev, *d_seq;
    float *dh, *dx_gates, *dh_gates;
} gru_bwd;

static int gru_backward_rows(const void *ctx, rows_t *rows)
{
    const gru_bwd *k = ctx;
    const sc_rnn_train_args *a = k->a;
    const int reset_after = k->reset_after;
    const long n = a->n, u = a->u, w = 3 * u, nu = n * u;
    const long r0 = rows->r0, m = rows->r1 - rows->r0, mu = m * u;
    float *work = sc_alloc(sc_size_add(sc_size_mul(3, mu),
                                       sc_size_mul3(2, m, w)),
                           sizeof(float));
    if (work == NULL)
        return -1;
    float *carry = work, *d_rh = work + mu, *dh_prev = work + 2 * mu;
    float *d_act = work + 3 * mu, *tmp = work + 3 * mu + m * w;
    float *dh = k->dh + r0 * u;
    /* Reset after and Keras's activations: the cell in one pass per row. */
    const int fused = reset_after && a->act == SC_ACT_TANH &&
                      a->recurrent_act == SC_ACT_SIGMOID;
    for (long s = a->t - 1; s >= 0; --s) {
        if (k->d_seq)
            for (long e = 0; e < mu; ++e)
                dh[e] += k->d_seq[s * nu + r0 * u + e];
        if (a->mask || s == a->t - 1)   /* unmasked: the carry stays 0 */
            split_masked(step_mask(a, s, r0), m, u, dh, carry);
        const float *g = k->gates + s * n * w + r0 * w;
        const float *z = k->pre + s * n * w + r0 * w;
        const float *hzs = k->hz + s * n * w + r0 * w;
        const float *hp = k->h_prev + s * nu + r0 * u;
        float *dxg = k->dx_gates + s * n * w + r0 * w;
        float *dhg = k->dh_gates + s * n * w + r0 * w;
        for (long i = 0; i < m && fused; ++i)
            sc_gru_cell_backward_f32(g + i * w, hp + i * u,
                                     hzs + i * w + 2 * u, dh + i * u,
                                     dxg + i * w, dhg + i * w,
                                     dh_prev + i * u, u);
        for (long i = 0; i < m && !fused; ++i) {  /* the candidate's gradient */
            const float *gi = g + i * w;
            for (long j = 0; j < u; ++j)
                tmp[i * w + j] = dh[i * u + j] * (1.0f - gi[j]);
            sc_act_grad_rows_f32(z + i * w + 2 * u, gi + 2 * u, tmp + i * w,
                                 dxg + i * w + 2 * u, u, a->act);
        }
        if (!reset_after)  /* d (r * h) = d_cand R_h^T */
            sc_sgemm_packed_b(k->rt_h, m, dxg + 2 * u, w, 0.0f, d_rh, u);
        for (long i = 0; i < m && !fused; ++i) {
            const float *gi = g + i * w;
            float *dai = d_act + i * w;
            for (long j = 0; j < u; ++j) {
                const float d_cand = dxg[i * w + 2 * u + j];
                dai[j] = dh[i * u + j] * (hp[i * u + j] - gi[2 * u + j]);
                dai[u + j] = reset_after ? d_cand * hzs[i * w + 2 * u + j]
                                         : d_rh[i * u + j] * hp[i * u + j];
                dh_prev[i * u + j] = dh[i * u + j] * gi[j] +
                                     (reset_after ? 0.0f
                                                  : d_rh[i * u + j] *
                                                        gi[u + j]);
            }
            sc_act_grad_rows_f32(z + i * w, gi, dai, dxg + i * w, 2 * u,
                                 a->recurrent_act);
            memcpy(dhg + i * w, dxg + i * w, (size_t)(2 * u) * sizeof(float));
            for (long j = 0; j < u; ++j)
                dhg[i * w + 2 * u + j] = reset_after
                    ? dxg[i * w + 2 * u + j] * gi[u + j]
                    : dxg[i * w + 2 * u + j];
        }
        /* dh = dh_prev + (reset_after ? dhg R^T : dhg[:, :2u] R_zr^T) */
        memcpy(dh, dh_prev, (size_t)mu * sizeof(float));
        sc_sgemm_packed_b(k->rt, m, dhg, w, 1.0f, dh, u);
        for (long e = 0; e < mu; ++e)
            dh[e] += carry[e];
    }
    free(work);
    return 0;
}

int sc_gru_train_backward_f32(const sc_rnn_train_args *a, int reset_after,
                              const float *rkernel, const float *pre,
                              const float *gates, const float *hz,
                              const float *h_prev, const float *d_seq,
                              float *dh, float *dx_gates, float *dh_gates)
{
    const long u = a->u, w = 3 * u;
    if (a->n <= 0 || a->t <= 0)
        return 0;
    const long kk = reset_after ? w : 2 * u;
    sc_packed_b *rt = sc_packed_b_new(kk, u, rkernel, 1, w);
    sc_packed_b *rt_h = reset_after
                            ? NULL
                            : sc_packed_b_new(u, u, rkernel + 2 * u, 1, w);
    int status = -1;
    if (rt != NULL && (reset_after || rt_h != NULL)) {
        const gru_bwd k = {a, reset_after, rt, rt_h, pre, gates, hz, h_prev,
                           d_seq, dh, dx_gates, dh_gates};
        status = over_rows(a->n, 2.0 * a->n * u * w * a->t, &k,
                           gru_backward_rows);
    }
    sc_packed_b_free(rt);
    sc_packed_b_free(rt_h);
    return status;
}

/* ---- SimpleRNN ------------------------------------------------------------ */

typedef struct {
    const sc_rnn_train_args *a;
    const sc_packed_b *r; /* R (u, u), or R^T backward */
    const float *proj, *pre, *gates, *d_seq;
    float *h, *pre_out, *gates_out, *h_prev, *seq, *dh, *d_pre;
} simple_call;

static int simple_forward_rows(const void *ctx, rows_t *rows)
{
    const simple_call *k = ctx;
    const sc_rnn_train_args *a = k->a;
    const long n = a->n, u = a->u, nu = n * u;
    const long r0 = rows->r0, m = rows->r1 - rows->r0, mu = m * u;
    float *h = k->h + r0 * u;
    for (long s = 0; s < a->t; ++s) {
        float *z = k->pre_out + s * nu + r0 * u;
        float *g = k->gates_out + s * nu + r0 * u;
        float *out = k->seq + s * nu + r0 * u;
        memcpy(k->h_prev + s * nu + r0 * u, h, (size_t)mu * sizeof(float));
        memcpy(z, k->proj + s * nu + r0 * u, (size_t)mu * sizeof(float));
        sc_sgemm_packed_b(k->r, m, h, u, 1.0f, z, u);
        sc_act_rows_f32(z, g, mu, a->act);
        memcpy(out, g, (size_t)mu * sizeof(float));
        keep_masked(step_mask(a, s, r0), m, u, h, out);
        memcpy(h, out, (size_t)mu * sizeof(float));
    }
    return 0;
}

int sc_simple_rnn_train_forward_f32(const sc_rnn_train_args *a,
                                    const float *proj, const float *rkernel,
                                    float *h, float *pre, float *gates,
                                    float *h_prev, float *seq)
{
    const long u = a->u;
    if (a->n <= 0 || a->t <= 0)
        return 0;
    sc_packed_b *r = sc_packed_b_new(u, u, rkernel, u, 1);
    if (r == NULL)
        return -1;
    const simple_call k = {a, r, proj, NULL, NULL, NULL, h, pre, gates,
                           h_prev, seq, NULL, NULL};
    const int status = over_rows(a->n, 2.0 * a->n * u * u * a->t, &k,
                                 simple_forward_rows);
    sc_packed_b_free(r);
    return status;
}

static int simple_backward_rows(const void *ctx, rows_t *rows)
{
    const simple_call *k = ctx;
    const sc_rnn_train_args *a = k->a;
    const long n = a->n, u = a->u, nu = n * u;
    const long r0 = rows->r0, m = rows->r1 - rows->r0, mu = m * u;
    float *carry = sc_alloc(sc_size(mu), sizeof(float));
    if (carry == NULL)
        return -1;
    float *dh = k->dh + r0 * u;
    for (long s = a->t - 1; s >= 0; --s) {
        if (k->d_seq)
            for (long e = 0; e < mu; ++e)
                dh[e] += k->d_seq[s * nu + r0 * u + e];
        split_masked(step_mask(a, s, r0), m, u, dh, carry);
        float *dz = k->d_pre + s * nu + r0 * u;
        sc_act_grad_rows_f32(k->pre + s * nu + r0 * u,
                             k->gates + s * nu + r0 * u, dh, dz, mu, a->act);
        sc_sgemm_packed_b(k->r, m, dz, u, 0.0f, dh, u);
        for (long e = 0; e < mu; ++e)
            dh[e] += carry[e];
    }
    free(carry);
    return 0;
}

int sc_simple_rnn_train_backward_f32(const sc_rnn_train_args *a,
                                     const float *rkernel, const float *pre,
                                     const float *gates, const float *d_seq,
                                     float *dh, float *d_pre)
{
    const long u = a->u;
    if (a->n <= 0 || a->t <= 0)
        return 0;
    sc_packed_b *rt = sc_packed_b_new(u, u, rkernel, 1, u);
    if (rt == NULL)
        return -1;
    const simple_call k = {a, rt, NULL, pre, gates, d_seq, NULL, NULL, NULL,
                           NULL, NULL, dh, d_pre};
    const int status = over_rows(a->n, 2.0 * a->n * u * u * a->t, &k,
                                 simple_backward_rows);
    sc_packed_b_free(rt);
    return status;
}
