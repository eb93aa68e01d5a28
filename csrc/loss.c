/* loss.c - softmax cross-entropy with its gradient in one pass per row (the
 * classifier head of most training steps), from logits or from the softmax
 * layer's probabilities. */
#include <math.h>

#include "fastmath.h"
#include "seqcore.h"

#define PARALLEL_MIN_ELEMENTS 65536L
#define SC_PROB_EPSILON 1e-7f   /* keras.backend.epsilon() */

static void xent_row(const float *z, const float *t, long label, long c,
                     float scale, float *loss, float *dz)
{
    float max = z[0];
    for (long j = 1; j < c; ++j)
        max = z[j] > max ? z[j] : max;
    float sum = 0.0f;
    for (long j = 0; j < c; ++j)
        sum += sc_expf(z[j] - max);
    const float log_sum = logf(sum);
    /* log softmax_j = z_j - max - log_sum */
    float t_total = 1.0f, value = 0.0f;
    if (t) {
        t_total = 0.0f;
        for (long j = 0; j < c; ++j) {
            t_total += t[j];
            value -= t[j] * (z[j] - max - log_sum);
        }
    } else {
        value = -(z[label] - max - log_sum);
    }
    if (loss)
        *loss = value;
    if (!dz)
        return;
    const float inv = 1.0f / sum;
    for (long j = 0; j < c; ++j)
        dz[j] = scale * (sc_expf(z[j] - max) * inv * t_total -
                         (t ? t[j] : (j == label ? 1.0f : 0.0f)));
}

/* One row's loss and gradient: from logits or from probabilities. */
typedef void (*xent_row_fn)(const float *in, const float *t, long label,
                            long c, float scale, float *loss, float *dz);

static void xent_rows(xent_row_fn row, const float *in, const float *t,
                      const long *labels, long n, long c, const float *scale,
                      float *loss, float *dz)
{
    if (c <= 0)
        return;
    const int nt = n * c < PARALLEL_MIN_ELEMENTS ? 1 : sc_threads_for_work(1e9);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long i = 0; i < n; ++i)
        row(in + i * c, t ? t + i * c : NULL, t ? 0 : labels[i], c,
            scale ? scale[i] : 1.0f, loss ? loss + i : NULL,
            dz ? dz + i * c : NULL);
}

void sc_softmax_xent_f32(const float *z, const float *t, const long *labels,
                         long n, long c, const float *scale, float *loss,
                         float *dz)
{
    xent_rows(xent_row, z, t, labels, n, c, scale, loss, dz);
}

static void probs_xent_row(const float *p, const float *t, long label, long c,
                           float scale, float *loss, float *dz)
{
    float total = 0.0f;
    for (long j = 0; j < c; ++j)
        total += p[j];
    /* Keras: q = clip(p / sum p, eps, 1 - eps), loss = -sum_j t_j log q_j */
    const float lo = SC_PROB_EPSILON, hi = 1.0f - SC_PROB_EPSILON;
    float t_total = 1.0f, value = 0.0f;
    if (t) {
        t_total = 0.0f;
        for (long j = 0; j < c; ++j) {
            float q = p[j] / total;
            q = q < lo ? lo : (q > hi ? hi : q);
            t_total += t[j];
            value -= t[j] * logf(q);
        }
    } else {
        float q = p[label] / total;
        q = q < lo ? lo : (q > hi ? hi : q);
        value = -logf(q);
    }
    if (loss)
        *loss = value;
    if (!dz)
        return;
    for (long j = 0; j < c; ++j)
        dz[j] = scale * (p[j] * t_total -
                         (t ? t[j] : (j == label ? 1.0f : 0.0f)));
}

void sc_probs_xent_f32(const float *p, const float *t, const long *labels,
                       long n, long c, const float *scale, float *loss,
                       float *dz)
{
    xent_rows(probs_xent_row, p, t, labels, n, c, scale, loss, dz);
}
