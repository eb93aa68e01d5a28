/*
 * reduce.c - the weighted sum that data-parallel training makes of its
 * ranks' gradients when the ranks share one machine
 * (seqcore/distribution/node_reduce.py).
 *
 * out[i] = w[0] * x[0][i] + w[1] * x[1][i] + ..., added in input (rank)
 * order, element by element: any thread count gives the same bits, and a
 * chunk comes out the same whichever rank computes it. Memory-bound; the
 * portable C vectorizes at the build's base ISA (no FMA contraction, so
 * the bits do not depend on the CPU either).
 */
#include "seqcore.h"

/* Below this many elements one thread does the work. */
#define PARALLEL_MIN_ELEMENTS 65536L
/* Elements per pass over the inputs: out's block stays in L1 while every
 * input's block is added to it. */
#define BLOCK 2048L

void sc_weighted_sum_f32(const float *const *inputs, const float *weights,
                         int n_inputs, float *restrict out, long n)
{
    int threads = n < PARALLEL_MIN_ELEMENTS ? 1 : sc_threads_for_work(1e9);
    long blocks = (n + BLOCK - 1) / BLOCK;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long b = 0; b < blocks; ++b) {
        long lo = b * BLOCK, hi = lo + BLOCK < n ? lo + BLOCK : n;
        const float *x = inputs[0];
        float w = weights[0];
        for (long i = lo; i < hi; ++i)
            out[i] = w * x[i];
        for (int q = 1; q < n_inputs; ++q) {
            x = inputs[q];
            w = weights[q];
            for (long i = lo; i < hi; ++i)
                out[i] = out[i] + w * x[i];
        }
    }
}
