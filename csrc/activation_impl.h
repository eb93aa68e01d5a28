/*
 * activation_impl.h - the elementwise activation loops, as one inline body
 * that activations_{generic,avx2,avx512}.c compile with their own ISA flags
 * (so each vectorizes at its own width). Only those files include it.
 */
#ifndef SC_ACTIVATION_IMPL_H
#define SC_ACTIVATION_IMPL_H

#include <math.h>

#include "activations.h"
#include "fastmath.h"

/* min(max(v, lo), hi), a NaN v giving lo as fminf(fmaxf(v, lo), hi) does;
 * written with comparisons so that the loops vectorize (without
 * -ffinite-math-only gcc calls libm for those, 25x slower). */
static inline float sc_clampf(float v, float lo, float hi)
{
    v = v > lo ? v : lo;
    return v < hi ? v : hi;
}

/* y = act(x) over n elements (y may be x); one loop per activation so each
 * vectorizes. */
static inline void sc_act_row_impl(const float *x, float *y, long n,
                                    sc_act act)
{
    switch (act) {
    case SC_ACT_NONE:
    case SC_ACT_COUNT:
        if (x != y)
            for (long j = 0; j < n; ++j)
                y[j] = x[j];
        break;
    case SC_ACT_RELU:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] > 0.0f ? x[j] : 0.0f;
        break;
    case SC_ACT_SIGMOID:
        for (long j = 0; j < n; ++j)
            y[j] = sc_sigmoidf(x[j]);
        break;
    case SC_ACT_TANH:
        for (long j = 0; j < n; ++j)
            y[j] = sc_tanhf(x[j]);
        break;
    case SC_ACT_ELU:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] > 0.0f ? x[j] : sc_expf(x[j]) - 1.0f;
        break;
    case SC_ACT_SELU:
        for (long j = 0; j < n; ++j)
            y[j] = SELU_SCALE * (x[j] > 0.0f ? x[j]
                                             : SELU_ALPHA * (sc_expf(x[j]) - 1.0f));
        break;
    case SC_ACT_SOFTPLUS:
        /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|), exact for large |x| */
        for (long j = 0; j < n; ++j)
            y[j] = (x[j] > 0.0f ? x[j] : 0.0f) +
                   sc_log1p_unitf(sc_expf(-fabsf(x[j])));
        break;
    case SC_ACT_SOFTSIGN:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] / (1.0f + fabsf(x[j]));
        break;
    case SC_ACT_GELU:
        for (long j = 0; j < n; ++j)
            y[j] = 0.5f * x[j] * erfcf(-x[j] * 0.70710678118654752f);
        break;
    case SC_ACT_GELU_TANH:
        for (long j = 0; j < n; ++j) {
            const float v = x[j];
            y[j] = 0.5f * v *
                   (1.0f + sc_tanhf(0.79788456080286536f *
                                    (v + 0.044715f * v * v * v)));
        }
        break;
    case SC_ACT_SWISH:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] * sc_sigmoidf(x[j]);
        break;
    case SC_ACT_LEAKY_RELU:
        for (long j = 0; j < n; ++j)
            y[j] = x[j] > 0.0f ? x[j] : LEAKY_SLOPE * x[j];
        break;
    case SC_ACT_HARD_SIGMOID:
        for (long j = 0; j < n; ++j)
            y[j] = sc_clampf(x[j] + 3.0f, 0.0f, 6.0f) / 6.0f;
        break;
    case SC_ACT_EXPONENTIAL:
        for (long j = 0; j < n; ++j)
            y[j] = expf(x[j]);
        break;
    case SC_ACT_RELU6:
        for (long j = 0; j < n; ++j)
            y[j] = sc_clampf(x[j], 0.0f, 6.0f);
        break;
    }
}


/* Softmax of one row (y may be x). */
static inline void sc_softmax_row_impl(const float *x, float *y, long n)
{
    float max = x[0];
    for (long j = 1; j < n; ++j)
        max = x[j] > max ? x[j] : max;
    float sum = 0.0f;
    for (long j = 0; j < n; ++j) {
        y[j] = sc_expf(x[j] - max);
        sum += y[j];
    }
    const float inv = 1.0f / sum;
    for (long j = 0; j < n; ++j)
        y[j] *= inv;
}

/* dx = dy * act'(x) for n elements, from the pre-activation x and the
 * output y = act(x) (whichever the derivative is cheaper from). dx may be
 * dy. */
static inline void sc_act_grad_row_impl(const float *x, const float *y,
                                        const float *dy, float *dx, long n,
                                        sc_act act)
{
    const float inv_sqrt2 = 0.70710678118654752f;
    const float inv_sqrt_2pi = 0.39894228040143268f;
    const float c = 0.79788456080286536f, k = 0.044715f;
    switch (act) {
    case SC_ACT_NONE:
    case SC_ACT_COUNT:
        for (long j = 0; j < n; ++j)
            dx[j] = dy[j];
        break;
    case SC_ACT_RELU:
        for (long j = 0; j < n; ++j)
            dx[j] = x[j] > 0.0f ? dy[j] : 0.0f;
        break;
    case SC_ACT_SIGMOID:
        for (long j = 0; j < n; ++j)
            dx[j] = dy[j] * y[j] * (1.0f - y[j]);
        break;
    case SC_ACT_TANH:
        for (long j = 0; j < n; ++j)
            dx[j] = dy[j] * (1.0f - y[j] * y[j]);
        break;
    case SC_ACT_ELU:
        for (long j = 0; j < n; ++j)
            dx[j] = x[j] > 0.0f ? dy[j] : dy[j] * (y[j] + 1.0f);
        break;
    case SC_ACT_SELU:
        for (long j = 0; j < n; ++j)
            dx[j] = x[j] > 0.0f ? dy[j] * SELU_SCALE
                                : dy[j] * (y[j] + SELU_SCALE * SELU_ALPHA);
        break;
    case SC_ACT_SOFTPLUS:
        for (long j = 0; j < n; ++j)
            dx[j] = dy[j] * sc_sigmoidf(x[j]);
        break;
    case SC_ACT_SOFTSIGN:
        for (long j = 0; j < n; ++j) {
            const float d = 1.0f + fabsf(x[j]);
            dx[j] = dy[j] / (d * d);
        }
        break;
    case SC_ACT_GELU:
        for (long j = 0; j < n; ++j)
            dx[j] = dy[j] * (0.5f * erfcf(-x[j] * inv_sqrt2) +
                             x[j] * inv_sqrt_2pi *
                                 sc_expf(-0.5f * x[j] * x[j]));
        break;
    case SC_ACT_GELU_TANH:
        for (long j = 0; j < n; ++j) {
            const float v = x[j];
            const float t = sc_tanhf(c * (v + k * v * v * v));
            dx[j] = dy[j] * (0.5f * (1.0f + t) +
                             0.5f * v * (1.0f - t * t) * c *
                                 (1.0f + 3.0f * k * v * v));
        }
        break;
    case SC_ACT_SWISH:
        for (long j = 0; j < n; ++j) {
            const float s = sc_sigmoidf(x[j]);
            dx[j] = dy[j] * s * (1.0f + x[j] * (1.0f - s));
        }
        break;
    case SC_ACT_LEAKY_RELU:
        for (long j = 0; j < n; ++j)
            dx[j] = x[j] > 0.0f ? dy[j] : LEAKY_SLOPE * dy[j];
        break;
    case SC_ACT_HARD_SIGMOID:
        for (long j = 0; j < n; ++j)
            dx[j] = x[j] > -3.0f && x[j] < 3.0f ? dy[j] / 6.0f : 0.0f;
        break;
    case SC_ACT_EXPONENTIAL:
        for (long j = 0; j < n; ++j)
            dx[j] = dy[j] * y[j];
        break;
    case SC_ACT_RELU6:
        for (long j = 0; j < n; ++j)
            dx[j] = x[j] > 0.0f && x[j] < 6.0f ? dy[j] : 0.0f;
        break;
    }
}

/* The LSTM cell for Keras's default activations, in one pass over the
 * block's units: z holds the pre-activations i, f, g, o (blocks of w) and is
 * left holding the activated gates; c is updated and h written. */
static inline void sc_lstm_cell_impl(float *z, float *restrict c,
                                     float *restrict h, long w)
{
    /* The four gate blocks never overlap each other, c or h. */
    float *restrict ig = z;
    float *restrict fg = z + w;
    float *restrict gg = z + 2 * w;
    float *restrict og = z + 3 * w;
    for (long j = 0; j < w; ++j) {
        const float i = sc_sigmoidf(ig[j]), f = sc_sigmoidf(fg[j]);
        const float g = sc_tanhf(gg[j]), o = sc_sigmoidf(og[j]);
        const float cj = f * c[j] + i * g;
        ig[j] = i;
        fg[j] = f;
        gg[j] = g;
        og[j] = o;
        c[j] = cj;
        h[j] = o * sc_tanhf(cj);
    }
}

/* The LSTM cell's backward for Keras's default activations, in one pass
 * over a row's u units (rnn_train.c). g: the activated gates i, f, g, o
 * (blocks of u); cp: the previous cell state; ac: tanh of the new one; dh:
 * the gradient of the new h. dc: the new cell state's gradient, left
 * holding the previous one's (dc f) plus carry (a masked step's carry-over,
 * zeros otherwise); dz: the gates' pre-activation gradients (4u). The
 * products and their order are those of the general path (separate
 * derivative rows), so only contraction into FMAs may change a bit. */
static inline void sc_lstm_cell_backward_impl(
    const float *restrict g, const float *restrict cp,
    const float *restrict ac, const float *restrict dh, float *restrict dc,
    const float *restrict carry, float *restrict dz, long u)
{
    for (long j = 0; j < u; ++j) {
        const float i = g[j], f = g[u + j], cand = g[2 * u + j];
        const float o = g[3 * u + j], a = ac[j];
        const float d_act_c = dh[j] * o * (1.0f - a * a);
        const float dcj = dc[j] + d_act_c;
        dz[j] = dcj * cand * i * (1.0f - i);
        dz[u + j] = dcj * cp[j] * f * (1.0f - f);
        dz[2 * u + j] = dcj * i * (1.0f - cand * cand);
        dz[3 * u + j] = dh[j] * a * o * (1.0f - o);
        dc[j] = dcj * f + carry[j];
    }
}

/* The GRU cell's backward (reset after the recurrent product, Keras's
 * activations) in one pass over a row's u units (rnn_train.c). g: the
 * activated gates z, r, candidate (blocks of u); hp: the previous h; hr:
 * the candidate's recurrent part h R_h + b_h; dh: the gradient of the new
 * h. Writes dxg and dhg (3u: the gates' pre-activation gradients through
 * the input and the recurrent products) and dh_prev (dh z, before the
 * recurrent product adds to it). The products and their order are those of
 * the general path, so only contraction into FMAs may change a bit. */
static inline void sc_gru_cell_backward_impl(
    const float *restrict g, const float *restrict hp,
    const float *restrict hr, const float *restrict dh,
    float *restrict dxg, float *restrict dhg, float *restrict dh_prev,
    long u)
{
    for (long j = 0; j < u; ++j) {
        const float z = g[j], r = g[u + j], cand = g[2 * u + j];
        const float d_cand = dh[j] * (1.0f - z) * (1.0f - cand * cand);
        const float d_z = dh[j] * (hp[j] - cand) * z * (1.0f - z);
        const float d_r = d_cand * hr[j] * r * (1.0f - r);
        dxg[j] = d_z;
        dxg[u + j] = d_r;
        dxg[2 * u + j] = d_cand;
        dhg[j] = d_z;
        dhg[u + j] = d_r;
        dhg[2 * u + j] = d_cand * r;
        dh_prev[j] = dh[j] * z + 0.0f;
    }
}

/* The ISA's entry points (declared by SC_DECLARE_ACTIVATION_ROWS), each
 * the inline body above compiled with the including file's flags. */
#define SC_DEFINE_ACTIVATION_ROWS(isa)                                       \
    void sc_act_row_##isa(const float *x, float *y, long n, sc_act act)      \
    {                                                                        \
        sc_act_row_impl(x, y, n, act);                                       \
    }                                                                        \
    void sc_softmax_row_##isa(const float *x, float *y, long n)              \
    {                                                                        \
        sc_softmax_row_impl(x, y, n);                                        \
    }                                                                        \
    void sc_lstm_cell_##isa(float *z, float *c, float *h, long w)            \
    {                                                                        \
        sc_lstm_cell_impl(z, c, h, w);                                       \
    }                                                                        \
    void sc_lstm_cell_backward_##isa(const float *g, const float *cp,        \
                                     const float *ac, const float *dh,       \
                                     float *dc, const float *carry,          \
                                     float *dz, long u)                      \
    {                                                                        \
        sc_lstm_cell_backward_impl(g, cp, ac, dh, dc, carry, dz, u);         \
    }                                                                        \
    void sc_gru_cell_backward_##isa(const float *g, const float *hp,         \
                                    const float *hr, const float *dh,        \
                                    float *dxg, float *dhg, float *dh_prev,  \
                                    long u)                                  \
    {                                                                        \
        sc_gru_cell_backward_impl(g, hp, hr, dh, dxg, dhg, dh_prev, u);      \
    }                                                                        \
    void sc_act_grad_row_##isa(const float *x, const float *y,               \
                               const float *dy, float *dx, long n,           \
                               sc_act act)                                   \
    {                                                                        \
        sc_act_grad_row_impl(x, y, dy, dx, n, act);                          \
    }

#endif /* SC_ACTIVATION_IMPL_H */
