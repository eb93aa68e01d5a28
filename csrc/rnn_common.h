/* rnn_common.h - pieces shared by the recurrent kernels. */
#ifndef SC_RNN_COMMON_H
#define SC_RNN_COMMON_H

#include <string.h>

#include "seqcore.h"

/* Samples per step below which the gate update stays on one thread. */
#define SC_RNN_PARALLEL_MIN_ELEMENTS 16384L

/* The time index processed at step s. */
static inline long sc_rnn_time(const sc_rnn_args *a, long s)
{
    return a->go_backwards ? a->t - 1 - s : s;
}

/* Whether sample i takes step tt (no mask: always). */
static inline int sc_rnn_active(const sc_rnn_args *a, long i, long tt)
{
    return a->mask == NULL || a->mask[i * a->t + tt] != 0;
}

/* The input projection of every step at once: gates[n*t, width] = x W + b. */
static inline int sc_rnn_project_inputs(const sc_rnn_args *a, const float *x,
                                        const float *kernel, long width,
                                        const float *bias, float *gates)
{
    return sc_sgemm(a->n * a->t, width, a->d, 1.0f, x, a->d, 1, kernel, width,
                    1, 0.0f, gates, width, bias, SC_ACT_NONE);
}

/* Copy sample i's state h (u floats) into seq at step s. */
static inline void sc_rnn_store_output(const sc_rnn_args *a, float *seq,
                                       long i, long s, const float *h)
{
    if (seq)
        memcpy(seq + (i * a->t + s) * a->u, h, (size_t)a->u * sizeof(float));
}

static inline int sc_rnn_threads(const sc_rnn_args *a, long width)
{
    return a->n * width < SC_RNN_PARALLEL_MIN_ELEMENTS ? 1
                                                       : sc_get_num_threads();
}

#endif /* SC_RNN_COMMON_H */
