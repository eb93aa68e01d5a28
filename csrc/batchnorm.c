/*
 * batchnorm.c - per-channel statistics and affine maps of channels-last
 * arrays, viewed as (rows, c): what BatchNormalization computes when its
 * axis is the last one (Keras's default).
 *
 * The reductions split the channels between threads, so each channel is
 * summed by one thread in row order: results do not depend on the thread
 * count. They accumulate in double. The maps split the rows. All are
 * memory-bound; the portable C vectorizes at the build's base ISA, and an
 * activation fused into the affine map runs through the selected ISA's
 * kernel table, block by block while the block is in cache.
 */
#include "kernel_table.h"
#include "omp_compat.h"
#include "seqcore.h"

/* Below this many elements one thread does the work. */
#define PARALLEL_MIN_ELEMENTS 32768L

static int threads_for(long rows, long c)
{
    if (rows * c < PARALLEL_MIN_ELEMENTS)
        return 1;
    return sc_threads_for_work(4.0 * (double)rows * (double)c);
}

/* Thread t's channels [*lo, *hi) of c, in blocks of 16 (a cache line of
 * floats) so that threads share no line of a row. */
static void channel_range(long c, int t, int nt, long *lo, long *hi)
{
    const long blocks = (c + 15) / 16;
    const long b0 = blocks * t / nt, b1 = blocks * (t + 1) / nt;
    *lo = b0 * 16 < c ? b0 * 16 : c;
    *hi = b1 * 16 < c ? b1 * 16 : c;
}

void sc_bn_moments_f32(const float *x, long rows, long c, double *mean,
                       double *var)
{
    const int nt = c >= 32 ? threads_for(rows, c) : 1;
#pragma omp parallel num_threads(nt)
    {
        long lo, hi;
        channel_range(c, sc_omp_thread(), sc_omp_team(), &lo, &hi);
        for (long j = lo; j < hi; ++j)
            mean[j] = 0.0;
        for (long r = 0; r < rows; ++r) {
            const float *row = x + r * c;
            for (long j = lo; j < hi; ++j)
                mean[j] += row[j];
        }
        for (long j = lo; j < hi; ++j) {
            mean[j] = rows ? mean[j] / (double)rows : 0.0;
            var[j] = 0.0;
        }
        for (long r = 0; r < rows; ++r) {
            const float *row = x + r * c;
            for (long j = lo; j < hi; ++j) {
                const double d = row[j] - mean[j];
                var[j] += d * d;
            }
        }
        for (long j = lo; j < hi; ++j)
            var[j] = rows ? var[j] / (double)rows : 0.0;
    }
}

void sc_bn_backward_sums_f32(const float *x, const float *dy, long rows,
                             long c, const float *mean, const float *inv,
                             double *sum_dy, double *sum_dy_xhat)
{
    const int nt = c >= 32 ? threads_for(rows, c) : 1;
#pragma omp parallel num_threads(nt)
    {
        long lo, hi;
        channel_range(c, sc_omp_thread(), sc_omp_team(), &lo, &hi);
        for (long j = lo; j < hi; ++j)
            sum_dy[j] = sum_dy_xhat[j] = 0.0;
        for (long r = 0; r < rows; ++r) {
            const float *xr = x + r * c, *dr = dy + r * c;
            for (long j = lo; j < hi; ++j) {
                const float xhat = (xr[j] - mean[j]) * inv[j];
                sum_dy[j] += dr[j];
                sum_dy_xhat[j] += (double)(dr[j] * xhat);
            }
        }
    }
}

/* Rows per block of the affine map: about 8192 floats, so the activation
 * reads the block back from L1/L2 rather than from memory. */
static long block_rows(long c)
{
    const long rows = 8192 / (c > 0 ? c : 1);
    return rows > 0 ? rows : 1;
}

void sc_channel_affine_f32(const float *x, long rows, long c,
                           const float *scale, const float *shift,
                           sc_act act, float *y)
{
    const int nt = threads_for(rows, c);
    const long step = block_rows(c);
    const long blocks = (rows + step - 1) / step;
    sc_act_row_fn act_row = act == SC_ACT_NONE ? NULL :
        sc_kernel_table_current()->act_row;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long b = 0; b < blocks; ++b) {
        const long r0 = b * step, r1 = r0 + step < rows ? r0 + step : rows;
        for (long r = r0; r < r1; ++r) {
            const float *xr = x + r * c;
            float *yr = y + r * c;
            for (long j = 0; j < c; ++j)
                yr[j] = xr[j] * scale[j] + shift[j];
        }
        if (act_row)
            act_row(y + r0 * c, y + r0 * c, (r1 - r0) * c, act);
    }
}

/* Channels summed per walk over the rows by the channel means (a stack
 * accumulator of 1 KiB); wider units walk the rows once per chunk. */
#define MEAN_CHUNK 256L

/* Channels [j0, j0 + w) of sample xi's means, summed in row order. */
static void channel_means_unit(const float *xi, long rows, long c, long j0,
                               long w, float count, float *out)
{
    for (long k0 = j0; k0 < j0 + w; k0 += MEAN_CHUNK) {
        const long kw = j0 + w - k0 < MEAN_CHUNK ? j0 + w - k0 : MEAN_CHUNK;
        float acc[MEAN_CHUNK];
        for (long j = 0; j < kw; ++j)
            acc[j] = xi[k0 + j];
        for (long r = 1; r < rows; ++r) {
            const float *xr = xi + r * c + k0;
            for (long j = 0; j < kw; ++j)
                acc[j] += xr[j];
        }
        for (long j = 0; j < kw; ++j)
            out[k0 + j] = acc[j] / count;
    }
}

void sc_channel_means_f32(const float *x, long n, long rows, long c,
                          float *out)
{
    const int nt = threads_for(n * rows, c);
    /* Threads take whole samples, or split a sample's channels in whole
     * cache lines when there are fewer samples than threads. Each
     * channel's sum runs in row order either way: the same bits for any
     * split. */
    const long lines = (c + 15) / 16;
    long parts = n >= nt ? 1 : (nt + n - 1) / n;
    if (parts > lines)
        parts = lines;
    const long width = (lines + parts - 1) / parts * 16;
    const long units = n * parts;
    const float count = (float)rows;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long u = 0; u < units; ++u) {
        const long i = u / parts, j0 = (u % parts) * width;
        if (j0 < c && rows > 0)
            channel_means_unit(x + i * rows * c, rows, c, j0,
                               c - j0 < width ? c - j0 : width, count,
                               out + i * c);
    }
}

void sc_bn_backward_dx_f32(const float *x, const float *dy, long rows,
                           long c, const float *mean, const float *p,
                           const float *q, const float *r, float *dx)
{
    const int nt = threads_for(rows, c);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long i = 0; i < rows; ++i) {
        const float *xi = x + i * c, *di = dy + i * c;
        float *out = dx + i * c;
        for (long j = 0; j < c; ++j)
            out[j] = di[j] * p[j] + (xi[j] - mean[j]) * q[j] + r[j];
    }
}
