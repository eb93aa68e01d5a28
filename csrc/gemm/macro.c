/*
 * macro.c - the float32 GEMM driver: BLIS-style loops around the micro-kernel
 * (jc over nc-wide panels of B, pc over kc-deep slices of K, ic over mc-tall
 * blocks of A, then jr/ir over micro-tiles), and its threading.
 *
 * Threads split C into a grid of output blocks; each thread runs the whole
 * K loop for its block with private pack buffers, so every element of C is
 * computed by the same instructions in the same order whatever the thread
 * count: results are bitwise reproducible.
 */
#include <string.h>

#include "../scratch.h"
#include "gemm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Blocks of at most this many rows read a row-major B in place, and blocks
 * of at most this many columns a row-major A (see sgemm_block). B's limit is
 * lower: an in-place B micro-panel is kc rows at B's row stride, and at
 * power-of-two strides those rows collide in a few L1 sets, so only a few
 * row panels should reuse it. */
#define DIRECT_B_MAX_ROWS 64
#define DIRECT_A_MAX_COLS 512

/* The most rows of A one block takes when K is sliced shallower than kc. */
#define MC_SHALLOW_MAX 512

/* A GEMV's flops count this many times toward the threading threshold,
 * and its columns are split between threads in multiples of this. */
#define GEMV_WORK_WEIGHT 8.0
#define GEMV_SPLIT_COLS 64

/* Weight of packing one element against one multiply-add, used to choose
 * the thread grid (packing is a copy through memory). */
#define PACK_COST 16.0

typedef struct {
    long m, n, k;
    float alpha, beta;
    const float *a;
    long rs_a, cs_a;
    const float *b;
    long rs_b, cs_b;
    float *c;
    long ldc;
    const float *bias;
    sc_act act;
    const sc_sgemm_kernels *kr;
} sgemm_args;

static long round_up(long x, long to) { return (x + to - 1) / to * to; }
static long min_l(long x, long y) { return x < y ? x : y; }

/* Depth of each K slice: k split evenly into the number of slices nearest to
 * k / kc, so that no slice is a thin remainder (288 is one slice of 288, not
 * 256 + 32): a slice costs a load and store of the C tile, whatever its depth. */
long sc_gemm_k_slice(long k, long kc)
{
    long slices = (k + kc / 2) / kc;
    if (slices < 1)
        slices = 1;
    return (k + slices - 1) / slices;
}

/* A panel of op(A) or B as the micro-kernel reads it: a pointer and strides. */
typedef struct {
    const float *p;
    long rs, cs;
} panel;

/* C tile = alpha * (A panel @ B panel) + beta * C for a partial tile (rows x
 * cols), computed by the kernel's rows variant, which reads only `rows` rows
 * of A: so an A edge is read in place, unpadded. A tile short only of rows
 * is written in place; one short of columns goes through a temporary, so
 * that nothing is written outside C. The update is multiply then add, as in
 * the micro-kernels, so a value is the same whether its tile is partial or
 * full. */
void sc_gemm_edge_tile(const sc_sgemm_kernels *kr, long kc, const float *a,
                       long rs_a, long cs_a, const float *b, long rs_b,
                       float *c, long ldc, long rows, long cols, float alpha,
                       float beta)
{
    if (cols == kr->nr) {
        kr->ukr_rows(rows, kc, a, rs_a, cs_a, b, rs_b, c, ldc, alpha, beta);
        return;
    }
    float tmp[SC_MR_MAX * SC_NR_MAX] __attribute__((aligned(64)));
    kr->ukr_rows(rows, kc, a, rs_a, cs_a, b, rs_b, tmp, kr->nr, 1.0f, 0.0f);
    for (long i = 0; i < rows; ++i) {
        float *ci = c + i * ldc;
        const float *ti = tmp + i * kr->nr;
        if (beta == 0.0f)
            for (long j = 0; j < cols; ++j)
                ci[j] = alpha * ti[j];
        else
            for (long j = 0; j < cols; ++j)
                ci[j] = alpha * ti[j] + beta * ci[j];
    }
}

/* Height of the row tile that starts at row `ir` of a block of `mc` rows.
 * Tiles are mr rows, except that a thin remainder (under half of mr) is
 * merged with the tile before it and the pair split in two near-equal
 * tiles: a kernel of 1 or 2 rows has too few accumulators to keep the FMA
 * units busy (32 rows with mr 6 run as 6+6+6+6+4+4, not 6+6+6+6+6+2). */
long sc_gemm_row_tile(long mc, int mr, long ir)
{
    const long rem = mc % mr, full = mc / mr;
    if (rem == 0 || 2 * rem >= mr || full == 0)
        return min_l(mr, mc - ir);
    const long pair_start = (full - 1) * mr;
    if (ir < pair_start)
        return mr;
    const long first = (mr + rem + 1) / 2;
    return ir == pair_start ? first : mr + rem - first;
}

/* Pack the rows of an mc x kc block of A as its row tiles read them: tile t
 * at ap + t * mr * kc, each tile's rows padded to mr. */
static void pack_a_tiles(long mc, long kc, const float *a, long rs_a,
                         long cs_a, int mr, float *ap)
{
    for (long ir = 0; ir < mc; ap += (long)mr * kc) {
        const long rows = sc_gemm_row_tile(mc, mr, ir);
        sc_pack_a_f32(rows, kc, a + ir * rs_a, rs_a, cs_a, mr, ap);
        ir += rows;
    }
}

/* The block C[m0:m1, n0:n1] on the calling thread. Returns -1 when out of
 * memory, else 0.
 *
 * A row-major operand is read in place instead of packed when it is reused
 * by few micro-tiles (B for blocks of few rows, A for blocks of few columns):
 * there packing would cost as much as it saves. A partial edge panel of B is
 * then still packed, for its zero padding. */
static int sgemm_block(const sgemm_args *g, long m0, long m1, long n0, long n1)
{
    const sc_sgemm_kernels *kr = g->kr;
    const int mr = kr->mr, nr = kr->nr;
    const long kc_max = sc_gemm_k_slice(g->k, kr->kc);
    /* Row blocks of near-equal height (in whole tiles), so that no block is
     * a thin remainder that streams all of B's panel for a few rows. */
    const long m_tiles = (m1 - m0 + mr - 1) / mr;
    /* The A block's budget is mc x kc floats: a shallower K slice affords
     * proportionally more rows (up to MC_SHALLOW_MAX). */
    const long mc_cap = min_l(kr->mc * kr->kc / kc_max / mr * mr,
                              MC_SHALLOW_MAX / mr * mr);
    const long mc_rows = mc_cap > kr->mc ? mc_cap : kr->mc;
    const long m_blocks = (m_tiles * mr + mc_rows - 1) / mc_rows;
    const long mc_step = (m_tiles + m_blocks - 1) / m_blocks * mr;
    const long nc_max = min_l(kr->nc, round_up(n1 - n0, nr));
    const int direct_a = g->cs_a == 1 && (n1 - n0 <= DIRECT_A_MAX_COLS || kc_max <= 128);
    /* In place only when B's rows do not all map to the same few L1 sets
     * (row strides of a multiple of 1 KiB do). */
    const int direct_b = g->cs_b == 1 && m1 - m0 <= DIRECT_B_MAX_ROWS &&
                         g->rs_b % 256 != 0;
    const int epilogue = g->bias != NULL || g->act != SC_ACT_NONE;

    float *ap = direct_a ? NULL
                         : sc_scratch(SC_SCRATCH_GEMM_A,
                                      sc_size_mul(kc_max, mc_step));
    float *bp = sc_scratch(SC_SCRATCH_GEMM_B,
                           sc_size_mul(kc_max, direct_b ? nr : nc_max));
    if ((!direct_a && !ap) || !bp)
        return -1;

    for (long jc = n0; jc < n1; jc += kr->nc) {
        const long nc = min_l(kr->nc, n1 - jc);
        for (long pc = 0; pc < g->k; pc += kc_max) {
            const long kc = min_l(kc_max, g->k - pc);
            const float beta = pc == 0 ? g->beta : 1.0f;
            const int last_k = pc + kc == g->k;
            const float *bsrc = g->b + pc * g->rs_b + jc * g->cs_b;
            const long nc_full = nc - nc % nr;
            if (direct_b && nc_full < nc)
                sc_pack_b_f32(kc, nc - nc_full, bsrc + nc_full, g->rs_b, 1,
                              nr, bp);

            for (long ic = m0; ic < m1; ic += mc_step) {
                const long mc = min_l(mc_step, m1 - ic);
                const float *asrc = g->a + ic * g->rs_a + pc * g->cs_a;
                if (!direct_a)
                    pack_a_tiles(mc, kc, asrc, g->rs_a, g->cs_a, mr, ap);

                /* A row-major B is packed whole, walking its rows in
                 * order; a transposed one a micro-panel at a time, just
                 * before its first use, so the first row block finds it
                 * in L1. */
                const int pack_b_rows = !direct_b && ic == m0 && g->cs_b == 1;
                const int pack_b_panels = !direct_b && ic == m0 && g->cs_b != 1;
                if (pack_b_rows)
                    sc_pack_b_f32(kc, nc, bsrc, g->rs_b, 1, nr, bp);
                for (long jr = 0; jr < nc; jr += nr) {
                    const long cols = min_l(nr, nc - jr);
                    panel b = {bp + jr * kc, nr, 0};
                    if (pack_b_panels)
                        sc_pack_b_f32(kc, cols, bsrc + jr * g->cs_b, g->rs_b,
                                      g->cs_b, nr, bp + jr * kc);
                    if (direct_b)
                        b = cols == nr ? (panel){bsrc + jr, g->rs_b, 0}
                                       : (panel){bp, nr, 0};
                    long rows;
                    for (long ir = 0, t = 0; ir < mc; ir += rows, ++t) {
                        rows = sc_gemm_row_tile(mc, mr, ir);
                        const panel a =
                            direct_a ? (panel){asrc + ir * g->rs_a, g->rs_a, 1}
                                     : (panel){ap + t * mr * kc, 1, mr};
                        float *ct = g->c + (ic + ir) * g->ldc + jc + jr;
                        if (rows == mr && cols == nr)
                            kr->ukr(kc, a.p, a.rs, a.cs, b.p, b.rs, ct,
                                    g->ldc, g->alpha, beta);
                        else
                            sc_gemm_edge_tile(kr, kc, a.p, a.rs, a.cs, b.p,
                                              b.rs, ct, g->ldc, rows, cols,
                                              g->alpha, beta);
                        if (last_k && epilogue)
                            sc_bias_act_f32(ct, rows, cols, g->ldc,
                                            g->bias ? g->bias + jc + jr : NULL,
                                            g->act);
                    }
                }
            }
        }
    }
    return 0;
}

/* The m == 1 case with a row-major B: columns [n0, n1) by the gemv kernel. */
static void sgemv_block(const sgemm_args *g, long n0, long n1)
{
    float *c = g->c + n0;
    g->kr->gemv(n1 - n0, g->k, g->alpha, g->a, g->cs_a, g->b + n0, g->rs_b,
                g->beta, c);
    if (g->bias != NULL || g->act != SC_ACT_NONE)
        sc_bias_act_f32(c, 1, n1 - n0, g->ldc, g->bias ? g->bias + n0 : NULL,
                        g->act);
}

/* Choose a tm x tn grid of output blocks for up to nt threads: the one whose
 * busiest thread has the least multiply-add plus packing work. */
static void thread_grid(const sgemm_args *g, int nt, int *tm_out, int *tn_out)
{
    const long panels_m = (g->m + g->kr->mr - 1) / g->kr->mr;
    const long panels_n = (g->n + g->kr->nr - 1) / g->kr->nr;
    double best = -1.0;
    *tm_out = *tn_out = 1;
    for (int tm = 1; tm <= nt; ++tm) {
        const int tn = nt / tm;
        if (tm * tn != nt || tm > panels_m || tn > panels_n)
            continue;
        const double rows = (double)((panels_m + tm - 1) / tm) * g->kr->mr;
        const double cols = (double)((panels_n + tn - 1) / tn) * g->kr->nr;
        const double cost = rows * cols + PACK_COST * (rows + cols);
        if (best < 0.0 || cost < best) {
            best = cost;
            *tm_out = tm;
            *tn_out = tn;
        }
    }
}

/* The start of part `i` of `parts` when `len` is split in units of `unit`. */
static long split_point(long len, long unit, int parts, int i)
{
    const long units = (len + unit - 1) / unit;
    const long at = units * i / parts * unit;
    return at < len ? at : len;
}

static void scale_c(const sgemm_args *g)
{
    for (long i = 0; i < g->m; ++i) {
        float *ci = g->c + i * g->ldc;
        if (g->beta == 0.0f)
            memset(ci, 0, (size_t)g->n * sizeof(float));
        else
            for (long j = 0; j < g->n; ++j)
                ci[j] *= g->beta;
    }
    if (g->bias != NULL || g->act != SC_ACT_NONE)
        sc_bias_act_f32(g->c, g->m, g->n, g->ldc, g->bias, g->act);
}

int sc_sgemm(long m, long n, long k, float alpha, const float *a, long rs_a,
             long cs_a, const float *b, long rs_b, long cs_b, float beta,
             float *c, long ldc, const float *bias, sc_act act)
{
    if (m <= 0 || n <= 0)
        return 0;
    const sgemm_args g = {m, n, k, alpha, beta, a, rs_a, cs_a, b, rs_b, cs_b,
                          c, ldc, bias, act, sc_sgemm_current_kernels()};
    if (k <= 0) {
        scale_c(&g);
        return 0;
    }
    const int nt = sc_threads_for_work(2.0 * m * n * k);

    if (m == 1 && cs_b == 1) {
        /* Bound by memory, not arithmetic: a second core (and its cache)
         * pays off at a fraction of a GEMM's work. Columns are split on
         * cache-line multiples; each column's sum is the same either way. */
        const long unit = GEMV_SPLIT_COLS;
        const int nt = sc_threads_for_work(GEMV_WORK_WEIGHT * 2.0 * n * k);
        const int parts = (int)min_l(nt, (n + unit - 1) / unit);
        if (parts <= 1) {
            sgemv_block(&g, 0, n);
            return 0;
        }
#pragma omp parallel for num_threads(parts) schedule(static)
        for (int i = 0; i < parts; ++i)
            sgemv_block(&g, split_point(n, unit, parts, i),
                        split_point(n, unit, parts, i + 1));
        return 0;
    }

    int tm = 1, tn = 1;
    if (nt > 1)
        thread_grid(&g, nt, &tm, &tn);
    if (tm * tn == 1)
        return sgemm_block(&g, 0, m, 0, n);

    int failed = 0;
#pragma omp parallel for num_threads(tm * tn) schedule(static) \
    reduction(| : failed)
    for (int blk = 0; blk < tm * tn; ++blk) {
        const int bi = blk / tn, bj = blk % tn;
        failed |= sgemm_block(&g, split_point(m, g.kr->mr, tm, bi),
                              split_point(m, g.kr->mr, tm, bi + 1),
                              split_point(n, g.kr->nr, tn, bj),
                              split_point(n, g.kr->nr, tn, bj + 1)) != 0;
    }
    return failed ? -1 : 0;
}
