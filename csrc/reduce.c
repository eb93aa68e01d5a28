/*
 * reduce.c - the weighted sum that data-parallel training makes of its
 * ranks' gradients when the ranks share one machine
 * (seqcore/distribution/node_reduce.py).
 *
 * sum[i] = w[0] * x[0][i] + w[1] * x[1][i] + ..., added in input (rank)
 * order, element by element, then stored to every output: any thread count
 * gives the same bits, and so does whichever rank computes a chunk.
 * Memory-bound; the portable C vectorizes at the build's base ISA (no FMA
 * contraction, so the bits do not depend on the CPU either).
 */
#include "seqcore.h"

/* Below this many elements one thread does the work. */
#define PARALLEL_MIN_ELEMENTS 65536L
/* Elements per block: the block's sum stays in L1 while every input is
 * added to it and it is stored to every output. */
#define BLOCK 1024L

void sc_weighted_sum_f32(const float *const *inputs, const float *weights,
                         int n_inputs, float *const *outputs, int n_outputs,
                         long n)
{
    int threads = n < PARALLEL_MIN_ELEMENTS ? 1 : sc_threads_for_work(1e9);
    long blocks = (n + BLOCK - 1) / BLOCK;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long b = 0; b < blocks; ++b) {
        float sum[BLOCK];
        long lo = b * BLOCK, len = lo + BLOCK < n ? BLOCK : n - lo;
        const float *x = inputs[0] + lo;
        float w = weights[0];
        for (long i = 0; i < len; ++i)
            sum[i] = w * x[i];
        for (int q = 1; q < n_inputs; ++q) {
            x = inputs[q] + lo;
            w = weights[q];
            for (long i = 0; i < len; ++i)
                sum[i] = sum[i] + w * x[i];
        }
        for (int q = 0; q < n_outputs; ++q) {
            float *y = outputs[q] + lo;
            for (long i = 0; i < len; ++i)
                y[i] = sum[i];
        }
    }
}
