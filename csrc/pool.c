/* pool.c - max and average pooling over NHWC windows; threads split the
 * output rows, and each output pixel reduces its window channel-wise. */
#include <float.h>

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

static void max_pixel(const sc_window *g, const float *restrict image,
                      long oh, long ow, float *restrict out)
{
    long i0, i1, j0, j1;
    window_range(oh, g->sh, g->pad_top, g->kh, g->dh, g->h, &i0, &i1);
    window_range(ow, g->sw, g->pad_left, g->kw, g->dw, g->w, &j0, &j1);
    if (i0 >= i1 || j0 >= j1) { /* a window entirely in the padding */
        for (long ch = 0; ch < g->c; ++ch)
            out[ch] = 0.0f;
        return;
    }
    for (long ch = 0; ch < g->c; ++ch)
        out[ch] = -FLT_MAX;
    for (long i = i0; i < i1; ++i) {
        const long ih = oh * g->sh - g->pad_top + i * g->dh;
        for (long j = j0; j < j1; ++j) {
            const long iw = ow * g->sw - g->pad_left + j * g->dw;
            const float *restrict in = image + (ih * g->w + iw) * g->c;
            for (long ch = 0; ch < g->c; ++ch)
                out[ch] = in[ch] > out[ch] ? in[ch] : out[ch];
        }
    }
}

static void avg_pixel(const sc_window *g, const float *restrict image,
                      long oh, long ow, float *restrict out)
{
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
                              long ow, float *out);

/* Every output pixel of y by `pixel`, threads over output rows. */
static void pool_forward(const sc_window *g, const float *x, float *y,
                         pool_pixel_fn pixel)
{
    const long rows = g->n * g->oh;
#pragma omp parallel for num_threads(threads_for(g)) schedule(static)
    for (long row = 0; row < rows; ++row) {
        const long n = row / g->oh, oh = row % g->oh;
        const float *image = x + n * g->h * g->w * g->c;
        for (long ow = 0; ow < g->ow; ++ow)
            pixel(g, image, oh, ow, y + (row * g->ow + ow) * g->c);
    }
}

void sc_maxpool2d_forward_f32(const sc_window *g, const float *x, float *y)
{
    pool_forward(g, x, y, max_pixel);
}

void sc_avgpool2d_forward_f32(const sc_window *g, const float *x, float *y)
{
    pool_forward(g, x, y, avg_pixel);
}
