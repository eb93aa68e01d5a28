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

/* Dealing one row of B at a time writes nr floats into every panel in
 * turn, panels nr * kc floats apart (32 KiB at kc 512, nr 16): all in one
 * L1 set. With many panels each write then misses (pack_b was 17% of a
 * (128, 512, 2048) product on Zen 5 with AVX2); from DEAL_MANY_PANELS on,
 * DEAL_ROWS rows are dealt together, each panel getting one contiguous run.
 * With fewer panels one row at a time is faster: a single stream through
 * B, which the prefetchers follow from memory (measured on Zen 5: B of
 * 5120 x 512 packed for nr 32 lost 10% when dealt in blocks). */
#define DEAL_ROWS 8
#define DEAL_MANY_PANELS 32

/* bp[q][p][j] = b[p * rs_b + q * nr + j] for `panels` full panels q, rows
 * [p0, p0 + rows); nr is a constant after inlining. */
static inline __attribute__((always_inline)) void
deal_block(long p0, long rows, long kc, long panels, const float *restrict b,
           long rs_b, const int nr, float *restrict bp)
{
    const long panel_floats = (long)nr * kc;
    const float *src = b + p0 * rs_b;
    float *dst = bp + p0 * nr;
    for (long q = 0; q < panels; ++q) {
        float *d = dst + q * panel_floats;
        const float *s = src + q * nr;
        for (long r = 0; r < rows; ++r)
            memcpy(d + r * nr, s + r * rs_b, (size_t)nr * sizeof(float));
    }
}

static inline __attribute__((always_inline)) void
deal_rows(long kc, long panels, const float *restrict b, long rs_b,
          const int nr, float *restrict bp)
{
    if (panels < DEAL_MANY_PANELS) {
        for (long p = 0; p < kc; ++p)
            deal_block(p, 1, kc, panels, b, rs_b, nr, bp);
        return;
    }
    long p0 = 0;
    for (; p0 + DEAL_ROWS <= kc; p0 += DEAL_ROWS)
        deal_block(p0, DEAL_ROWS, kc, panels, b, rs_b, nr, bp);
    if (p0 < kc)
        deal_block(p0, kc - p0, kc, panels, b, rs_b, nr, bp);
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
