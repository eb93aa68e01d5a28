/* ukernel_ref.c - the portable micro-kernel (4 x 8) and m == 1 kernel,
 * plain C that any compiler vectorizes for its baseline ISA. */
#include "gemm.h"

#define REF_MR 4
#define REF_NR 8

void sc_sukr_ref_4x8(long k, const float *restrict a, long rs_a, long cs_a,
                     const float *restrict b, long rs_b, float *restrict c,
                     long ldc, float alpha, float beta)
{
    float acc[REF_MR][REF_NR] = {{0.0f}};
    for (long p = 0; p < k; ++p, a += cs_a, b += rs_b)
        for (int r = 0; r < REF_MR; ++r)
            for (int j = 0; j < REF_NR; ++j)
                acc[r][j] += a[r * rs_a] * b[j];
    for (int r = 0; r < REF_MR; ++r, c += ldc) {
        if (beta == 0.0f)
            for (int j = 0; j < REF_NR; ++j)
                c[j] = alpha * acc[r][j];
        else
            for (int j = 0; j < REF_NR; ++j)
                c[j] = alpha * acc[r][j] + beta * c[j];
    }
}

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
