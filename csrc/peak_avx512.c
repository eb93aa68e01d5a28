/* peak_avx512.c - the AVX-512F peak loop: 16 zmm accumulators, two FMAs per
 * accumulator per iteration. Compiled with -mavx512f -mavx2 -mfma only. */
#include <immintrin.h>

#include "peak.h"

#define ACC 16

double sc_fma_peak_loop_avx512(long iters, float *sink)
{
    __m512 acc[ACC];
#pragma GCC unroll 16
    for (int j = 0; j < ACC; ++j)
        acc[j] = _mm512_set1_ps((float)j);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 16
        for (int j = 0; j < ACC; ++j)
            acc[j] = _mm512_fmadd_ps(acc[j], a, b);
#pragma GCC unroll 16
        for (int j = 0; j < ACC; ++j)
            acc[j] = _mm512_fmadd_ps(acc[j], a, b);
    }
    __m512 total = acc[0];
#pragma GCC unroll 16
    for (int j = 1; j < ACC; ++j)
        total = _mm512_add_ps(total, acc[j]);
    *sink = _mm512_reduce_add_ps(total);
    return 2.0 * 16.0 * 2.0 * ACC * (double)iters;
}
