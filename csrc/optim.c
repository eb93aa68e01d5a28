/*
 * optim.c - one call updates every trainable weight for each optimizer.
 *
 * The weights, their gradients and the optimizer's slots are flat float32
 * arrays of n elements; the first n_decay elements take weight decay
 * (w -= w * wd * lr, applied before the update as Keras 3 does). Each
 * element is updated on its own, in Keras 3's float32 operation order, so
 * threads split the range freely and any thread count gives the same bits.
 * Step-dependent factors (bias corrections) come precomputed from Python.
 */
#include <math.h>
#include <stddef.h>

#include "kernel_table.h"
#include "seqcore.h"

#define PARALLEL_MIN_ELEMENTS 65536L

/* Elements per call of a per-ISA row loop (64 KiB of each array). */
#define ROW_BLOCK 16384L

static int threads_for(long n)
{
    return n < PARALLEL_MIN_ELEMENTS ? 1 : sc_threads_for_work(1e9);
}

/* How many of the block [lo, lo + len) lie in the decayed prefix. */
static long decayed_in_block(long n_decay, long lo, long len)
{
    const long d = n_decay - lo;
    return d < 0 ? 0 : (d < len ? d : len);
}

static void decay_weights(float *restrict p, long n_decay, float lr, float wd)
{
    if (wd == 0.0f || n_decay <= 0)
        return;
#pragma omp parallel for num_threads(threads_for(n_decay)) schedule(static)
    for (long i = 0; i < n_decay; ++i)
        p[i] = p[i] - p[i] * wd * lr;
}

void sc_sgd_update_f32(float *restrict p, const float *restrict g,
                       float *restrict m, long n, long n_decay, float lr,
                       float wd, float momentum, int nesterov)
{
    decay_weights(p, n_decay, lr, wd);
    if (m == NULL) {
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
        for (long i = 0; i < n; ++i)
            p[i] = p[i] - g[i] * lr;
        return;
    }
    if (nesterov) {
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
        for (long i = 0; i < n; ++i) {
            const float step = g[i] * lr;
            m[i] = m[i] * momentum - step;
            p[i] = p[i] + (m[i] * momentum - step);
        }
        return;
    }
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        m[i] = m[i] * momentum - g[i] * lr;
        p[i] = p[i] + m[i];
    }
}

void sc_rmsprop_update_f32(float *restrict p, const float *restrict g,
                           float *restrict velocity, float *restrict mom,
                           float *restrict average, long n, long n_decay,
                           float lr, float wd, float rho, float momentum,
                           float epsilon)
{
    if (average == NULL && mom == NULL) {
        /* Keras's default form: the selected ISA's loop (optim_rows.h),
         * the decay in the same pass. */
        const sc_rmsprop_rows_fn rows =
            sc_kernel_table_current()->rmsprop_rows;
        const long blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
        for (long b = 0; b < blocks; ++b) {
            const long lo = b * ROW_BLOCK;
            const long len = n - lo < ROW_BLOCK ? n - lo : ROW_BLOCK;
            rows(p + lo, g + lo, velocity + lo, len,
                 decayed_in_block(n_decay, lo, len), lr, wd, rho, epsilon);
        }
        return;
    }
    decay_weights(p, n_decay, lr, wd);
    /* Branch-free loops for each variant, so that each vectorizes. */
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        velocity[i] = rho * velocity[i] + (1.0f - rho) * (g[i] * g[i]);
        float denominator = velocity[i] + epsilon;
        if (average != NULL) {
            average[i] = rho * average[i] + (1.0f - rho) * g[i];
            denominator = velocity[i] - average[i] * average[i] + epsilon;
        }
        const float increment = lr * g[i] / sqrtf(denominator);
        if (mom != NULL) {
            mom[i] = momentum * mom[i] + increment;
            p[i] = p[i] - mom[i];
        } else {
            p[i] = p[i] - increment;
        }
    }
}

void sc_adagrad_update_f32(float *restrict p, const float *restrict g,
                           float *restrict accumulator, long n, long n_decay,
                           float lr, float wd, float epsilon)
{
    decay_weights(p, n_decay, lr, wd);
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        accumulator[i] = accumulator[i] + g[i] * g[i];
        p[i] = p[i] - lr * g[i] / sqrtf(accumulator[i] + epsilon);
    }
}

void sc_adadelta_update_f32(float *restrict p, const float *restrict g,
                            float *restrict acc_grad, float *restrict acc_delta,
                            long n, long n_decay, float lr, float wd, float rho,
                            float epsilon)
{
    decay_weights(p, n_decay, lr, wd);
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        acc_grad[i] = rho * acc_grad[i] + (1.0f - rho) * (g[i] * g[i]);
        const float delta = -(sqrtf(acc_delta[i] + epsilon) * g[i]) /
                            sqrtf(acc_grad[i] + epsilon);
        acc_delta[i] = rho * acc_delta[i] + (1.0f - rho) * (delta * delta);
        p[i] = p[i] + lr * delta;
    }
}

void sc_adam_update_f32(float *restrict p, const float *restrict g,
                        float *restrict m, float *restrict v,
                        float *restrict v_hat, long n, long n_decay, float lr,
                        float wd, float beta_1, float beta_2, float epsilon,
                        float alpha)
{
    const float one_minus_b1 = 1.0f - beta_1, one_minus_b2 = 1.0f - beta_2;
    if (v_hat == NULL) {
        /* The selected ISA's loop (optim_rows.h) with the decay in the
         * same pass, over blocks that the threads share out: each
         * element's bits are the same either way. */
        const sc_adam_rows_fn rows = sc_kernel_table_current()->adam_rows;
        const long blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
        for (long b = 0; b < blocks; ++b) {
            const long lo = b * ROW_BLOCK;
            const long len = n - lo < ROW_BLOCK ? n - lo : ROW_BLOCK;
            rows(p + lo, g + lo, m + lo, v + lo, len,
                 decayed_in_block(n_decay, lo, len), lr, wd, one_minus_b1,
                 one_minus_b2, epsilon, alpha);
        }
        return;
    }
    decay_weights(p, n_decay, lr, wd);
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_b1;
        v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_b2;
        v_hat[i] = v_hat[i] > v[i] ? v_hat[i] : v[i];
        p[i] = p[i] - (m[i] * alpha) / (sqrtf(v_hat[i]) + epsilon);
    }
}

void sc_adamax_update_f32(float *restrict p, const float *restrict g,
                          float *restrict m, float *restrict u, long n,
                          long n_decay, float lr, float wd, float beta_1,
                          float beta_2, float epsilon, float correction)
{
    decay_weights(p, n_decay, lr, wd);
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        m[i] = m[i] + (g[i] - m[i]) * (1.0f - beta_1);
        const float decayed = beta_2 * u[i], magnitude = fabsf(g[i]);
        u[i] = decayed > magnitude ? decayed : magnitude;
        p[i] = p[i] - (lr * m[i]) / (correction * (u[i] + epsilon));
    }
}

void sc_nadam_update_f32(float *restrict p, const float *restrict g,
                         float *restrict m, float *restrict v, long n,
                         long n_decay, float lr, float wd, float beta_1,
                         float beta_2, float epsilon, float u_next,
                         float product_next, float u_now, float product_now,
                         float beta_2_power)
{
    decay_weights(p, n_decay, lr, wd);
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        m[i] = m[i] + (g[i] - m[i]) * (1.0f - beta_1);
        v[i] = v[i] + (g[i] * g[i] - v[i]) * (1.0f - beta_2);
        const float m_hat = u_next * m[i] / (1.0f - product_next) +
                            (1.0f - u_now) * g[i] / (1.0f - product_now);
        const float v_hat = v[i] / (1.0f - beta_2_power);
        p[i] = p[i] - (m_hat * lr) / (sqrtf(v_hat) + epsilon);
    }
}

void sc_lion_update_f32(float *restrict p, const float *restrict g,
                        float *restrict m, long n, long n_decay, float lr,
                        float wd, float beta_1, float beta_2)
{
    decay_weights(p, n_decay, lr, wd);
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        const float c = m[i] * beta_1 + g[i] * (1.0f - beta_1);
        const float sign = (float)(c > 0.0f) - (float)(c < 0.0f);
        p[i] = p[i] - lr * sign;
        m[i] = m[i] * beta_2 + g[i] * (1.0f - beta_2);
    }
}

void sc_ftrl_update_f32(float *restrict p, const float *restrict g,
                        float *restrict accumulator, float *restrict linear,
                        long n, long n_decay, float lr, float wd,
                        float lr_power, float l1, float l2, float l2_shrinkage)
{
    decay_weights(p, n_decay, lr, wd);
    const float power = -lr_power;
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i) {
        const float grad = g[i] + 2.0f * l2_shrinkage * p[i];
        const float new_acc = accumulator[i] + g[i] * g[i];
        const float new_root = powf(new_acc, power);
        linear[i] = linear[i] +
                    (grad - (new_root - powf(accumulator[i], power)) / lr * p[i]);
        const float quadratic = new_root / lr + 2.0f * l2;
        const float clipped = linear[i] < -l1 ? -l1
                              : (linear[i] > l1 ? l1 : linear[i]);
        p[i] = (clipped - linear[i]) / quadratic;
        accumulator[i] = new_acc;
    }
}

void sc_ema_update_f32(float *restrict average, const float *restrict p,
                       long n, float momentum)
{
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i)
        average[i] = momentum * average[i] + (1.0f - momentum) * p[i];
}

void sc_accumulate_gradients_f32(float *restrict accumulator,
                                 float *restrict g, long n, float steps,
                                 int apply)
{
    if (apply) {
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
        for (long i = 0; i < n; ++i) {
            g[i] = (g[i] + accumulator[i]) / steps;
            accumulator[i] = 0.0f;
        }
        return;
    }
#pragma omp parallel for num_threads(threads_for(n)) schedule(static)
    for (long i = 0; i < n; ++i)
        accumulator[i] = accumulator[i] + g[i];
}
