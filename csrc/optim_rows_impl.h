/* optim_rows_impl.h - the loops of optim_rows.h, included once per ISA
 * file (optim_rows_<isa>.c) and compiled with that ISA's flags. */
#include <math.h>

#include "optim_rows.h"

static inline void decay_rows(float *restrict p, long n_decay, float lr,
                              float wd)
{
    if (wd != 0.0f)
        for (long i = 0; i < n_decay; ++i)
            p[i] = p[i] - p[i] * wd * lr;
}

static inline void sc_adam_rows_impl(float *restrict p,
                                     const float *restrict g,
                                     float *restrict m, float *restrict v,
                                     long n, long n_decay, float lr,
                                     float wd, float one_minus_b1,
                                     float one_minus_b2, float epsilon,
                                     float alpha)
{
    decay_rows(p, n_decay, lr, wd);
    for (long i = 0; i < n; ++i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_b1;
        v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_b2;
        p[i] = p[i] - (m[i] * alpha) / (sqrtf(v[i]) + epsilon);
    }
}

static inline void sc_rmsprop_rows_impl(float *restrict p,
                                        const float *restrict g,
                                        float *restrict velocity, long n,
                                        long n_decay, float lr, float wd,
                                        float rho, float epsilon)
{
    decay_rows(p, n_decay, lr, wd);
    for (long i = 0; i < n; ++i) {
        velocity[i] = rho * velocity[i] + (1.0f - rho) * (g[i] * g[i]);
        p[i] = p[i] - lr * g[i] / sqrtf(velocity[i] + epsilon);
    }
}
