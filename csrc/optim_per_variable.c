/*
 * optim_per_variable.c - optimizer rules whose update of a weight depends on
 * a norm over its whole variable (Lamb's trust ratio, Adafactor's RMS and
 * factored second moments).
 *
 * The weights are the same flat arena as in optim.c; `offsets` (n_vars + 1)
 * cut it into variables. Threads take whole variables and each variable's
 * sums run in one fixed order (in double), so any thread count gives the
 * same bits.
 */
#include <math.h>
#include <stddef.h>

#include "seqcore.h"

static int threads_for_vars(long n_vars, long n)
{
    return (n_vars < 2 || n < 65536L) ? 1 : sc_threads_for_work(1e9);
}

static void decay_segment(float *restrict p, long begin, long end,
                          long n_decay, float lr, float wd)
{
    if (wd == 0.0f)
        return;
    const long stop = end < n_decay ? end : n_decay;
    for (long i = begin; i < stop; ++i)
        p[i] = p[i] - p[i] * wd * lr;
}

void sc_lamb_update_f32(float *restrict p, const float *restrict g,
                        float *restrict m, float *restrict v,
                        const long *offsets, long n_vars, long n_decay,
                        float lr, float wd, float beta_1, float beta_2,
                        float epsilon, float correction_1, float correction_2)
{
    const long n = offsets[n_vars];
#pragma omp parallel for num_threads(threads_for_vars(n_vars, n)) \
    schedule(dynamic, 1)
    for (long k = 0; k < n_vars; ++k) {
        const long begin = offsets[k], end = offsets[k + 1];
        decay_segment(p, begin, end, n_decay, lr, wd);
        double w_sq = 0.0, u_sq = 0.0;
        for (long i = begin; i < end; ++i) {
            m[i] = m[i] + (g[i] - m[i]) * (1.0f - beta_1);
            v[i] = v[i] + (g[i] * g[i] - v[i]) * (1.0f - beta_2);
            const float u = (m[i] / correction_1) /
                            (sqrtf(v[i] / correction_2) + epsilon);
            w_sq += (double)p[i] * p[i];
            u_sq += (double)u * u;
        }
        const float w_norm = (float)sqrt(w_sq), u_norm = (float)sqrt(u_sq);
        const float ratio = (w_norm > 0.0f && u_norm > 0.0f)
                                ? w_norm / u_norm : 1.0f;
        for (long i = begin; i < end; ++i) {
            const float u = (m[i] / correction_1) /
                            (sqrtf(v[i] / correction_2) + epsilon);
            p[i] = p[i] - ratio * lr * u;
        }
    }
}

/* One variable of Adafactor seen as (batch, rows, cols); factored when it
 * has two or more dimensions (r: batch x rows, c: batch x cols), else v
 * holds the full second moment. */
static void adafactor_variable(float *restrict p, const float *restrict g,
                               float *restrict r, float *restrict c,
                               float *restrict v, long batch, long rows,
                               long cols, int factored, float rho,
                               float beta_2, float epsilon_1,
                               float epsilon_2, float clip_threshold)
{
    const long size = batch * rows * cols;
    double p_sq = 0.0;
    for (long i = 0; i < size; ++i)
        p_sq += (double)p[i] * p[i];
    const float p_rms = (float)sqrt(p_sq / (double)size);
    const float alpha = (p_rms > epsilon_2 ? p_rms : epsilon_2) * rho;
    if (factored) {
        for (long b = 0; b < batch; ++b) {
            const float *gb = g + b * rows * cols;
            float *rb = r + b * rows, *cb = c + b * cols;
            for (long j = 0; j < cols; ++j) {
                double sum = 0.0;
                for (long i = 0; i < rows; ++i) {
                    const float x = gb[i * cols + j];
                    sum += (double)(x * x + epsilon_1);
                }
                cb[j] = beta_2 * cb[j] + (1.0f - beta_2) * (float)(sum / rows);
            }
            double r_sum = 0.0;
            for (long i = 0; i < rows; ++i) {
                double sum = 0.0;
                for (long j = 0; j < cols; ++j) {
                    const float x = gb[i * cols + j];
                    sum += (double)(x * x + epsilon_1);
                }
                rb[i] = beta_2 * rb[i] + (1.0f - beta_2) * (float)(sum / cols);
                r_sum += rb[i];
            }
            const float r_mean = (float)(r_sum / rows);
            float *vb = v + b * rows * cols;
            for (long i = 0; i < rows; ++i)
                for (long j = 0; j < cols; ++j)
                    vb[i * cols + j] = (rb[i] / r_mean) * cb[j];
        }
    } else {
        for (long i = 0; i < size; ++i)
            v[i] = beta_2 * v[i] + (1.0f - beta_2) * (g[i] * g[i] + epsilon_1);
    }
    double u_sq = 0.0;
    for (long i = 0; i < size; ++i) {
        const float u = g[i] / sqrtf(v[i]);
        u_sq += (double)u * u;
    }
    const float u_rms = (float)sqrt(u_sq / (double)size);
    const float scale = u_rms / clip_threshold > 1.0f
                            ? u_rms / clip_threshold : 1.0f;
    for (long i = 0; i < size; ++i)
        p[i] = p[i] - alpha * ((g[i] / sqrtf(v[i])) / scale);
}

void sc_adafactor_update_f32(float *restrict p, const float *restrict g,
                             float *restrict r, float *restrict c,
                             float *restrict v, const long *offsets,
                             const long *factor_offsets, const long *dims,
                             long n_vars, long n_decay, float lr, float wd,
                             float rho, float beta_2, float epsilon_1,
                             float epsilon_2, float clip_threshold)
{
    const long n = offsets[n_vars];
#pragma omp parallel for num_threads(threads_for_vars(n_vars, n)) \
    schedule(dynamic, 1)
    for (long k = 0; k < n_vars; ++k) {
        const long begin = offsets[k], end = offsets[k + 1];
        const long batch = dims[3 * k], rows = dims[3 * k + 1];
        const long cols = dims[3 * k + 2];
        const int factored = rows > 0;
        decay_segment(p, begin, end, n_decay, lr, wd);
        adafactor_variable(p + begin, g + begin,
                           r + factor_offsets[2 * k],
                           c + factor_offsets[2 * k + 1], v + begin,
                           factored ? batch : 1, factored ? rows : 1,
                           factored ? cols : end - begin, factored, rho,
                           beta_2, epsilon_1, epsilon_2, clip_threshold);
    }
}
