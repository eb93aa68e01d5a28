/* pack.c - copy blocks of A and B into the panel layouts the micro-kernels
 * stream through (see gemm.h), zero-padding partial panels. */
#include <string.h>

#include "gemm.h"

/* ap[panel][p][r] = A[panel * mr + r, p]; mc x kc block of A. */
void sc_pack_a_f32(long mc, long kc, const float *a, long rs_a, long cs_a,
                   int mr, float *restrict ap)
{
    for (long i0 = 0; i0 < mc; i0 += mr, ap += (long)mr * kc) {
        const long rows = mc - i0 < mr ? mc - i0 : mr;
        const float *src = a + i0 * rs_a;
        if (rows == mr && rs_a == 1) {
            /* A transposed in memory: each column of the panel is contiguous. */
            for (long p = 0; p < kc; ++p)
                for (int r = 0; r < mr; ++r)
                    ap[p * mr + r] = src[p * cs_a + r];
            continue;
        }
        for (long p = 0; p < kc; ++p) {
            float *dst = ap + p * mr;
            const float *col = src + p * cs_a;
            long r = 0;
            for (; r < rows; ++r)
                dst[r] = col[r * rs_a];
            for (; r < mr; ++r)
                dst[r] = 0.0f;
        }
    }
}

/* bp[q][p][j] = b[p * rs_b + q * nr + j] for `panels` full panels q; nr is
 * a constant after inlining. */
static inline __attribute__((always_inline)) void
deal_rows(long kc, long panels, const float *restrict b, long rs_b,
          const int nr, float *restrict bp)
{
    const long panel_floats = (long)nr * kc;
    for (long p = 0; p < kc; ++p) {
        const float *row = b + p * rs_b;
        float *dst = bp + p * nr;
        for (long q = 0; q < panels; ++q)
            memcpy(dst + q * panel_floats, row + q * nr,
                   (size_t)nr * sizeof(float));
    }
}

/* bp[panel][p][j] = B[p, panel * nr + j]; kc x nc block of B. */
void sc_pack_b_f32(long kc, long nc, const float *b, long rs_b, long cs_b,
                   int nr, float *restrict bp)
{
    const long full = nc / nr;
    long j0 = 0;
    if (cs_b == 1 && full > 0) {
        /* Full panels of a row-major B: walk B's rows front to back (one
         * stream the prefetchers follow) and deal each into its panel with
         * fixed-size copies (a few vector moves; a variable length would
         * call memmove). */
        switch (nr) {
        case 8: deal_rows(kc, full, b, rs_b, 8, bp); break;
        case 16: deal_rows(kc, full, b, rs_b, 16, bp); break;
        case 32: deal_rows(kc, full, b, rs_b, 32, bp); break;
        default: deal_rows(kc, full, b, rs_b, nr, bp);
        }
        j0 = full * nr;
        bp += full * nr * kc;
    }
    for (; j0 < nc; j0 += nr, bp += (long)nr * kc) {
        const long cols = nc - j0 < nr ? nc - j0 : nr;
        const float *src = b + j0 * cs_b;
        if (cs_b == 1) {
            for (long p = 0; p < kc; ++p) {
                float *dst = bp + p * nr;
                const float *row = src + p * rs_b;
                long j = 0;
                for (; j < cols; ++j)
                    dst[j] = row[j];
                for (; j < nr; ++j)
                    dst[j] = 0.0f;
            }
        } else {
            /* B transposed in memory: walk each column of B contiguously. */
            for (long j = 0; j < cols; ++j) {
                const float *col = src + j * cs_b;
                for (long p = 0; p < kc; ++p)
                    bp[p * nr + j] = col[p * rs_b];
            }
            for (long p = 0; p < kc; ++p)
                for (long j = cols; j < nr; ++j)
                    bp[p * nr + j] = 0.0f;
        }
    }
}
