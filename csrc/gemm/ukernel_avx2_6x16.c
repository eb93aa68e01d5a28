/* ukernel_avx2_6x16.c - AVX2+FMA micro-kernel: a 6 x 16 tile of C held in
 * 12 ymm accumulators; per k step two vector loads of B, six broadcasts of
 * A and twelve FMAs. The same code with fewer rows serves the bottom edge
 * of C (sc_sukr_rows_avx2_6x16). Compiled with -mavx2 -mfma only. */
#include <immintrin.h>

#include "gemm.h"
#include "tile_rows.h"

#define MR 6
#define C_REFETCH_STEPS 200

/* A rows x 16 tile, rows <= MR a compile-time constant after inlining. Each
 * row's arithmetic is the same whatever `rows` is, so a value of C does not
 * depend on whether its row falls in a full or an edge tile. */
static inline __attribute__((always_inline)) void
tile_rx16(const int rows, long k, const float *restrict a, long rs_a, long cs_a,
          const float *restrict b, long rs_b, float *restrict c, long ldc,
          float alpha, float beta)
{
    __m256 acc[MR][2];
    /* C's tile is touched only after the k loop: fetch its lines now so the
     * final update does not wait on memory (a short loop could not hide the
     * fetch, and would only pay for the instructions). */
    if (k >= 32) {
#pragma GCC unroll 6
        for (int r = 0; r < rows; ++r) {
            _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
            _mm_prefetch((const char *)(c + r * ldc + 15), _MM_HINT_T0);
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < rows; ++r) {
        acc[r][0] = _mm256_setzero_ps();
        acc[r][1] = _mm256_setzero_ps();
    }
    /* As in the AVX-512 kernel: C's lines again, C_REFETCH_STEPS steps
     * before the end of a long loop (the A and B streams evict the first
     * fetch). */
    const long k_late = k - C_REFETCH_STEPS;
    for (long p = 0; p < k; ++p) {
        if (p == k_late) {
#pragma GCC unroll 6
            for (int r = 0; r < rows; ++r) {
                _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
                _mm_prefetch((const char *)(c + r * ldc + 15), _MM_HINT_T0);
            }
        }
        const __m256 b0 = _mm256_loadu_ps(b);
        const __m256 b1 = _mm256_loadu_ps(b + 8);
        _mm_prefetch((const char *)(b + 8 * rs_b), _MM_HINT_T0);
#pragma GCC unroll 6
        for (int r = 0; r < rows; ++r) {
            const __m256 ar = _mm256_broadcast_ss(a + r * rs_a);
            acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
        }
        a += cs_a;
        b += rs_b;
    }
    const __m256 va = _mm256_set1_ps(alpha);
    if (beta == 0.0f) {
#pragma GCC unroll 6
        for (int r = 0; r < rows; ++r) {
            _mm256_storeu_ps(c + r * ldc, _mm256_mul_ps(va, acc[r][0]));
            _mm256_storeu_ps(c + r * ldc + 8, _mm256_mul_ps(va, acc[r][1]));
        }
    } else {
        /* Multiply and add, not fused: partial tiles do the same in plain C
         * (edge_tile), so a value never depends on where the tile falls. */
        const __m256 vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
        for (int r = 0; r < rows; ++r) {
            float *cr = c + r * ldc;
            const __m256 c0 = _mm256_mul_ps(vb, _mm256_loadu_ps(cr));
            const __m256 c1 = _mm256_mul_ps(vb, _mm256_loadu_ps(cr + 8));
            _mm256_storeu_ps(cr, _mm256_add_ps(_mm256_mul_ps(va, acc[r][0]), c0));
            _mm256_storeu_ps(cr + 8,
                             _mm256_add_ps(_mm256_mul_ps(va, acc[r][1]), c1));
        }
    }
}

void sc_sukr_avx2_6x16(long k, const float *restrict a, long rs_a,
                       long cs_a, const float *restrict b, long rs_b,
                       float *restrict c, long ldc, float alpha, float beta)
{
    /* Two specialisations: packed A gets constant strides, so fixed offsets. */
    if (rs_a == 1 && cs_a == MR)
        tile_rx16(MR, k, a, 1, MR, b, rs_b, c, ldc, alpha, beta);
    else
        tile_rx16(MR, k, a, rs_a, cs_a, b, rs_b, c, ldc, alpha, beta);
}

SC_DEFINE_TILE_ROWS(sc_sukr_rows_avx2_6x16, tile_rx16, sc_sukr_avx2_6x16, MR)

/* Columns per pass of the m == 1 kernel: 8 accumulators of 8. */
#define GEMV_VECS 8

static __m256i tail_mask(long remaining)
{
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    long clamped = remaining < 0 ? 0 : (remaining > 8 ? 8 : remaining);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)clamped), lanes);
}

void sc_sgemv_avx2(long n, long k, float alpha, const float *restrict a,
                   long inc_a, const float *restrict b, long rs_b, float beta,
                   float *restrict c)
{
    const __m256 va = _mm256_set1_ps(alpha);
    const __m256 vb = _mm256_set1_ps(beta);
    for (long j0 = 0; j0 < n; j0 += 8 * GEMV_VECS) {
        __m256i mask[GEMV_VECS];
        __m256 acc[GEMV_VECS];
#pragma GCC unroll 8
        for (int v = 0; v < GEMV_VECS; ++v) {
            mask[v] = tail_mask(n - j0 - 8 * v);
            acc[v] = _mm256_setzero_ps();
        }
        const long live = n - j0 < 8 * GEMV_VECS ? n - j0 : 8 * GEMV_VECS;
        const int nv = (int)((live + 7) / 8); /* vectors with live columns */
        const float *row = b + j0;
        for (long p = 0; p < k; ++p, row += rs_b) {
            const __m256 ap = _mm256_set1_ps(a[p * inc_a]);
#pragma GCC unroll 8
            for (int v = 0; v < GEMV_VECS; ++v)
                if (v < nv)
                    acc[v] = _mm256_fmadd_ps(
                        ap, _mm256_maskload_ps(row + 8 * v, mask[v]), acc[v]);
        }
#pragma GCC unroll 8
        for (int v = 0; v < nv; ++v) {
            float *cv = c + j0 + 8 * v;
            __m256 out = _mm256_mul_ps(va, acc[v]);
            if (beta != 0.0f)
                out = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cv, mask[v]),
                                      out);
            _mm256_maskstore_ps(cv, mask[v], out);
        }
    }
}
