/* ukernel_avx512_8x32.c - AVX-512F micro-kernel: an 8 x 32 tile of C held in
 * 16 zmm accumulators; per k step two vector loads of B, eight broadcasts of
 * A and sixteen FMAs. The same code with fewer rows serves the bottom edge
 * of C (sc_sukr_rows_avx512_8x32). Compiled with -mavx512f -mavx2 -mfma
 * only. */
#include <immintrin.h>

#include "gemm.h"
#include "tile_rows.h"

#define MR 8
#define C_REFETCH_STEPS 200

/* A rows x 32 tile, rows <= MR a compile-time constant after inlining; each
 * row's arithmetic is the same whatever `rows` is. */
static inline __attribute__((always_inline)) void
tile_rx32(const int rows, long k, const float *restrict a, long rs_a, long cs_a,
          const float *restrict b, long rs_b, float *restrict c, long ldc,
          float alpha, float beta)
{
    __m512 acc[MR][2];
#pragma GCC unroll 8
    for (int r = 0; r < rows; ++r) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
        /* C is needed only after the k loop: start fetching it now. */
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 16), _MM_HINT_T0);
    }
    /* C's lines fetched at the start are evicted by the A and B streams
     * before the k loop ends when the loop is long: fetch them again
     * C_REFETCH_STEPS steps before the end (none when k is shorter). Zen 5,
     * 2048^3 at one thread, same-process ratio to OpenBLAS's AVX-512
     * kernels: 0.95 without, 0.95 at 32 steps, 0.99 at 200, 0.975 at 300. */
    const long k_late = k - C_REFETCH_STEPS;
    for (long p = 0; p < k; ++p) {
        if (p == k_late) {
#pragma GCC unroll 8
            for (int r = 0; r < rows; ++r) {
                _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
                _mm_prefetch((const char *)(c + r * ldc + 16), _MM_HINT_T0);
            }
        }
        const __m512 b0 = _mm512_loadu_ps(b);
        const __m512 b1 = _mm512_loadu_ps(b + 16);
        /* Both cache lines of B's row 8 steps ahead: on Intel's 48 KiB
         * L1d the 32-wide panel does not stay resident beside A, and the
         * hardware's next-line prefetch left the second line late
         * (Xeon, 2048^3 at one thread: 130 -> 135-152 GFLOP/s). */
        _mm_prefetch((const char *)(b + 8 * rs_b), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + 8 * rs_b + 16), _MM_HINT_T0);
#pragma GCC unroll 8
        for (int r = 0; r < rows; ++r) {
            const __m512 ar = _mm512_set1_ps(a[r * rs_a]);
            acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
        }
        a += cs_a;
        b += rs_b;
    }
    const __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0.0f) {
#pragma GCC unroll 8
        for (int r = 0; r < rows; ++r) {
            _mm512_storeu_ps(c + r * ldc, _mm512_mul_ps(va, acc[r][0]));
            _mm512_storeu_ps(c + r * ldc + 16, _mm512_mul_ps(va, acc[r][1]));
        }
    } else {
        /* Multiply and add, not fused: partial tiles do the same in plain C
         * (edge_tile), so a value never depends on where the tile falls. */
        const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 8
        for (int r = 0; r < rows; ++r) {
            float *cr = c + r * ldc;
            const __m512 c0 = _mm512_mul_ps(vb, _mm512_loadu_ps(cr));
            const __m512 c1 = _mm512_mul_ps(vb, _mm512_loadu_ps(cr + 16));
            _mm512_storeu_ps(cr, _mm512_add_ps(_mm512_mul_ps(va, acc[r][0]), c0));
            _mm512_storeu_ps(cr + 16,
                             _mm512_add_ps(_mm512_mul_ps(va, acc[r][1]), c1));
        }
    }
}

void sc_sukr_avx512_8x32(long k, const float *restrict a, long rs_a,
                         long cs_a, const float *restrict b, long rs_b,
                         float *restrict c, long ldc, float alpha, float beta)
{
    /* Two specialisations: packed A gets constant strides, so fixed offsets. */
    if (rs_a == 1 && cs_a == MR)
        tile_rx32(MR, k, a, 1, MR, b, rs_b, c, ldc, alpha, beta);
    else
        tile_rx32(MR, k, a, rs_a, cs_a, b, rs_b, c, ldc, alpha, beta);
}

SC_DEFINE_TILE_ROWS(sc_sukr_rows_avx512_8x32, tile_rx32, sc_sukr_avx512_8x32, MR)

/* Columns per pass of the m == 1 kernel: 16 accumulators of 16, so that
 * B rows of up to 256 floats stream through memory in one sequential pass. */
#define GEMV_VECS 16

static __mmask16 tail_mask(long remaining)
{
    if (remaining >= 16)
        return (__mmask16)0xFFFF;
    if (remaining <= 0)
        return 0;
    return (__mmask16)((1u << remaining) - 1u);
}

void sc_sgemv_avx512(long n, long k, float alpha, const float *restrict a,
                     long inc_a, const float *restrict b, long rs_b,
                     float beta, float *restrict c)
{
    const __m512 va = _mm512_set1_ps(alpha);
    const __m512 vb = _mm512_set1_ps(beta);
    for (long j0 = 0; j0 < n; j0 += 16 * GEMV_VECS) {
        /* Vectors with live columns in this pass; the others are skipped
         * (the guards are uniform across k, so they predict perfectly). */
        const long live = n - j0 < 16 * GEMV_VECS ? n - j0 : 16 * GEMV_VECS;
        const int nv = (int)((live + 15) / 16);
        __mmask16 mask[GEMV_VECS];
        __m512 acc[GEMV_VECS];
#pragma GCC unroll 16
        for (int v = 0; v < GEMV_VECS; ++v) {
            mask[v] = tail_mask(n - j0 - 16 * v);
            acc[v] = _mm512_setzero_ps();
        }
        const float *row = b + j0;
        for (long p = 0; p < k; ++p, row += rs_b) {
            const __m512 ap = _mm512_set1_ps(a[p * inc_a]);
#pragma GCC unroll 16
            for (int v = 0; v < GEMV_VECS; ++v)
                if (v < nv)
                    acc[v] = _mm512_fmadd_ps(
                        ap, _mm512_maskz_loadu_ps(mask[v], row + 16 * v),
                        acc[v]);
        }
#pragma GCC unroll 16
        for (int v = 0; v < nv; ++v) {
            float *cv = c + j0 + 16 * v;
            __m512 out = _mm512_mul_ps(va, acc[v]);
            if (beta != 0.0f)
                out = _mm512_fmadd_ps(
                    vb, _mm512_maskz_loadu_ps(mask[v], cv), out);
            _mm512_mask_storeu_ps(cv, mask[v], out);
        }
    }
}
