/* pool.c - max and average pooling over NHWC windows; threads split the
 * output rows, and each output pixel reduces its window channel-wise. */
#include <stdlib.h>
#include <string.h>

#include "omp_compat.h"
#include "seqcore.h"

#define PARALLEL_MIN_OUTPUTS 16384L

static int threads_for(const sc_window *g)
{
    const long outputs = g->n * g->oh * g->ow * g->c;
    return outputs < PARALLEL_MIN_OUTPUTS ? 1 : sc_threads_for_work(1e9);
}

/* The window positions [*lo, *hi) of output index o that fall inside an
 * input axis of length n (padded positions never count). */
static void window_range(long o, long stride, long pad, long window,
                         long dilation, long n, long *lo, long *hi)
{
    const long start = o * stride - pad;
    long first = 0, last = window;
    while (first < window && start + first * dilation < 0)
        ++first;
    while (last > first && start + (last - 1) * dilation >= n)
        --last;
    *lo = first;
    *hi = last;
}

/* The window's maximum per channel into out and, when `where` is not NULL,
 * the pixel (ih * w + iw) of its first maximum in scan order, the element
 * the gradient goes to (-1 for a window entirely in the padding). The
 * selects are branch-free so that the channel loop vectorizes. */
static void max_pixel(const sc_window *g, const float *restrict image,
                      long oh, long ow, float *restrict out,
                      int *restrict where)
{
    long i0, i1, j0, j1;
    window_range(oh, g->sh, g->pad_top, g->kh, g->dh, g->h, &i0, &i1);
    window_range(ow, g->sw, g->pad_left, g->kw, g->dw, g->w, &j0, &j1);
    if (i0 >= i1 || j0 >= j1) {
        for (long ch = 0; ch < g->c; ++ch)
            out[ch] = 0.0f;
        if (where)
            for (long ch = 0; ch < g->c; ++ch)
                where[ch] = -1;
        return;
    }
    int first = 1;
    for (long i = i0; i < i1; ++i) {
        const long ih = oh * g->sh - g->pad_top + i * g->dh;
        for (long j = j0; j < j1; ++j) {
            const long iw = ow * g->sw - g->pad_left + j * g->dw;
            const int pixel = (int)(ih * g->w + iw);
            const float *restrict in = image + (long)pixel * g->c;
            if (first) {
                for (long ch = 0; ch < g->c; ++ch)
                    out[ch] = in[ch];
                if (where)
                    for (long ch = 0; ch < g->c; ++ch)
                        where[ch] = pixel;
                first = 0;
            } else if (where) {
                for (long ch = 0; ch < g->c; ++ch) {
                    const float v = in[ch], b = out[ch];
                    const int larger = -(int)(v > b); /* all ones or zero */
                    out[ch] = v > b ? v : b;
                    where[ch] = (pixel & larger) | (where[ch] & ~larger);
                }
            } else {
                for (long ch = 0; ch < g->c; ++ch)
                    out[ch] = in[ch] > out[ch] ? in[ch] : out[ch];
            }
        }
    }
}

static void avg_pixel(const sc_window *g, const float *restrict image,
                      long oh, long ow, float *restrict out,
                      int *restrict where)
{
    (void)where;
    long i0, i1, j0, j1;
    window_range(oh, g->sh, g->pad_top, g->kh, g->dh, g->h, &i0, &i1);
    window_range(ow, g->sw, g->pad_left, g->kw, g->dw, g->w, &j0, &j1);
    for (long ch = 0; ch < g->c; ++ch)
        out[ch] = 0.0f;
    for (long i = i0; i < i1; ++i) {
        const long ih = oh * g->sh - g->pad_top + i * g->dh;
        for (long j = j0; j < j1; ++j) {
            const long iw = ow * g->sw - g->pad_left + j * g->dw;
            const float *restrict in = image + (ih * g->w + iw) * g->c;
            for (long ch = 0; ch < g->c; ++ch)
                out[ch] += in[ch];
        }
    }
    const long count = (i1 > i0 && j1 > j0) ? (i1 - i0) * (j1 - j0) : 0;
    const float scale = count ? 1.0f / (float)count : 0.0f;
    for (long ch = 0; ch < g->c; ++ch)
        out[ch] *= scale;
}

typedef void (*pool_pixel_fn)(const sc_window *g, const float *image, long oh,
                              long ow, float *out, int *where);

/* Output rows [row0, row1) (n * oh order) of y (and where) by `pixel`. */
static void pool_rows(const sc_window *g, const float *x, float *y,
                      int *where, pool_pixel_fn pixel, long row0, long row1)
{
    for (long row = row0; row < row1; ++row) {
        const long n = row / g->oh, oh = row % g->oh;
        const float *image = x + n * g->h * g->w * g->c;
        for (long ow = 0; ow < g->ow; ++ow) {
            const long at = (row * g->ow + ow) * g->c;
            pixel(g, image, oh, ow, y + at, where ? where + at : NULL);
        }
    }
}

/* Every output pixel of y (and where, if not NULL) by `pixel`, threads over
 * output rows; on the calling thread alone (no parallel region) when small
 * or called from a kernel's own threads. */
static void pool_forward(const sc_window *g, const float *x, float *y,
                         int *where, pool_pixel_fn pixel)
{
    const long rows = g->n * g->oh;
    const int nt = threads_for(g);
    if (nt == 1) {
        pool_rows(g, x, y, where, pixel, 0, rows);
        return;
    }
#pragma omp parallel num_threads(nt)
    {
        const long t = sc_omp_thread(), team = sc_omp_team();
        pool_rows(g, x, y, where, pixel, rows * t / team,
                  rows * (t + 1) / team);
    }
}

/* Windows that tile the input (stride = window, no padding): no edge
 * tests, and each output row's windows read straight from their rows. */
static void max_tiled_rows(const sc_window *g, const float *x, float *y,
                           int *where, long row0, long row1)
{
    const long c = g->c;
    for (long row = row0; row < row1; ++row) {
        const long n = row / g->oh, oh = row % g->oh;
        const float *image = x + n * g->h * g->w * c;
        for (long ow = 0; ow < g->ow; ++ow) {
            float *restrict best = y + (row * g->ow + ow) * c;
            const int pixel0 = (int)(oh * g->kh * g->w + ow * g->kw);
            const float *restrict in0 = image + (long)pixel0 * c;
            for (long ch = 0; ch < c; ++ch)
                best[ch] = in0[ch];
            if (where == NULL) { /* the maxima alone */
                for (long i = 0; i < g->kh; ++i)
                    for (long j = i == 0; j < g->kw; ++j) {
                        const float *restrict in =
                            in0 + (i * g->w + j) * c;
                        for (long ch = 0; ch < c; ++ch)
                            best[ch] = in[ch] > best[ch] ? in[ch] : best[ch];
                    }
                continue;
            }
            int *restrict from = where + (row * g->ow + ow) * c;
            for (long ch = 0; ch < c; ++ch)
                from[ch] = pixel0;
            for (long i = 0; i < g->kh; ++i)
                for (long j = i == 0; j < g->kw; ++j) {
                    const int pixel = pixel0 + (int)(i * g->w + j);
                    const float *restrict in = image + (long)pixel * c;
                    for (long ch = 0; ch < c; ++ch) {
                        const float v = in[ch], b = best[ch];
                        const int larger = -(int)(v > b);
                        best[ch] = v > b ? v : b;
                        from[ch] = (pixel & larger) | (from[ch] & ~larger);
                    }
                }
        }
    }
}

static int is_tiled(const sc_window *g)
{
    return g->sh == g->kh && g->sw == g->kw && g->dh == 1 && g->dw == 1 &&
           g->pad_top == 0 && g->pad_left == 0 && g->oh * g->kh <= g->h &&
           g->ow * g->kw <= g->w;
}

void sc_maxpool2d_forward_f32(const sc_window *g, const float *x, float *y,
                              int *where)
{
    const long rows = g->n * g->oh;
    if (!is_tiled(g)) {
        pool_forward(g, x, y, where, max_pixel);
        return;
    }
    const int nt = threads_for(g);
    if (nt == 1) {
        max_tiled_rows(g, x, y, where, 0, rows);
        return;
    }
#pragma omp parallel num_threads(nt)
    {
        const long t = sc_omp_thread(), team = sc_omp_team();
        max_tiled_rows(g, x, y, where, rows * t / team, rows * (t + 1) / team);
    }
}

void sc_avgpool2d_forward_f32(const sc_window *g, const float *x, float *y)
{
    pool_forward(g, x, y, NULL, avg_pixel);
}

/* ---- backward ------------------------------------------------------------
 * Threads split the batch: each image's gradient is written by one thread,
 * its windows in output order, so the sums do not depend on the threads. */

/* Each channel's gradient goes to the pixel its forward pass recorded. */
static void max_pixel_backward(const sc_window *g, const int *restrict where,
                               const float *restrict dy,
                               float *restrict dimage)
{
    for (long ch = 0; ch < g->c; ++ch)
        if (where[ch] >= 0)
            dimage[(long)where[ch] * g->c + ch] += dy[ch];
}

static void avg_pixel_backward(const sc_window *g, long oh, long ow,
                               const float *restrict dy,
                               float *restrict dimage)
{
    long i0, i1, j0, j1;
    window_range(oh, g->sh, g->pad_top, g->kh, g->dh, g->h, &i0, &i1);
    window_range(ow, g->sw, g->pad_left, g->kw, g->dw, g->w, &j0, &j1);
    if (i1 <= i0 || j1 <= j0)
        return;
    const float scale = 1.0f / (float)((i1 - i0) * (j1 - j0));
    for (long i = i0; i < i1; ++i) {
        const long ih = oh * g->sh - g->pad_top + i * g->dh;
        for (long j = j0; j < j1; ++j) {
            const long iw = ow * g->sw - g->pad_left + j * g->dw;
            float *restrict d = dimage + (ih * g->w + iw) * g->c;
            for (long ch = 0; ch < g->c; ++ch)
                d[ch] += dy[ch] * scale;
        }
    }
}

/* where is NULL for 'avg'. */
static void pool_backward(const sc_window *g, const int *where,
                          const float *dy, float *dx)
{
    const long image_size = g->h * g->w * g->c;
    const long out_size = g->oh * g->ow * g->c;
    const int nt = g->n < 2 ? 1 : threads_for(g);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long n = 0; n < g->n; ++n) {
        float *dimage = dx + n * image_size;
        memset(dimage, 0, (size_t)image_size * sizeof(float));
        for (long oh = 0; oh < g->oh; ++oh)
            for (long ow = 0; ow < g->ow; ++ow) {
                const long at = n * out_size + (oh * g->ow + ow) * g->c;
                if (where)
                    max_pixel_backward(g, where + at, dy + at, dimage);
                else
                    avg_pixel_backward(g, oh, ow, dy + at, dimage);
            }
    }
}

void sc_maxpool2d_backward_f32(const sc_window *g, const int *where,
                               const float *dy, float *dx)
{
    pool_backward(g, where, dy, dx);
}

void sc_avgpool2d_backward_f32(const sc_window *g, const float *dy, float *dx)
{
    pool_backward(g, NULL, dy, dx);
}
