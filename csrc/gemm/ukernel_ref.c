/* ukernel_ref.c - the portable micro-kernel (4 x 8) and m == 1 kernel.
 *
 * ISA-neutral C: both use GCC/Clang vector types of 4 floats, which compile
 * to the baseline SIMD of any target (SSE2 on x86-64, NEON on ARM64) without
 * intrinsics or special flags. */
#include <string.h>

#include "gemm.h"
#include "tile_rows.h"

#define REF_MR 4
#define REF_NR 8

typedef float v4f __attribute__((vector_size(16)));

static inline v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v); /* unaligned load */
    return v;
}

static inline void store4(float *p, v4f v) { memcpy(p, &v, sizeof v); }

static inline v4f splat4(float x) { return (v4f){x, x, x, x}; }

/* A rows x 8 tile, rows <= REF_MR a constant after inlining. */
static inline __attribute__((always_inline)) void
tile_rx8(const int rows, long k, const float *restrict a, long rs_a,
         long cs_a, const float *restrict b, long rs_b, float *restrict c,
         long ldc, float alpha, float beta)
{
    v4f acc[REF_MR][2];
    for (int r = 0; r < rows; ++r)
        acc[r][0] = acc[r][1] = splat4(0.0f);
    for (long p = 0; p < k; ++p, a += cs_a, b += rs_b) {
        const v4f b0 = load4(b), b1 = load4(b + 4);
        for (int r = 0; r < rows; ++r) {
            const v4f ar = splat4(a[r * rs_a]);
            acc[r][0] += ar * b0;
            acc[r][1] += ar * b1;
        }
    }
    const v4f va = splat4(alpha), vb = splat4(beta);
    for (int r = 0; r < rows; ++r, c += ldc) {
        if (beta == 0.0f) {
            store4(c, va * acc[r][0]);
            store4(c + 4, va * acc[r][1]);
        } else {
            store4(c, va * acc[r][0] + vb * load4(c));
            store4(c + 4, va * acc[r][1] + vb * load4(c + 4));
        }
    }
}

void sc_sukr_ref_4x8(long k, const float *restrict a, long rs_a, long cs_a,
                     const float *restrict b, long rs_b, float *restrict c,
                     long ldc, float alpha, float beta)
{
    tile_rx8(REF_MR, k, a, rs_a, cs_a, b, rs_b, c, ldc, alpha, beta);
}

SC_DEFINE_TILE_ROWS(sc_sukr_rows_ref_4x8, tile_rx8, sc_sukr_ref_4x8, REF_MR)

#define REF_GEMV_COLS 64

void sc_sgemv_ref(long n, long k, float alpha, const float *restrict a,
                  long inc_a, const float *restrict b, long rs_b, float beta,
                  float *restrict c)
{
    for (long j0 = 0; j0 < n; j0 += REF_GEMV_COLS) {
        const long cols = n - j0 < REF_GEMV_COLS ? n - j0 : REF_GEMV_COLS;
        float acc[REF_GEMV_COLS] = {0.0f};
        for (long p = 0; p < k; ++p) {
            const float ap = a[p * inc_a];
            const float *row = b + p * rs_b + j0;
            for (long j = 0; j < cols; ++j)
                acc[j] += ap * row[j];
        }
        for (long j = 0; j < cols; ++j)
            c[j0 + j] = beta == 0.0f ? alpha * acc[j]
                                     : alpha * acc[j] + beta * c[j0 + j];
    }
}
