/*
 * conv_pool.c - a convolution and the max pooling after it, in one pass:
 * the convolution's rows are computed into a buffer that stays in cache and
 * pooled from there, so its full output never goes to memory, and the rows
 * no pooling window reaches are not computed at all.
 *
 * A 3x3 convolution before a 2x2 pooling takes Winograd's algorithm
 * instead (winograd.c). Otherwise the pooled output rows of all images,
 * n * (oh / ph) of them, are cut into chunks of a fixed number of rows
 * (about CHUNK_ROWS convolution pixels; a chunk may span images). Each
 * chunk computes the convolution rows its pooling windows cover (on the
 * thin path, or im2col + one GEMM with the fused bias and activation) and
 * pools them (pool.c, which records each maximum's pixel for the routed
 * gradients of conv_routed.c). The chunks do not depend on the thread
 * count, and every output is computed by the same operations as
 * sc_conv2d_forward_f32 and sc_maxpool2d_forward_f32 compute it.
 *
 * Workspaces are sized from the chunk being computed, whatever the batch:
 * a chunk is never empty and never larger than its rows.
 */
#include <stdlib.h>

#include "conv_internal.h"
#include "omp_compat.h"
#include "scratch.h"
#include "seqcore.h"
#include "winograd.h"

/* Convolution pixels per chunk (times kh * kw * c floats of columns). */
#define CHUNK_ROWS 1024L

typedef struct {
    const sc_window *conv;
    long ph, pw;           /* the pooling window (= its strides) */
    long poh, pow;         /* the pooled output's rows and columns */
    long band;             /* pooled rows per chunk */
    long total;            /* pooled rows of all images: n * poh */
    const float *x, *k, *bias;
    long filters;
    sc_act act;
    float *y;
    int *where;
} fused;

/* The pooled rows [q0, q1) of chunk q: a fixed band of every image's rows
 * in turn, the last chunk shorter. */
static void chunk_rows(const fused *f, long q, long *q0, long *q1)
{
    *q0 = q * f->band;
    *q1 = *q0 + f->band < f->total ? *q0 + f->band : f->total;
}

/* Pool the convolution rows of pooled rows [r0, r1) of image n, held in
 * `rows` ((r1 - r0) * ph x ow x filters): y and where of those rows, where
 * counting pixels of the image's whole convolution output. */
static void pool_piece(const fused *f, const float *rows, long n, long r0,
                       long r1)
{
    const sc_window *g = f->conv;
    const sc_window p = {.n = 1, .h = (r1 - r0) * f->ph, .w = g->ow,
                         .c = f->filters, .kh = f->ph, .kw = f->pw,
                         .sh = f->ph, .sw = f->pw, .dh = 1, .dw = 1,
                         .pad_top = 0, .pad_left = 0, .oh = r1 - r0,
                         .ow = f->pow};
    const long at = ((n * f->poh) + r0) * f->pow * f->filters;
    int *where = f->where ? f->where + at : NULL;
    sc_maxpool2d_forward_f32(&p, rows, f->y + at, where);
    if (where) { /* pixels of the band -> pixels of the image */
        const int shift = (int)(r0 * f->ph * g->ow);
        const long count = (r1 - r0) * f->pow * f->filters;
        for (long e = 0; e < count; ++e)
            where[e] += shift;
    }
}

/* The pieces of pooled rows [q0, q1): image n, its pooled rows [r0, r1),
 * for each image the range meets, with the piece's first convolution row
 * in the chunk (`at`, in pixels). Calls fn(f, n, r0, r1, at, ctx). */
typedef int (*piece_fn)(const fused *f, long n, long r0, long r1, long at,
                        void *ctx);

static int for_pieces(const fused *f, long q0, long q1, piece_fn fn,
                      void *ctx)
{
    const long pixels_per_row = f->ph * f->conv->ow;
    long at = 0;
    for (long q = q0; q < q1;) {
        const long n = q / f->poh, r0 = q % f->poh;
        const long r1 = q1 - n * f->poh < f->poh ? q1 - n * f->poh : f->poh;
        if (fn(f, n, r0, r1, at, ctx) != 0)
            return -1;
        at += (r1 - r0) * pixels_per_row;
        q += r1 - r0;
    }
    return 0;
}

/* ---- thin inputs: the direct row loop ------------------------------ */

typedef struct {
    const float *kp;
    long ld;
    float *rows, *buf;
} thin_ctx;

static int thin_piece(const fused *f, long n, long r0, long r1, long at,
                      void *ctx)
{
    const sc_window *g = f->conv;
    const thin_ctx *t = ctx;
    (void)at; /* each piece is computed and pooled on its own */
    sc_conv_thin_rows(g, f->x + n * g->h * g->w * g->c, t->kp, t->ld,
                      f->filters, f->act, r0 * f->ph, r1 * f->ph, t->rows,
                      t->buf);
    pool_piece(f, t->rows, n, r0, r1);
    return 0;
}

/* Chunks [c0, c1) on the thin path. */
static int thin_chunks(const fused *f, const float *kp, long ld, long c0,
                       long c1)
{
    const sc_window *g = f->conv;
    thin_ctx t = {.kp = kp, .ld = ld};
    t.rows = sc_scratch(SC_SCRATCH_CONV_OUT,
                        sc_size_mul3(f->band * f->ph, g->ow, f->filters));
    t.buf = sc_scratch(SC_SCRATCH_IM2COL,
                       sc_conv_thin_buffer_floats(g, ld));
    if (t.rows == NULL || t.buf == NULL)
        return -1;
    for (long q = c0; q < c1; ++q) {
        long q0, q1;
        chunk_rows(f, q, &q0, &q1);
        for_pieces(f, q0, q1, thin_piece, &t);
    }
    return 0;
}

static int thin_forward(const fused *f, long chunks)
{
    const sc_window *g = f->conv;
    long ld;
    float *kp = sc_conv_thin_pack(g, f->k, f->filters, f->bias, &ld);
    if (kp == NULL)
        return -1;
    int nt = sc_threads_for_work(2.0 * f->total * f->ph * g->ow * g->kh *
                                 g->kw * g->c * f->filters);
    if (nt > chunks)
        nt = (int)chunks;
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        const int t = sc_omp_thread(), team = sc_omp_team();
        failed |= thin_chunks(f, kp, ld, chunks * t / team,
                              chunks * (t + 1) / team) != 0;
    }
    free(kp);
    return failed ? -1 : 0;
}

/* ---- im2col + GEMM ------------------------------------------------- */

typedef struct {
    float *col;  /* the chunk's columns, piece after piece */
    float *rows; /* the chunk's convolution rows, the same order */
} gemm_ctx;

static int gather_piece(const fused *f, long n, long r0, long r1, long at,
                        void *ctx)
{
    const sc_window *g = f->conv;
    const gemm_ctx *c = ctx;
    const long patch = g->kh * g->kw * g->c;
    sc_im2col_rows(g, f->x, (n * g->oh + r0 * f->ph) * g->ow,
                   (r1 - r0) * f->ph * g->ow, c->col + at * patch);
    return 0;
}

static int pool_gemm_piece(const fused *f, long n, long r0, long r1, long at,
                           void *ctx)
{
    const gemm_ctx *c = ctx;
    pool_piece(f, c->rows + at * f->filters, n, r0, r1);
    return 0;
}

/* Chunk q: gather its pieces' columns, one GEMM, pool each piece. */
static int gemm_chunk(const fused *f, long q)
{
    const sc_window *g = f->conv;
    const long patch = g->kh * g->kw * g->c;
    long q0, q1;
    chunk_rows(f, q, &q0, &q1);
    const long m = (q1 - q0) * f->ph * g->ow;
    gemm_ctx c;
    c.col = sc_scratch(SC_SCRATCH_IM2COL, sc_size_mul(m, patch));
    c.rows = sc_scratch(SC_SCRATCH_CONV_OUT, sc_size_mul(m, f->filters));
    if (c.col == NULL || c.rows == NULL)
        return -1;
    for_pieces(f, q0, q1, gather_piece, &c);
    if (sc_sgemm(m, f->filters, patch, 1.0f, c.col, patch, 1, f->k,
                 f->filters, 1, 0.0f, c.rows, f->filters, f->bias,
                 f->act) != 0)
        return -1;
    return for_pieces(f, q0, q1, pool_gemm_piece, &c);
}

static int gemm_forward(const fused *f, long chunks)
{
    const sc_window *g = f->conv;
    const long patch = g->kh * g->kw * g->c;
    int nt = sc_threads_for_work(2.0 * f->total * f->ph * g->ow * patch *
                                 f->filters);
    if (chunks < 2L * nt)
        nt = 1; /* few chunks: one at a time, each GEMM threaded */
    if (nt == 1) { /* no parallel region: the GEMM's own team would nest */
        for (long q = 0; q < chunks; ++q)
            if (gemm_chunk(f, q) != 0)
                return -1;
        return 0;
    }
    int failed = 0;
#pragma omp parallel for num_threads(nt) schedule(static) \
    reduction(| : failed)
    for (long q = 0; q < chunks; ++q)
        failed |= gemm_chunk(f, q) != 0;
    return failed ? -1 : 0;
}

const char *sc_conv2d_maxpool_path(const sc_window *g, long ph, long pw)
{
    if (sc_winograd_applies(g, ph, pw)) /* never thin: c >= 8 */
        return "winograd";
    return sc_conv_is_thin(g) ? "thin" : "gemm";
}

int sc_conv2d_maxpool_forward_f32(const sc_window *g, const float *x,
                                  const float *k, long filters,
                                  const float *bias, sc_act act, long ph,
                                  long pw, float *y, int *where)
{
    if (ph < 1 || pw < 1 || g->oh < 0 || g->ow < 0)
        return 0;
    fused f = {.conv = g, .ph = ph, .pw = pw, .poh = g->oh / ph,
               .pow = g->ow / pw, .x = x, .k = k, .bias = bias,
               .filters = filters, .act = act, .y = y, .where = where};
    if (g->n == 0 || filters == 0 || f.poh == 0 || f.pow == 0)
        return 0;
    const char *path = sc_conv2d_maxpool_path(g, ph, pw);
    if (path[0] == 'w')
        return sc_conv3x3_maxpool2_winograd_f32(g, x, k, filters, bias, act,
                                                y, where);
    f.total = g->n * f.poh;
    f.band = CHUNK_ROWS / (ph * g->ow);
    if (f.band < 1)
        f.band = 1;
    if (f.band > f.total)
        f.band = f.total;
    const long chunks = (f.total + f.band - 1) / f.band;
    return path[0] == 't' ? thin_forward(&f, chunks)
                          : gemm_forward(&f, chunks);
}
