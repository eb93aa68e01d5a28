/*
 * dgemm.c - float64 GEMM for gradient checks: portable C, threads over rows
 * of C (so results do not depend on the thread count). B is first copied
 * row-major when it is strided, then each row of C accumulates
 * sum_p A[i, p] * B[p, :] in order p = 0..k-1.
 */
#include <stdlib.h>
#include <string.h>

#include "../seqcore.h"
#include "../scratch.h"

/* Row i of C, accumulating in acc (n doubles). */
static void dgemm_row(long i, long n, long k, double alpha, const double *a,
                      long rs_a, long cs_a, const double *b, long ldb,
                      double beta, double *c, long ldc, double *restrict acc)
{
    memset(acc, 0, (size_t)n * sizeof(double));
    for (long p = 0; p < k; ++p) {
        const double aip = a[i * rs_a + p * cs_a];
        const double *restrict row = b + p * ldb;
        for (long j = 0; j < n; ++j)
            acc[j] += aip * row[j];
    }
    double *restrict ci = c + i * ldc;
    for (long j = 0; j < n; ++j)
        ci[j] = beta == 0.0 ? alpha * acc[j] : alpha * acc[j] + beta * ci[j];
}

int sc_dgemm(long m, long n, long k, double alpha, const double *a, long rs_a,
             long cs_a, const double *b, long rs_b, long cs_b, double beta,
             double *c, long ldc, const double *bias, sc_act act)
{
    if (m <= 0 || n <= 0)
        return 0;
    double *b_rows = NULL;
    if (cs_b != 1 && k > 0) {
        b_rows = sc_alloc(sc_size_mul(k, n), sizeof(double));
        if (!b_rows)
            return -1;
        for (long p = 0; p < k; ++p)
            for (long j = 0; j < n; ++j)
                b_rows[p * n + j] = b[p * rs_b + j * cs_b];
        b = b_rows;
        rs_b = n;
    }
    const int nt = sc_threads_for_work(2.0 * m * n * k);
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        double *acc = sc_alloc((size_t)n, sizeof(double));
        failed |= acc == NULL;
        /* Every thread must reach the worksharing loop, even without acc. */
#pragma omp for schedule(static)
        for (long i = 0; i < m; ++i)
            if (acc)
                dgemm_row(i, n, k, alpha, a, rs_a, cs_a, b, rs_b, beta, c,
                          ldc, acc);
        free(acc);
    }
    free(b_rows);
    if (failed)
        return -1;
    if (bias != NULL || act != SC_ACT_NONE)
        sc_bias_act_f64(c, m, n, ldc, bias, act);
    return 0;
}
