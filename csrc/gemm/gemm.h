/*
 * gemm.h - internals of the float32 GEMM: the per-ISA kernel table, packing,
 * and the micro-kernel contract. Not part of the public API (seqcore.h).
 *
 * The micro-kernel computes one MR x NR tile of C from panels of A and B:
 *   a: MR x k with A[r, p] = a[r * rs_a + p * cs_a]; (rs_a, cs_a) == (1, MR)
 *      for a packed panel, or (lda, 1) when a row-major A is read in place
 *   b: k x NR, row by row with row stride rs_b (b[p * rs_b + j] = B[p, j]);
 *      rs_b == NR for a packed panel, or B's own row stride when B is read
 *      in place
 *   c: C = alpha * (a @ b) + beta * C, row stride ldc; beta == 0 never reads C.
 */
#ifndef SC_GEMM_H
#define SC_GEMM_H

#include "../seqcore.h"

#define SC_MR_MAX 16
#define SC_NR_MAX 32

typedef void (*sc_sukr_fn)(long k, const float *a, long rs_a, long cs_a,
                           const float *b, long rs_b,
                           float *c, long ldc, float alpha, float beta);

/* The same for the first `rows` (1 ... MR) rows of the tile only: C's bottom
 * edge, written in place with the full kernel's arithmetic. */
typedef void (*sc_sukr_rows_fn)(long rows, long k, const float *a, long rs_a,
                                long cs_a, const float *b, long rs_b,
                                float *c, long ldc, float alpha, float beta);

/* c[j] = alpha * sum_p a[p * inc_a] * b[p * rs_b + j] + beta * c[j], j < n:
 * the m == 1 case, reading a row-major B in place. */
typedef void (*sc_sgemv_fn)(long n, long k, float alpha, const float *a,
                            long inc_a, const float *b, long rs_b, float beta,
                            float *c);

typedef struct {
    sc_isa isa;
    int mr, nr;        /* micro-tile */
    long mc, kc, nc;   /* cache blocks: A block mc x kc (L2), B panel kc x nc */
    sc_sukr_fn ukr;
    sc_sukr_rows_fn ukr_rows;
    sc_sgemv_fn gemv;
} sc_sgemm_kernels;

/* blocking.c: mc, kc, nc for an mr x nr micro-tile on caches cs. */
void sc_gemm_blocking(const sc_cache_sizes *cs, int mr, int nr, long *mc,
                      long *kc, long *nc);

/* The kernels of the selected ISA (cpu.c selects; gemm uses). */
const sc_sgemm_kernels *sc_sgemm_current_kernels(void);
void sc_gemm_select_kernels(sc_isa isa);

/* macro.c: helpers shared with packed.c */
long sc_gemm_k_slice(long k, long kc);
long sc_gemm_row_tile(long mc, int mr, long ir);
void sc_gemm_edge_tile(const sc_sgemm_kernels *kr, long kc, const float *a,
                       long rs_a, long cs_a, const float *b, long rs_b,
                       float *c, long ldc, long rows, long cols, float alpha,
                       float beta);

/* pack.c */
void sc_pack_a_f32(long mc, long kc, const float *a, long rs_a, long cs_a,
                   int mr, float *ap);
void sc_pack_b_f32(long kc, long nc, const float *b, long rs_b, long cs_b,
                   int nr, float *bp);

/* ukernel_ref.c */
void sc_sukr_ref_4x8(long k, const float *a, long rs_a, long cs_a,
                       const float *b, long rs_b,
                     float *c, long ldc, float alpha, float beta);
void sc_sukr_rows_ref_4x8(long rows, long k, const float *a, long rs_a,
                          long cs_a, const float *b, long rs_b, float *c,
                          long ldc, float alpha, float beta);
void sc_sgemv_ref(long n, long k, float alpha, const float *a, long inc_a,
                  const float *b, long rs_b, float beta, float *c);

#ifdef SC_HAVE_X86_KERNELS
/* ukernel_avx2_6x16.c */
void sc_sukr_avx2_6x16(long k, const float *a, long rs_a, long cs_a,
                       const float *b, long rs_b,
                       float *c, long ldc, float alpha, float beta);
void sc_sukr_rows_avx2_6x16(long rows, long k, const float *a, long rs_a,
                            long cs_a, const float *b, long rs_b, float *c,
                            long ldc, float alpha, float beta);
void sc_sgemv_avx2(long n, long k, float alpha, const float *a, long inc_a,
                   const float *b, long rs_b, float beta, float *c);
/* ukernel_avx512_8x32.c */
void sc_sukr_avx512_8x32(long k, const float *a, long rs_a, long cs_a,
                       const float *b, long rs_b,
                         float *c, long ldc, float alpha, float beta);
void sc_sukr_rows_avx512_8x32(long rows, long k, const float *a, long rs_a,
                              long cs_a, const float *b, long rs_b, float *c,
                              long ldc, float alpha, float beta);
void sc_sgemv_avx512(long n, long k, float alpha, const float *a, long inc_a,
                     const float *b, long rs_b, float beta, float *c);
#endif

#endif /* SC_GEMM_H */
