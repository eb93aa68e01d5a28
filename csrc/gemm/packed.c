/*
 * packed.c - a B operand packed once and multiplied many times on one
 * thread: an RNN's recurrent kernel, used at every time step. A is read in
 * place (row-major), so a step costs only the micro-kernel calls.
 *
 * Layout: K is cut into the same slices as sc_sgemm; within a slice of
 * depth kc_s, panel p (columns p*nr ...) holds kc_s rows of nr floats.
 */
#include <stdlib.h>

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
