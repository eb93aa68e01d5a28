/* optim_rows_impl.h - the loops of optim_rows.h, included once per ISA
 * file (optim_rows_<isa>.c) and compiled with that ISA's flags. */
#include <math.h>

#include "optim_rows.h"

static inline void sc_adam_rows_impl(float *restrict p,
                                     const float *restrict g,
                                     float *restrict m, float *restrict v,
                                     long n, long n_decay, float lr,
                                     float wd, float one_minus_b1,
                                     float one_minus_b2, float epsilon,
                                     float alpha)
{
    if (wd != 0.0f)
        for (long i = 0; i < n_decay; ++i)
            p[i] = p[i] - p[i] * wd * lr;
    for (long i = 0; i < n; ++i) {
        m[i] = m[i] + (g[i] - m[i]) * one_minus_b1;
        v[i] = v[i] + (g[i] * g[i] - v[i]) * one_minus_b2;
        p[i] = p[i] - (m[i] * alpha) / (sqrtf(v[i]) + epsilon);
    }
}
