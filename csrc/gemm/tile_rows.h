/*
 * tile_rows.h - the rows variant of a micro-kernel (sc_sukr_rows_fn), made
 * from the kernel file's own tile function, so that each ISA states only its
 * tile and the dispatch lives here once.
 *
 * TILE(rows, k, a, rs_a, cs_a, b, rs_b, c, ldc, alpha, beta) must be an
 * always-inline function whose `rows` (1 ... MR) is a compile-time constant
 * after inlining; FULL is the full-tile kernel. MR <= 8.
 */
#ifndef SC_GEMM_TILE_ROWS_H
#define SC_GEMM_TILE_ROWS_H

/* Rows R of the tile, when R < MR (a constant test: the other cases vanish,
 * and the clamp keeps every instantiation within the tile). */
#define SC_TILE_ROWS_CASE(TILE, MR, R)                                        \
    case R:                                                                   \
        if ((R) < (MR)) {                                                     \
            TILE((R) < (MR) ? (R) : (MR), k, a, rs_a, cs_a, b, rs_b, c, ldc,  \
                 alpha, beta);                                                \
            return;                                                           \
        }                                                                     \
        break;

#define SC_DEFINE_TILE_ROWS(NAME, TILE, FULL, MR)                             \
    void NAME(long rows, long k, const float *restrict a, long rs_a,          \
              long cs_a, const float *restrict b, long rs_b,                  \
              float *restrict c, long ldc, float alpha, float beta)           \
    {                                                                         \
        switch (rows) {                                                       \
            SC_TILE_ROWS_CASE(TILE, MR, 1)                                    \
            SC_TILE_ROWS_CASE(TILE, MR, 2)                                    \
            SC_TILE_ROWS_CASE(TILE, MR, 3)                                    \
            SC_TILE_ROWS_CASE(TILE, MR, 4)                                    \
            SC_TILE_ROWS_CASE(TILE, MR, 5)                                    \
            SC_TILE_ROWS_CASE(TILE, MR, 6)                                    \
            SC_TILE_ROWS_CASE(TILE, MR, 7)                                    \
        default:                                                              \
            break;                                                            \
        }                                                                     \
        FULL(k, a, rs_a, cs_a, b, rs_b, c, ldc, alpha, beta);                 \
    }

#endif /* SC_GEMM_TILE_ROWS_H */
