/*
 * dropout.c - dropout masks from a counter-based generator: element i's
 * uniform draw is a hash of (key, i), so a mask depends only on its key,
 * never on the thread count, and the loop vectorizes (32-bit integer
 * multiplies). The hash is the 32-bit "lowbias32" integer finalizer (Chris
 * Wellons' hash-prospector), which passes the usual avalanche tests: more
 * than enough for dropout.
 */
#include <math.h>
#include <stdint.h>

#include "seqcore.h"

#define PARALLEL_MIN_ELEMENTS 65536L

static inline uint32_t lowbias32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

void sc_dropout_mask_f32(uint64_t key, long n, double rate, float scale,
                         float *mask)
{
    /* kept when the draw's top 24 bits, as u in [0, 1), satisfy u >= rate */
    const uint32_t threshold = (uint32_t)ceil(rate * 16777216.0);
    const uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
    const int nt = n < PARALLEL_MIN_ELEMENTS ? 1 : sc_threads_for_work(1e9);
    /* blocks of 2^32 elements, each with its own key: masks may be longer
     * than a 32-bit counter */
    for (long first = 0; first < n; first += 1L << 32) {
        const uint32_t lane = lowbias32(k1 ^ (uint32_t)(first >> 32));
        const long count = n - first < (1L << 32) ? n - first : 1L << 32;
        float *out = mask + first;
#pragma omp parallel for num_threads(nt) schedule(static)
        for (long i = 0; i < count; ++i) {
            const uint32_t draw = lowbias32(lowbias32((uint32_t)i ^ k0) ^ lane);
            out[i] = (draw >> 8) >= threshold ? scale : 0.0f;
        }
    }
}
