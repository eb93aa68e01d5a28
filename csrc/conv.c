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
 *
 * Thin inputs (one to a few channels, as a network's first layer on
 * grayscale images) make patch rows too short for im2col + GEMM to be more
 * than packing; they take a direct loop instead that vectorizes the
 * filters (conv_thin_impl.h), threads over output rows.
 */
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "conv_internal.h"
#include "conv_thin.h"
#include "kernel_table.h"
#include "omp_compat.h"
#include "scratch.h"
#include "seqcore.h"

/* Rows of the column buffer per chunk (times kh * kw * c floats). */
#define CHUNK_ROWS 1024L
#define PARALLEL_MIN_FLOATS 32768L
/* Channels from which im2col copies pixels with memcpy. */
#define FEW_CHANNELS 8

void sc_im2col_rows(const sc_window *g, const float *x, long row0,
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

/* Patch rows (kw * c inputs) shorter than this take the thin path. */
#define THIN_MAX_RUN 16L

int sc_conv_is_thin(const sc_window *g)
{
    return g->kw * g->c < THIN_MAX_RUN;
}

float *sc_conv_thin_pack(const sc_window *g, const float *k, long filters,
                         const float *bias, long *ld)
{
    const long patch = g->kh * g->kw * g->c;
    *ld = (filters + THIN_FILTER_BLOCK - 1) / THIN_FILTER_BLOCK *
          THIN_FILTER_BLOCK;
    float *kp = sc_alloc_zero(sc_size_mul(patch + 1, *ld), sizeof(float));
    if (kp == NULL)
        return NULL;
    for (long t = 0; t < patch; ++t)
        memcpy(kp + t * *ld, k + t * filters, (size_t)filters * sizeof(float));
    if (bias)
        memcpy(kp + patch * *ld, bias, (size_t)filters * sizeof(float));
    return kp;
}

size_t sc_conv_thin_buffer_floats(const sc_window *g, long ld)
{
    return sc_size_add(sc_size_mul(g->kh * g->kw * g->c, THIN_COLS_WIDTH(g)),
                       sc_size_mul(g->ow, ld));
}

void sc_conv_thin_rows(const sc_window *g, const float *image,
                       const float *kp, long ld, long filters, sc_act act,
                       long oh0, long oh1, float *out, float *buf)
{
    const float *bias_padded = kp + g->kh * g->kw * g->c * ld;
    float *padded_row = buf + THIN_COLS_FLOATS(g);
    for (long oh = oh0; oh < oh1; ++oh) {
        float *row = out + (oh - oh0) * g->ow * filters;
        sc_kernel_table_current()->conv_thin_row(g, image, kp, ld, bias_padded, oh,
                 ld == filters ? row : padded_row, buf);
        if (ld != filters)
            for (long ow = 0; ow < g->ow; ++ow)
                memcpy(row + ow * filters, padded_row + ow * ld,
                       (size_t)filters * sizeof(float));
        if (act != SC_ACT_NONE)
            sc_act_rows_f32(row, row, g->ow * filters, act);
    }
}

/* Every output row on the thin path, threads over rows. */
static int conv_thin(const sc_window *g, const float *x, const float *k,
                     long filters, const float *bias, sc_act act, float *y)
{
    const long patch = g->kh * g->kw * g->c;
    long ld;
    float *kp = sc_conv_thin_pack(g, k, filters, bias, &ld);
    if (kp == NULL)
        return -1;
    const long image_size = g->h * g->w * g->c;
    const long rows = g->n * g->oh;
    const int nt = sc_threads_for_work(2.0 * rows * g->ow * patch * filters);
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        float *buf = sc_scratch(SC_SCRATCH_IM2COL,
                                sc_conv_thin_buffer_floats(g, ld));
        const int ready = buf != NULL;
        failed |= !ready;
#pragma omp for schedule(static)
        for (long r = 0; r < rows; ++r)
            if (ready)
                sc_conv_thin_rows(g, x + r / g->oh * image_size, kp, ld,
                                  filters, act, r % g->oh, r % g->oh + 1,
                                  y + r * g->ow * filters, buf);
    }
    free(kp);
    return failed ? -1 : 0;
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
    sc_im2col_rows(g, x, row0, rows, col);
    return sc_sgemm(rows, filters, patch, 1.0f, col, patch, 1, k, filters, 1,
                    0.0f, y + row0 * filters, filters, bias, act);
}

/* Chunks [c0, c1) of the output rows, in order. */
static int conv_chunks(const sc_window *g, const float *x, const float *k,
                       long filters, const float *bias, sc_act act, float *y,
                       long c0, long c1, float *col)
{
    const long pixels = g->n * g->oh * g->ow;
    int failed = 0;
    for (long c = c0; c < c1; ++c) {
        const long row0 = c * CHUNK_ROWS;
        const long rows = pixels - row0 < CHUNK_ROWS ? pixels - row0
                                                     : CHUNK_ROWS;
        failed |= conv_chunk(g, x, k, filters, bias, act, y, row0, rows,
                             col) != 0;
    }
    return failed;
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
    if (sc_conv_is_thin(g))
        return conv_thin(g, x, k, filters, bias, act, y);

    const long chunks = (pixels + CHUNK_ROWS - 1) / CHUNK_ROWS;
    const size_t chunk_floats =
        sc_size_mul(pixels < CHUNK_ROWS ? pixels : CHUNK_ROWS, patch);
    int nt = sc_threads_for_work(2.0 * pixels * patch * filters);
    if (chunks < 2L * nt)
        nt = 1; /* too few chunks to share: thread inside each GEMM */
    if (nt == 1) {
        /* No parallel region: inside even a one-thread region, the GEMM's
         * own team would be a nested one, created afresh at every call. */
        float *col = sc_scratch(SC_SCRATCH_IM2COL, chunk_floats);
        return col ? conv_chunks(g, x, k, filters, bias, act, y, 0, chunks,
                                 col)
                   : -1;
    }
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        float *col = sc_scratch(SC_SCRATCH_IM2COL, chunk_floats);
        failed |= col == NULL;
        const int t = sc_omp_thread(), team = sc_omp_team();
        const long first = chunks * t / team, last = chunks * (t + 1) / team;
        if (col)
            failed |= conv_chunks(g, x, k, filters, bias, act, y, first, last,
                                  col);
    }
    return failed ? -1 : 0;
}

/* ---- backward --------------------------------------------------------------
 * Both gradients walk the output rows in chunks of CHUNK_ROWS (dx: per
 * image), in the same order whatever the thread count. dk accumulates chunk
 * after chunk through a threaded GEMM (threads split dk's blocks, never the
 * sum). dx
 * multiplies dy by the kernel back into patch columns and scatters them into
 * the image (col2im); threads take whole images, whose gradients are
 * disjoint. */

/* Add the patch columns of output rows [row0, row0 + rows) of one image
 * back into its input gradient. */
static void col2im_rows(const sc_window *g, const float *col, long row0,
                        long rows, float *dimage)
{
    const long patch = g->kh * g->kw * g->c;
    for (long r = 0; r < rows; ++r) {
        const long oh = (row0 + r) / g->ow, ow = (row0 + r) % g->ow;
        const float *src = col + r * patch;
        for (long i = 0; i < g->kh; ++i) {
            const long ih = oh * g->sh - g->pad_top + i * g->dh;
            for (long j = 0; j < g->kw; ++j, src += g->c) {
                const long iw = ow * g->sw - g->pad_left + j * g->dw;
                if (ih < 0 || ih >= g->h || iw < 0 || iw >= g->w)
                    continue;
                float *dst = dimage + (ih * g->w + iw) * g->c;
                for (long ch = 0; ch < g->c; ++ch)
                    dst[ch] += src[ch];
            }
        }
    }
}

/* The input gradient of images [n0, n1), each in chunks of output rows. */
static int images_backward(const sc_window *g, const float *k, long filters,
                           const float *dy, float *dx, long n0, long n1,
                           float *col)
{
    const long per_image = g->oh * g->ow;
    const long patch = g->kh * g->kw * g->c;
    const long image_size = g->h * g->w * g->c;
    const long chunk = per_image < CHUNK_ROWS ? per_image : CHUNK_ROWS;
    int failed = 0;
    for (long n = n0; n < n1; ++n) {
        float *dimage = dx + n * image_size;
        memset(dimage, 0, (size_t)image_size * sizeof(float));
        for (long row0 = 0; row0 < per_image; row0 += chunk) {
            const long rows = per_image - row0 < chunk ? per_image - row0
                                                       : chunk;
            const float *dyc = dy + (n * per_image + row0) * filters;
            failed |= sc_sgemm(rows, patch, filters, 1.0f, dyc, filters, 1, k,
                               1, filters, 0.0f, col, patch, NULL,
                               SC_ACT_NONE) != 0;
            col2im_rows(g, col, row0, rows, dimage);
        }
    }
    return failed;
}

static int conv_backward_input(const sc_window *g, const float *k,
                               long filters, const float *dy, float *dx)
{
    const long per_image = g->oh * g->ow;
    const long patch = g->kh * g->kw * g->c;
    const long chunk = per_image < CHUNK_ROWS ? per_image : CHUNK_ROWS;
    int nt = sc_threads_for_work(2.0 * g->n * per_image * patch * filters);
    if (g->n < 2L * nt)
        nt = 1; /* few images: thread inside each GEMM instead */
    if (nt == 1) { /* no parallel region: see sc_conv2d_forward_f32 */
        float *col = sc_scratch(SC_SCRATCH_IM2COL, sc_size_mul(chunk, patch));
        return col ? images_backward(g, k, filters, dy, dx, 0, g->n, col)
                   : -1;
    }
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        float *col = sc_scratch(SC_SCRATCH_IM2COL, sc_size_mul(chunk, patch));
        failed |= col == NULL;
        const int t = sc_omp_thread(), team = sc_omp_team();
        if (col)
            failed |= images_backward(g, k, filters, dy, dx,
                                      g->n * t / team, g->n * (t + 1) / team,
                                      col);
    }
    return failed ? -1 : 0;
}

/* dk over chunks [c0, c1) of the output rows, in order, into out
 * (beta 0: overwrite). */
static int kernel_grad_chunks(const sc_window *g, const float *x, long filters,
                              const float *dy, float *out, float beta,
                              long c0, long c1, float *col)
{
    const long pixels = g->n * g->oh * g->ow;
    const long patch = g->kh * g->kw * g->c;
    for (long c = c0; c < c1; ++c) {
        const long row0 = c * CHUNK_ROWS;
        const long rows = pixels - row0 < CHUNK_ROWS ? pixels - row0
                                                     : CHUNK_ROWS;
        sc_im2col_rows(g, x, row0, rows, col);
        if (sc_sgemm(patch, filters, rows, 1.0f, col, 1, patch,
                     dy + row0 * filters, filters, 1, beta, out, filters, NULL,
                     SC_ACT_NONE) != 0)
            return -1;
        beta = 1.0f;
    }
    return 0;
}

/* dk = beta * dk + patches^T dy. The chunks are cut into DK_GROUPS groups
 * (a number that does not depend on the threads); threads take whole
 * groups, each summing its chunks into its own partial dk, and the partials
 * are added in group order: parallel over the reduction, yet the same bits
 * at any thread count. */
#define DK_GROUPS 16L

static int conv_backward_kernel(const sc_window *g, const float *x,
                                long filters, const float *dy, float *dk,
                                float beta)
{
    const long pixels = g->n * g->oh * g->ow;
    const long patch = g->kh * g->kw * g->c;
    const long chunk = pixels < CHUNK_ROWS ? pixels : CHUNK_ROWS;
    const long chunks = (pixels + CHUNK_ROWS - 1) / CHUNK_ROWS;
    const long groups = chunks < DK_GROUPS ? chunks : DK_GROUPS;
    const long size = patch * filters;
    if (groups == 1) {
        float *col = sc_scratch(SC_SCRATCH_IM2COL, sc_size_mul(chunk, patch));
        return col ? kernel_grad_chunks(g, x, filters, dy, dk, beta, 0,
                                        chunks, col)
                   : -1;
    }
    float *partial = sc_alloc(sc_size_mul(groups, size), sizeof(float));
    if (partial == NULL)
        return -1;
    int nt = sc_threads_for_work(2.0 * pixels * patch * filters);
    if (groups < 2L * nt)
        nt = 1;
    int failed = 0;
    if (nt == 1) { /* no parallel region: see sc_conv2d_forward_f32 */
        float *col = sc_scratch(SC_SCRATCH_IM2COL, sc_size_mul(chunk, patch));
        for (long q = 0; q < groups && !failed; ++q)
            failed |= col == NULL ||
                      kernel_grad_chunks(g, x, filters, dy, partial + q * size,
                                         0.0f, chunks * q / groups,
                                         chunks * (q + 1) / groups, col) != 0;
    } else {
#pragma omp parallel for num_threads(nt) schedule(static) \
    reduction(| : failed)
        for (long q = 0; q < groups; ++q) {
            float *col = sc_scratch(SC_SCRATCH_IM2COL,
                                    sc_size_mul(chunk, patch));
            failed |= col == NULL ||
                      kernel_grad_chunks(g, x, filters, dy,
                                         partial + q * size, 0.0f,
                                         chunks * q / groups,
                                         chunks * (q + 1) / groups, col) != 0;
        }
    }
    if (!failed) {
        for (long q = 1; q < groups; ++q)
            for (long e = 0; e < size; ++e)
                partial[e] += partial[q * size + e];
        for (long e = 0; e < size; ++e)
            dk[e] = beta == 0.0f ? partial[e] : dk[e] + partial[e];
    }
    free(partial);
    return failed ? -1 : 0;
}

int sc_conv2d_backward_f32(const sc_window *g, const float *x, const float *k,
                           long filters, const float *dy, float *dk,
                           float beta, float *dx)
{
    const long pixels = g->n * g->oh * g->ow;
    const long patch = g->kh * g->kw * g->c;
    if (dk != NULL && pixels == 0 && beta == 0.0f)
        memset(dk, 0, (size_t)(patch * filters) * sizeof(float));
    if (pixels == 0 || filters == 0) {
        if (dx != NULL)
            memset(dx, 0, (size_t)(g->n * g->h * g->w * g->c) * sizeof(float));
        return 0;
    }
    if (is_pointwise(g)) {
        if (dk != NULL && sc_sgemm(g->c, filters, pixels, 1.0f, x, 1, g->c,
                                   dy, filters, 1, beta, dk, filters, NULL,
                                   SC_ACT_NONE) != 0)
            return -1;
        if (dx != NULL && sc_sgemm(pixels, g->c, filters, 1.0f, dy, filters,
                                   1, k, 1, filters, 0.0f, dx, g->c, NULL,
                                   SC_ACT_NONE) != 0)
            return -1;
        return 0;
    }
    if (dk != NULL && conv_backward_kernel(g, x, filters, dy, dk, beta) != 0)
        return -1;
    if (dx != NULL && conv_backward_input(g, k, filters, dy, dx) != 0)
        return -1;
    return 0;
}
