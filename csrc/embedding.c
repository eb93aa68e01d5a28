/* embedding.c - the gradient of an embedding lookup: each row of dy is added
 * to the row of its id, in input order. Threads split the columns, so every
 * sum is formed in the same order whatever the thread count. */
#include "seqcore.h"

#define PARALLEL_MIN_ELEMENTS 65536L
#define COLUMN_BLOCK 64L

void sc_embedding_backward_f32(const long *ids, long n, const float *dy,
                               long dim, float *grad)
{
    const long blocks = (dim + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
    const int nt = n * dim < PARALLEL_MIN_ELEMENTS || blocks < 2
                       ? 1
                       : sc_threads_for_work(1e9);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long b = 0; b < blocks; ++b) {
        const long j0 = b * COLUMN_BLOCK;
        const long j1 = j0 + COLUMN_BLOCK < dim ? j0 + COLUMN_BLOCK : dim;
        for (long i = 0; i < n; ++i) {
            float *restrict out = grad + ids[i] * dim;
            const float *restrict in = dy + i * dim;
            for (long j = j0; j < j1; ++j)
                out[j] += in[j];
        }
    }
}
