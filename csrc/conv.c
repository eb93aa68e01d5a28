/*
 * conv.c - 2-D convolution (1-D as height 1) over NHWC data with HWIO
 * kernels, as im2col + GEMM.
 *
 * Output pixels are processed in chunks: the chunk's patches are gathered
 * into a column buffer (rows = pixels, columns = kh * kw * c, the kernel's
 * row order) small enough to stay in cache, then one GEMM with the fused
 * bias + activation epilogue writes the chunk's NHWC output rows directly.
 * With enough chunks, threads take whole chunks (gather and multiply on the
 * same core); with few, the chunks run in turn on a threaded GEMM. Either
 * way every output is computed by the same operations.
 */
#include <string.h>

#include "scratch.h"
#include "seqcore.h"

/* Rows of the column buffer per chunk (times kh * kw * c floats). */
#define CHUNK_ROWS 1024L
#define PARALLEL_MIN_FLOATS 32768L
/* Channels from which im2col copies pixels with memcpy. */
#define FEW_CHANNELS 8

/* Patch rows [row0, row0 + rows) of the im2col matrix. */
static void im2col_rows(const sc_window *g, const float *x, long row0,
                        long rows, float *col)
{
    const long patch = g->kh * g->kw * g->c;
    const long per_image = g->oh * g->ow;
    const int nt = rows * patch < PARALLEL_MIN_FLOATS ? 1
                                                      : sc_threads_for_work(1e9);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long r = 0; r < rows; ++r) {
        const long pixel = row0 + r;
        const long n = pixel / per_image;
        const long oh = (pixel % per_image) / g->ow;
        const long ow = pixel % g->ow;
        float *dst = col + r * patch;
        const float *image = x + n * g->h * g->w * g->c;
        for (long i = 0; i < g->kh; ++i) {
            const long ih = oh * g->sh - g->pad_top + i * g->dh;
            for (long j = 0; j < g->kw; ++j, dst += g->c) {
                const long iw = ow * g->sw - g->pad_left + j * g->dw;
                const int inside = ih >= 0 && ih < g->h && iw >= 0 &&
                                   iw < g->w;
                const float *src = image + (ih * g->w + iw) * g->c;
                if (g->c >= FEW_CHANNELS) {
                    if (inside)
                        memcpy(dst, src, (size_t)g->c * sizeof(float));
                    else
                        memset(dst, 0, (size_t)g->c * sizeof(float));
                } else {
                    /* an image's 1 or 3 channels: a call would cost more
                     * than the copy */
                    for (long ch = 0; ch < g->c; ++ch)
                        dst[ch] = inside ? src[ch] : 0.0f;
                }
            }
        }
    }
}

static int is_pointwise(const sc_window *g)
{
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 &&
           g->pad_top == 0 && g->pad_left == 0 && g->oh == g->h &&
           g->ow == g->w;
}

/* Output rows [row0, row0 + rows): gather the patches, then one GEMM. */
static int conv_chunk(const sc_window *g, const float *x, const float *k,
                      long filters, const float *bias, sc_act act, float *y,
                      long row0, long rows, float *col)
{
    const long patch = g->kh * g->kw * g->c;
    im2col_rows(g, x, row0, rows, col);
    return sc_sgemm(rows, filters, patch, 1.0f, col, patch, 1, k, filters, 1,
                    0.0f, y + row0 * filters, filters, bias, act);
}

int sc_conv2d_forward_f32(const sc_window *g, const float *x, const float *k,
                          long filters, const float *bias, sc_act act,
                          float *y)
{
    const long pixels = g->n * g->oh * g->ow;
    const long patch = g->kh * g->kw * g->c;
    if (pixels == 0 || filters == 0)
        return 0;
    if (is_pointwise(g)) /* a 1x1 convolution is a plain GEMM */
        return sc_sgemm(pixels, filters, g->c, 1.0f, x, g->c, 1, k, filters,
                        1, 0.0f, y, filters, bias, act);

    const long chunks = (pixels + CHUNK_ROWS - 1) / CHUNK_ROWS;
    const long chunk_floats = (pixels < CHUNK_ROWS ? pixels : CHUNK_ROWS) *
                              patch;
    int nt = sc_threads_for_work(2.0 * pixels * patch * filters);
    if (chunks < 2L * nt)
        nt = 1; /* too few chunks to share: thread inside each GEMM */
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        float *col = sc_scratch(SC_SCRATCH_IM2COL, (size_t)chunk_floats);
        failed |= col == NULL;
#pragma omp for schedule(static)
        for (long c = 0; c < chunks; ++c) {
            const long row0 = c * CHUNK_ROWS;
            const long rows = pixels - row0 < CHUNK_ROWS ? pixels - row0
                                                         : CHUNK_ROWS;
            if (col)
                failed |= conv_chunk(g, x, k, filters, bias, act, y, row0,
                                     rows, col) != 0;
        }
    }
    return failed ? -1 : 0;
}
