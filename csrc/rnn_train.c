/*
 * rnn_train.c - the training-mode recurrence and its backpropagation through
 * time, for LSTM, GRU and SimpleRNN, each direction in one call.
 *
 * Unlike the inference kernels (column-permuted blocks per thread), these
 * keep every step's values in Keras's natural column order, time-major, for
 * the backward pass and for the weight gradients that the caller forms as
 * three GEMMs over all steps. Each step is a threaded GEMM (h R, or dz R^T)
 * and an elementwise update on the calling thread; the GEMM gives the same
 * bits at any thread count, so the whole pass does too.
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
#include "scratch.h"
#include "seqcore.h"

/* C (m, n) = A (m, k) B (k, n) + beta C, all row-major with the given row
 * strides; B transposed when trans_b. */
static int matmul(long m, long n, long k, const float *a, long lda,
                  const float *b, long ldb, int trans_b, float beta, float *c,
                  long ldc, const float *bias)
{
    return sc_sgemm(m, n, k, 1.0f, a, lda, 1, b, trans_b ? 1 : ldb,
                    trans_b ? ldb : 1, beta, c, ldc, bias, SC_ACT_NONE);
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

static const unsigned char *step_mask(const sc_rnn_train_args *a, long s)
{
    return a->mask ? a->mask + s * a->n : NULL;
}

/* ---- LSTM, gates i, f, c, o ------------------------------------------------ */

int sc_lstm_train_forward_f32(const sc_rnn_train_args *a, const float *proj,
                              const float *rkernel, float *h, float *c,
                              float *pre, float *gates, float *h_prev,
                              float *c_prev, float *c_new, float *act_c,
                              float *seq)
{
    const long n = a->n, u = a->u, w = 4 * u, nu = n * u;
    for (long s = 0; s < a->t; ++s) {
        float *z = pre + s * n * w, *g = gates + s * n * w;
        memcpy(h_prev + s * nu, h, (size_t)nu * sizeof(float));
        memcpy(c_prev + s * nu, c, (size_t)nu * sizeof(float));
        memcpy(z, proj + s * n * w, (size_t)(n * w) * sizeof(float));
        if (matmul(n, w, u, h, u, rkernel, w, 0, 1.0f, z, w, NULL) != 0)
            return -1;
        float *cn = c_new + s * nu, *ac = act_c + s * nu, *out = seq + s * nu;
        for (long i = 0; i < n; ++i) {
            const float *zi = z + i * w;
            float *gi = g + i * w;
            sc_act_rows_f32(zi, gi, w, a->recurrent_act);
            sc_act_rows_f32(zi + 2 * u, gi + 2 * u, u, a->act);
            const float *ci = c + i * u;
            float *cni = cn + i * u;
            for (long j = 0; j < u; ++j)
                cni[j] = gi[u + j] * ci[j] + gi[j] * gi[2 * u + j];
            sc_act_rows_f32(cni, ac + i * u, u, a->act);
            for (long j = 0; j < u; ++j)
                out[i * u + j] = gi[3 * u + j] * ac[i * u + j];
        }
        const unsigned char *m = step_mask(a, s);
        keep_masked(m, n, u, h, out);
        memcpy(h, out, (size_t)nu * sizeof(float));
        for (long i = 0; i < n; ++i)  /* a masked row keeps its c */
            if (m == NULL || m[i])
                memcpy(c + i * u, cn + i * u, (size_t)u * sizeof(float));
    }
    return 0;
}

int sc_lstm_train_backward_f32(const sc_rnn_train_args *a,
                               const float *rkernel, const float *pre,
                               const float *gates, const float *c_prev,
                               const float *c_new, const float *act_c,
                               const float *d_seq, float *dh, float *dc,
                               float *d_pre)
{
    const long n = a->n, u = a->u, w = 4 * u, nu = n * u;
    float *work = sc_alloc(sc_size_add(sc_size_mul(4, nu), sc_size_mul(n, w)),
                           sizeof(float));
    if (work == NULL)
        return -1;
    float *carry_h = work, *carry_c = work + nu, *tmp = work + 2 * nu;
    float *d_act_c = work + 3 * nu, *d_gate = work + 4 * nu;
    for (long s = a->t - 1; s >= 0; --s) {
        if (d_seq)
            for (long e = 0; e < nu; ++e)
                dh[e] += d_seq[s * nu + e];
        split_masked(step_mask(a, s), n, u, dh, carry_h);
        split_masked(step_mask(a, s), n, u, dc, carry_c);
        const float *g = gates + s * n * w, *z = pre + s * n * w;
        const float *cp = c_prev + s * nu, *cn = c_new + s * nu;
        const float *ac = act_c + s * nu;
        float *dz = d_pre + s * n * w;
        for (long i = 0; i < n; ++i) {
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
            sc_act_grad_rows_f32(z + i * w, gi, di, dz + i * w, w,
                                 a->recurrent_act);
            sc_act_grad_rows_f32(z + i * w + 2 * u, gi + 2 * u, di + 2 * u,
                                 dz + i * w + 2 * u, u, a->act);
        }
        if (matmul(n, u, w, dz, w, rkernel, w, 1, 0.0f, dh, u, NULL) != 0) {
            free(work);
            return -1;
        }
        for (long e = 0; e < nu; ++e)
            dh[e] += carry_h[e];
    }
    free(work);
    return 0;
}

/* ---- GRU, gates z, r, h ----------------------------------------------------
 * reset_after: hz = h R + recurrent bias; candidate = act(x_h + r * hz_h).
 * reset before: candidate = act(x_h + (r * h) R_h); hz's first u columns
 * keep r * h, which the caller's gradient of R_h multiplies. */

int sc_gru_train_forward_f32(const sc_rnn_train_args *a, int reset_after,
                             const float *proj, const float *rkernel,
                             const float *recurrent_bias, float *h, float *pre,
                             float *gates, float *hz, float *h_prev,
                             float *seq)
{
    const long n = a->n, u = a->u, w = 3 * u, nu = n * u;
    for (long s = 0; s < a->t; ++s) {
        const float *x = proj + s * n * w;
        float *z = pre + s * n * w, *g = gates + s * n * w;
        float *hzs = hz + s * n * w, *out = seq + s * nu;
        memcpy(h_prev + s * nu, h, (size_t)nu * sizeof(float));
        if (reset_after) {
            if (matmul(n, w, u, h, u, rkernel, w, 0, 0.0f, hzs, w,
                       recurrent_bias) != 0)
                return -1;
        } else {
            memcpy(z, x, (size_t)(n * w) * sizeof(float));
            if (matmul(n, 2 * u, u, h, u, rkernel, w, 0, 1.0f, z, w, NULL))
                return -1;
        }
        for (long i = 0; i < n; ++i) {
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
            for (long i = 0; i < n; ++i)
                memcpy(z + i * w + 2 * u, x + i * w + 2 * u,
                       (size_t)u * sizeof(float));
            if (matmul(n, u, u, hzs, w, rkernel + 2 * u, w, 0, 1.0f,
                       z + 2 * u, w, NULL) != 0)
                return -1;
        }
        for (long i = 0; i < n; ++i) {
            float *gi = g + i * w;
            sc_act_rows_f32(z + i * w + 2 * u, gi + 2 * u, u, a->act);
            for (long j = 0; j < u; ++j)
                out[i * u + j] = gi[j] * h[i * u + j] +
                                 (1.0f - gi[j]) * gi[2 * u + j];
        }
        keep_masked(step_mask(a, s), n, u, h, out);
        memcpy(h, out, (size_t)nu * sizeof(float));
    }
    return 0;
}

int sc_gru_train_backward_f32(const sc_rnn_train_args *a, int reset_after,
                              const float *rkernel, const float *pre,
                              const float *gates, const float *hz,
                              const float *h_prev, const float *d_seq,
                              float *dh, float *dx_gates, float *dh_gates)
{
    const long n = a->n, u = a->u, w = 3 * u, nu = n * u;
    float *work = sc_alloc(sc_size_add(sc_size_mul(3, nu),
                                       sc_size_mul3(2, n, w)),
                           sizeof(float));
    if (work == NULL)
        return -1;
    float *carry = work, *d_rh = work + nu, *dh_prev = work + 2 * nu;
    float *d_act = work + 3 * nu, *tmp = work + 3 * nu + n * w;
    for (long s = a->t - 1; s >= 0; --s) {
        if (d_seq)
            for (long e = 0; e < nu; ++e)
                dh[e] += d_seq[s * nu + e];
        split_masked(step_mask(a, s), n, u, dh, carry);
        const float *g = gates + s * n * w, *z = pre + s * n * w;
        const float *hzs = hz + s * n * w, *hp = h_prev + s * nu;
        float *dxg = dx_gates + s * n * w, *dhg = dh_gates + s * n * w;
        for (long i = 0; i < n; ++i) {  /* the candidate's gradient */
            const float *gi = g + i * w;
            for (long j = 0; j < u; ++j)
                tmp[i * w + j] = dh[i * u + j] * (1.0f - gi[j]);
            sc_act_grad_rows_f32(z + i * w + 2 * u, gi + 2 * u, tmp + i * w,
                                 dxg + i * w + 2 * u, u, a->act);
        }
        if (!reset_after &&  /* d (r * h) = d_cand R_h^T */
            matmul(n, u, u, dxg + 2 * u, w, rkernel + 2 * u, w, 1, 0.0f, d_rh,
                   u, NULL) != 0) {
            free(work);
            return -1;
        }
        for (long i = 0; i < n; ++i) {
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
        memcpy(dh, dh_prev, (size_t)nu * sizeof(float));
        const long k = reset_after ? w : 2 * u;
        if (matmul(n, u, k, dhg, w, rkernel, w, 1, 1.0f, dh, u, NULL) != 0) {
            free(work);
            return -1;
        }
        for (long e = 0; e < nu; ++e)
            dh[e] += carry[e];
    }
    free(work);
    return 0;
}

/* ---- SimpleRNN ------------------------------------------------------------ */

int sc_simple_rnn_train_forward_f32(const sc_rnn_train_args *a,
                                    const float *proj, const float *rkernel,
                                    float *h, float *pre, float *gates,
                                    float *h_prev, float *seq)
{
    const long n = a->n, u = a->u, nu = n * u;
    for (long s = 0; s < a->t; ++s) {
        float *z = pre + s * nu, *g = gates + s * nu, *out = seq + s * nu;
        memcpy(h_prev + s * nu, h, (size_t)nu * sizeof(float));
        memcpy(z, proj + s * nu, (size_t)nu * sizeof(float));
        if (matmul(n, u, u, h, u, rkernel, u, 0, 1.0f, z, u, NULL) != 0)
            return -1;
        sc_act_rows_f32(z, g, nu, a->act);
        memcpy(out, g, (size_t)nu * sizeof(float));
        keep_masked(step_mask(a, s), n, u, h, out);
        memcpy(h, out, (size_t)nu * sizeof(float));
    }
    return 0;
}

int sc_simple_rnn_train_backward_f32(const sc_rnn_train_args *a,
                                     const float *rkernel, const float *pre,
                                     const float *gates, const float *d_seq,
                                     float *dh, float *d_pre)
{
    const long n = a->n, u = a->u, nu = n * u;
    float *carry = sc_alloc(sc_size(nu), sizeof(float));
    if (carry == NULL)
        return -1;
    for (long s = a->t - 1; s >= 0; --s) {
        if (d_seq)
            for (long e = 0; e < nu; ++e)
                dh[e] += d_seq[s * nu + e];
        split_masked(step_mask(a, s), n, u, dh, carry);
        float *dz = d_pre + s * nu;
        sc_act_grad_rows_f32(pre + s * nu, gates + s * nu, dh, dz, nu, a->act);
        if (matmul(n, u, u, dz, u, rkernel, u, 1, 0.0f, dh, u, NULL) != 0) {
            free(carry);
            return -1;
        }
        for (long e = 0; e < nu; ++e)
            dh[e] += carry[e];
    }
    free(carry);
    return 0;
}
