/* pool.c - max and average pooling over NHWC windows; threads split the
 * output rows, and each output pixel reduces its window channel-wise. */
#include <float.h>

#include "seqcore.h"

#define PARALLEL_MIN_OUTPUTS 16384L

static int threads_for(const sc_window *g)
{
    const long outputs = g->n * g->oh * g->ow * g->c;
    return outputs < PARALLEL_MIN_OUTPUTS ? 1 : sc_get_num_threads();
}

void sc_maxpool2d_forward_f32(const sc_window *g, const float *x, float *y)
{
    const long rows = g->n * g->oh;
#pragma omp parallel for num_threads(threads_for(g)) schedule(static)
    for (long row = 0; row < rows; ++row) {
        const long n = row / g->oh, oh = row % g->oh;
        const float *image = x + n * g->h * g->w * g->c;
        for (long ow = 0; ow < g->ow; ++ow) {
            float *out = y + (row * g->ow + ow) * g->c;
            for (long ch = 0; ch < g->c; ++ch)
                out[ch] = -FLT_MAX;
            int seen = 0;
            for (long i = 0; i < g->kh; ++i) {
                const long ih = oh * g->sh - g->pad_top + i * g->dh;
                if (ih < 0 || ih >= g->h)
                    continue;
                for (long j = 0; j < g->kw; ++j) {
                    const long iw = ow * g->sw - g->pad_left + j * g->dw;
                    if (iw < 0 || iw >= g->w)
                        continue;
                    const float *in = image + (ih * g->w + iw) * g->c;
                    for (long ch = 0; ch < g->c; ++ch)
                        out[ch] = in[ch] > out[ch] ? in[ch] : out[ch];
                    seen = 1;
                }
            }
            if (!seen) /* a window entirely in the padding */
                for (long ch = 0; ch < g->c; ++ch)
                    out[ch] = 0.0f;
        }
    }
}

void sc_avgpool2d_forward_f32(const sc_window *g, const float *x, float *y)
{
    const long rows = g->n * g->oh;
#pragma omp parallel for num_threads(threads_for(g)) schedule(static)
    for (long row = 0; row < rows; ++row) {
        const long n = row / g->oh, oh = row % g->oh;
        const float *image = x + n * g->h * g->w * g->c;
        for (long ow = 0; ow < g->ow; ++ow) {
            float *out = y + (row * g->ow + ow) * g->c;
            for (long ch = 0; ch < g->c; ++ch)
                out[ch] = 0.0f;
            long count = 0;
            for (long i = 0; i < g->kh; ++i) {
                const long ih = oh * g->sh - g->pad_top + i * g->dh;
                if (ih < 0 || ih >= g->h)
                    continue;
                for (long j = 0; j < g->kw; ++j) {
                    const long iw = ow * g->sw - g->pad_left + j * g->dw;
                    if (iw < 0 || iw >= g->w)
                        continue;
                    const float *in = image + (ih * g->w + iw) * g->c;
                    for (long ch = 0; ch < g->c; ++ch)
                        out[ch] += in[ch];
                    ++count;
                }
            }
            const float scale = count ? 1.0f / (float)count : 0.0f;
            for (long ch = 0; ch < g->c; ++ch)
                out[ch] *= scale;
        }
    }
}
