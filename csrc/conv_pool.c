/*
 * conv_pool.c - a convolution and the max pooling after it, in one pass:
 * the convolution's rows are computed into a buffer that stays in cache and
 * pooled from there, so its full output never goes to memory, and the rows
 * no pooling window reaches are not computed at all.
 *
 * A 3x3 convolution before a 2x2 pooling takes Winograd's algorithm
 * instead (winograd.c). Otherwise images are taken in chunks: each chunk's convolution rows (on the thin
 * path, or im2col + one GEMM with the fused bias and activation), then its
 * pooling (pool.c, which records each maximum's pixel for the routed
 * gradients of conv_routed.c). Outputs are computed by the same operations
 * as sc_conv2d_forward_f32 and sc_maxpool2d_forward_f32 compute them.
 */
#include <stdlib.h>

#include "conv_internal.h"
#include "omp_compat.h"
#include "scratch.h"
#include "seqcore.h"
#include "winograd.h"

/* Convolution rows per GEMM chunk (times kh * kw * c floats of columns). */
#define CHUNK_ROWS 1024L

typedef struct {
    const sc_window *conv;
    sc_window pool;        /* over the convolution rows the pooling uses */
    long used;             /* those rows' pixels per image */
    const float *x, *k, *bias;
    long filters;
    sc_act act;
    float *y;
    int *where;
} fused;

/* Pool images [n0, n1) from their convolution rows in `rows`. */
static void pool_images(const fused *f, const float *rows, long n0, long n1)
{
    sc_window p = f->pool;
    const long pooled = p.oh * p.ow * p.c;
    p.n = n1 - n0;
    sc_maxpool2d_forward_f32(&p, rows, f->y + n0 * pooled,
                             f->where ? f->where + n0 * pooled : NULL);
}

/* Thin inputs: images [n0, n1), one at a time. */
static int thin_images(const fused *f, const float *kp, long ld, long n0,
                       long n1)
{
    const sc_window *g = f->conv;
    float *rows = sc_scratch(SC_SCRATCH_CONV_OUT,
                             (size_t)(f->used * f->filters));
    float *buf = sc_scratch(SC_SCRATCH_IM2COL,
                            (size_t)sc_conv_thin_buffer_floats(g, ld));
    if (rows == NULL || buf == NULL)
        return -1;
    for (long n = n0; n < n1; ++n) {
        sc_conv_thin_rows(g, f->x + n * g->h * g->w * g->c, kp, ld,
                          f->filters, f->act, 0, f->pool.h, rows, buf);
        pool_images(f, rows, n, n + 1);
    }
    return 0;
}

/* im2col + GEMM: images [n0, n1) in one GEMM. */
static int gemm_images(const fused *f, long n0, long n1)
{
    const sc_window *g = f->conv;
    const long patch = g->kh * g->kw * g->c;
    const long m = (n1 - n0) * f->used;
    float *col = sc_scratch(SC_SCRATCH_IM2COL, (size_t)(m * patch));
    float *rows = sc_scratch(SC_SCRATCH_CONV_OUT, (size_t)(m * f->filters));
    if (col == NULL || rows == NULL)
        return -1;
    for (long n = n0; n < n1; ++n)
        sc_im2col_rows(g, f->x, n * g->oh * g->ow, f->used,
                       col + (n - n0) * f->used * patch);
    if (sc_sgemm(m, f->filters, patch, 1.0f, col, patch, 1, f->k, f->filters,
                 1, 0.0f, rows, f->filters, f->bias, f->act) != 0)
        return -1;
    pool_images(f, rows, n0, n1);
    return 0;
}

static int thin_forward(const fused *f)
{
    const sc_window *g = f->conv;
    long ld;
    float *kp = sc_conv_thin_pack(g, f->k, f->filters, f->bias, &ld);
    if (kp == NULL)
        return -1;
    const int nt = sc_threads_for_work(2.0 * g->n * f->used * g->kh * g->kw *
                                       g->c * f->filters);
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        const int t = sc_omp_thread(), team = sc_omp_team();
        failed |= thin_images(f, kp, ld, g->n * t / team,
                              g->n * (t + 1) / team) != 0;
    }
    free(kp);
    return failed ? -1 : 0;
}

static int gemm_forward(const fused *f)
{
    const sc_window *g = f->conv;
    const long patch = g->kh * g->kw * g->c;
    long chunks = (g->n * f->used + CHUNK_ROWS - 1) / CHUNK_ROWS;
    int nt = sc_threads_for_work(2.0 * g->n * f->used * patch * f->filters);
    if (chunks < 2L * nt)
        nt = 1; /* few chunks: one at a time, each GEMM threaded */
    else
        chunks = (chunks + nt - 1) / nt * nt; /* an even share each */
    if (nt == 1) { /* no parallel region: the GEMM's own team would nest */
        for (long c = 0; c < chunks; ++c)
            if (gemm_images(f, g->n * c / chunks, g->n * (c + 1) / chunks) !=
                0)
                return -1;
        return 0;
    }
    int failed = 0;
#pragma omp parallel for num_threads(nt) schedule(static) \
    reduction(| : failed)
    for (long c = 0; c < chunks; ++c)
        failed |= gemm_images(f, g->n * c / chunks,
                              g->n * (c + 1) / chunks) != 0;
    return failed ? -1 : 0;
}

int sc_conv2d_maxpool_forward_f32(const sc_window *g, const float *x,
                                  const float *k, long filters,
                                  const float *bias, sc_act act, long ph,
                                  long pw, float *y, int *where)
{
    fused f = {.conv = g, .x = x, .k = k, .bias = bias, .filters = filters,
               .act = act, .y = y, .where = where};
    f.pool = (sc_window){.n = g->n, .h = g->oh / ph * ph, .w = g->ow,
                         .c = filters, .kh = ph, .kw = pw, .sh = ph,
                         .sw = pw, .dh = 1, .dw = 1, .pad_top = 0,
                         .pad_left = 0, .oh = g->oh / ph, .ow = g->ow / pw};
    f.used = f.pool.h * g->ow;
    if (g->n == 0 || filters == 0 || f.pool.oh == 0 || f.pool.ow == 0)
        return 0;
    if (sc_conv_is_thin(g))
        return thin_forward(&f);
    if (sc_winograd_applies(g, ph, pw))
        return sc_conv3x3_maxpool2_winograd_f32(g, x, k, filters, bias, act,
                                                y, where);
    return gemm_forward(&f);
}
