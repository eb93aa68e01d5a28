/* peak_avx2.c - the AVX2+FMA peak loop: 12 ymm accumulators (two FMA ports
 * of latency 4 to 5 need 8 to 10 in flight), two FMAs per accumulator per
 * iteration. Compiled with -mavx2 -mfma only. */
#include <immintrin.h>

#include "peak.h"

#define ACC 12

double sc_fma_peak_loop_avx2(long iters, float *sink)
{
    __m256 acc[ACC];
#pragma GCC unroll 12
    for (int j = 0; j < ACC; ++j)
        acc[j] = _mm256_set1_ps((float)j);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 12
        for (int j = 0; j < ACC; ++j)
            acc[j] = _mm256_fmadd_ps(acc[j], a, b);
#pragma GCC unroll 12
        for (int j = 0; j < ACC; ++j)
            acc[j] = _mm256_fmadd_ps(acc[j], a, b);
    }
    __m256 total = acc[0];
#pragma GCC unroll 12
    for (int j = 1; j < ACC; ++j)
        total = _mm256_add_ps(total, acc[j]);
    float lanes[8];
    _mm256_storeu_ps(lanes, total);
    *sink = lanes[0] + lanes[7];
    return 2.0 * 8.0 * 2.0 * ACC * (double)iters;
}
