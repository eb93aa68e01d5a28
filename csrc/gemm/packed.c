/*
 * packed.c - a B operand packed once and multiplied many times on one
 * thread: an RNN's recurrent kernel, used at every time step. A is read in
 * place (row-major), so a step costs only the micro-kernel calls.
 *
 * Layout: K is cut into the same slices as sc_sgemm; within a slice of
 * depth kc_s, panel p (columns p*nr ...) holds kc_s rows of nr floats.
 *
 * sc_sgemm_packed_b_pair computes an RNN step's gate inputs
 * x_t W + bias + h R tile by tile: each C tile gets both products and the
 * bias while it is in cache, instead of three passes over C.
 */
#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "../scratch.h"

struct sc_packed_b {
    long k, n, kc, n_pad;
    const sc_sgemm_kernels *kr;
    float *data;
};

static long min_l(long x, long y) { return x < y ? x : y; }

sc_packed_b *sc_packed_b_new(long k, long n, const float *b, long rs_b,
                             long cs_b)
{
    sc_packed_b *pb = sc_alloc_zero(1, sizeof *pb);
    if (!pb)
        return NULL;
    pb->kr = sc_sgemm_current_kernels();
    const int nr = pb->kr->nr;
    pb->k = k;
    pb->n = n;
    pb->kc = k > 0 ? sc_gemm_k_slice(k, pb->kr->kc) : 1;
    pb->n_pad = (n + nr - 1) / nr * nr;
    pb->data = sc_alloc(sc_size_add(sc_size_mul(k > 0 ? k : 1, pb->n_pad),
                                    16),
                        sizeof(float));
    if (!pb->data) {
        sc_packed_b_free(pb);
        return NULL;
    }
    for (long p0 = 0; p0 < k; p0 += pb->kc) {
        const long kc = min_l(pb->kc, k - p0);
        sc_pack_b_f32(kc, n, b + p0 * rs_b, rs_b, cs_b, nr,
                      pb->data + p0 * pb->n_pad);
    }
    return pb;
}

void sc_packed_b_free(sc_packed_b *pb)
{
    if (!pb)
        return;
    free(pb->data);
    free(pb);
}

/* The tile (rows x cols at c) += or = (beta 0) its rows of A times panel
 * j0 of pb, slice by slice. */
static void tile_product(const sc_packed_b *pb, long j0, const float *a,
                         long lda, float beta, float *c, long ldc, long rows,
                         long cols)
{
    const sc_sgemm_kernels *kr = pb->kr;
    for (long p0 = 0; p0 < pb->k; p0 += pb->kc) {
        const long kc = min_l(pb->kc, pb->k - p0);
        const float beta_s = p0 == 0 ? beta : 1.0f;
        const float *bp = pb->data + p0 * pb->n_pad + j0 * kc;
        if (rows == kr->mr && cols == kr->nr)
            kr->ukr(kc, a + p0, lda, 1, bp, kr->nr, c, ldc, 1.0f, beta_s);
        else
            sc_gemm_edge_tile(kr, kc, a + p0, lda, 1, bp, kr->nr, c, ldc,
                              rows, cols, 1.0f, beta_s);
    }
}

void sc_sgemm_packed_b(const sc_packed_b *pb, long m, const float *a,
                       long lda, float beta, float *c, long ldc)
{
    const sc_sgemm_kernels *kr = pb->kr;
    const int mr = kr->mr, nr = kr->nr;
    for (long p0 = 0; p0 < pb->k; p0 += pb->kc) {
        const long kc = min_l(pb->kc, pb->k - p0);
        const float beta_s = p0 == 0 ? beta : 1.0f;
        const float *slice = pb->data + p0 * pb->n_pad;
        for (long j0 = 0; j0 < pb->n; j0 += nr) {
            const long cols = min_l(nr, pb->n - j0);
            const float *bp = slice + j0 * kc;
            long rows;
            for (long i0 = 0; i0 < m; i0 += rows) {
                rows = sc_gemm_row_tile(m, mr, i0);
                const float *ap = a + i0 * lda + p0;
                float *ct = c + i0 * ldc + j0;
                if (rows == mr && cols == nr)
                    kr->ukr(kc, ap, lda, 1, bp, nr, ct, ldc, 1.0f, beta_s);
                else
                    sc_gemm_edge_tile(kr, kc, ap, lda, 1, bp, nr, ct, ldc,
                                      rows, cols, 1.0f, beta_s);
            }
        }
    }
}

/* tile[i, j] += bias[j]: what sc_bias_act_f32 does, inline for a tile. */
static void add_bias(float *c, long ldc, long rows, long cols,
                     const float *bias)
{
    for (long i = 0; i < rows; ++i) {
        float *row = c + i * ldc;
        for (long j = 0; j < cols; ++j)
            row[j] += bias[j];
    }
}

void sc_sgemm_packed_b_pair(const sc_packed_b *pb1, const float *a1,
                            long lda1, const float *bias,
                            const sc_packed_b *pb2, const float *a2,
                            long lda2, long m, float *c, long ldc)
{
    const sc_sgemm_kernels *kr = pb1->kr;
    const int mr = kr->mr, nr = kr->nr;
    for (long j0 = 0; j0 < pb1->n; j0 += nr) {
        const long cols = min_l(nr, pb1->n - j0);
        const long cols2 = min_l(cols, pb2->n - j0);
        long rows;
        for (long i0 = 0; i0 < m; i0 += rows) {
            rows = sc_gemm_row_tile(m, mr, i0);
            float *ct = c + i0 * ldc + j0;
            if (pb1->k > 0)
                tile_product(pb1, j0, a1 + i0 * lda1, lda1, 0.0f, ct, ldc,
                             rows, cols);
            else
                for (long i = 0; i < rows; ++i)
                    memset(ct + i * ldc, 0, (size_t)cols * sizeof(float));
            if (bias)
                add_bias(ct, ldc, rows, cols, bias + j0);
            if (cols2 > 0 && pb2->k > 0)
                tile_product(pb2, j0, a2 + i0 * lda2, lda2, 1.0f, ct, ldc,
                             rows, cols2);
        }
    }
}
