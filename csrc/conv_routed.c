/*
 * conv_routed.c - the gradients of a convolution whose output gradient is
 * routed to a few outputs per filter, as a max pooling routes it (see
 * sc_conv2d_backward_routed_f32 in seqcore.h).
 *
 * After a 2x2 max pooling a convolution's output gradient is three-quarters
 * zeros, and after the ReLU before it often more. The dense gradients
 * (conv.c) would expand it and multiply the zeros; these walk only the
 * routed entries, so both gradients cost about a quarter of the dense ones.
 *
 * dk: threads take whole filters, each summing its filters' entries image
 * after image in a fixed order. For thin patches (one or two input
 * channels) a run of the patch is too short to vectorize, and dk is instead
 * the dense product over the images' pixels with the routed gradient
 * expanded in cache, vectorized over the filters. dx: threads take whole
 * images. The sums themselves are in conv_routed_impl.h.
 */
#include <stdlib.h>
#include <string.h>

#include "conv_routed.h"
#include "kernel_table.h"
#include "omp_compat.h"
#include "scratch.h"

/* Patch runs shorter than this take the dense kernel-gradient path. */
#define SPARSE_MIN_RUN 16L
/* Input bytes per image block of the sparse kernel gradient (in L2). */
#define BLOCK_BYTES (256L * 1024L)

static int sparse_dk(const sc_window *g)
{
    const long run = g->dw == 1 ? g->kw * g->c : g->c;
    return run >= SPARSE_MIN_RUN;
}

/* Filters [f0, f1) of dk from the thread's accumulator: transposed, acc
 * is (f1 - f0) x patch, else patch x ld. beta 0 overwrites. */
static void store_dk(float *dk, const float *acc, long patch, long filters,
                     long f0, long f1, int transposed, long ld, float beta)
{
    for (long t = 0; t < patch; ++t)
        for (long f = f0; f < f1; ++f) {
            const float v = transposed ? acc[(f - f0) * patch + t]
                                       : acc[t * ld + f - f0];
            float *d = dk + t * filters + f;
            *d = beta == 0.0f ? v : beta * *d + v;
        }
}

/* base[p] = the offset in its image of output pixel p's patch (its first
 * input), or -1 when the patch reaches over the padding. */
static int *patch_bases(const sc_window *g)
{
    int *base = sc_alloc(sc_size_mul(g->oh, g->ow), sizeof(int));
    if (base == NULL)
        return NULL;
    for (long oh = 0; oh < g->oh; ++oh)
        for (long ow = 0; ow < g->ow; ++ow) {
            const long ih = oh * g->sh - g->pad_top;
            const long iw = ow * g->sw - g->pad_left;
            const int inside = ih >= 0 && ih + (g->kh - 1) * g->dh < g->h &&
                               iw >= 0 && iw + (g->kw - 1) * g->dw < g->w;
            base[oh * g->ow + ow] = inside ? (int)((ih * g->w + iw) * g->c)
                                           : -1;
        }
    return base;
}

static int routed_dk(const sc_window *g, const float *x, long filters,
                     const float *dz, const int *where, const int *base,
                     long routes, float *dk, float beta)
{
    const long patch = g->kh * g->kw * g->c;
    const long pixels = g->oh * g->ow;
    const long image_size = g->h * g->w * g->c;
    const int sparse = sparse_dk(g);
    /* threads split filters; the dense path's in whole vector blocks */
    const long unit = sparse ? 1 : ROUTED_FILTER_BLOCK;
    const long units = (filters + unit - 1) / unit;
    const double work = 2.0 * g->n * patch * filters *
                        (sparse ? routes : pixels);
    int nt = sc_threads_for_work(work);
    if (nt > units)
        nt = (int)units;
    long block = BLOCK_BYTES / (image_size * (long)sizeof(float));
    if (block < 1)
        block = 1;
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        const int t = sc_omp_thread(), team = sc_omp_team();
        const long f0 = units * t / team * unit;
        long f1 = units * (t + 1) / team * unit;
        if (f1 > filters)
            f1 = filters;
        const long ld = sparse ? f1 - f0 : (f1 - f0 + unit - 1) / unit * unit;
        float *acc = sc_scratch(
            SC_SCRATCH_IM2COL,
            sc_size_add(sc_size_mul(patch, ld),
                        sparse ? 0 : sc_size_mul(pixels, ld)));
        const size_t terms = sc_size_add(sc_size_mul(f1 - f0, routes), 1);
        const float **src = sc_alloc(terms, sizeof(*src));
        float *w = sc_alloc(terms, sizeof(float));
        long *count = sc_alloc((size_t)(f1 - f0) + 1, sizeof(long));
        const int ready = acc != NULL && src != NULL && w != NULL &&
                          count != NULL;
        failed |= !ready;
        if (ready && f1 > f0) {
            memset(acc, 0, (size_t)(patch * ld) * sizeof(float));
            if (sparse)
                for (long n0 = 0; n0 < g->n; n0 += block)
                    sc_kernel_table_current()->routed_dk_sparse(g, x, dz, where, base, routes, filters, n0,
                              n0 + block < g->n ? n0 + block : g->n, f0, f1,
                              acc, src, w, count);
            else
                sc_kernel_table_current()->routed_dk_dense(g, x, dz, where, routes, filters, 0, g->n, f0, f1,
                         acc, acc + patch * ld);
            store_dk(dk, acc, patch, filters, f0, f1, sparse, ld, beta);
        }
        free(src);
        free(w);
        free(count);
    }
    return failed ? -1 : 0;
}

static int routed_dx(const sc_window *g, const float *k, long filters,
                     const float *dz, const int *where, const int *base,
                     long routes, float *dx)
{
    const long patch = g->kh * g->kw * g->c;
    const long image_size = g->h * g->w * g->c;
    float *kt = sc_alloc(sc_size_mul(patch, filters), sizeof(float));
    if (kt == NULL)
        return -1;
    for (long f = 0; f < filters; ++f)
        for (long t = 0; t < patch; ++t)
            kt[f * patch + t] = k[t * filters + f];
    int nt = sc_threads_for_work(2.0 * g->n * routes * filters * patch);
    if (nt > g->n)
        nt = (int)g->n;
    int failed = 0;
#pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        const float **src = sc_alloc((size_t)filters, sizeof(*src));
        float *w = sc_alloc((size_t)filters, sizeof(float));
        int *pending = sc_alloc((size_t)filters, sizeof(int));
        const int ready = src != NULL && w != NULL && pending != NULL;
        failed |= !ready;
#pragma omp for schedule(static)
        for (long n = 0; n < g->n; ++n)
            if (ready)
                sc_kernel_table_current()->routed_dx(g, kt, dz, where, base, routes, filters, n,
                         dx + n * image_size, src, w, pending);
        free(src);
        free(w);
        free(pending);
    }
    free(kt);
    return failed ? -1 : 0;
}

/* db[f] = the sum of filter f's routed gradients, in memory order. */
static void routed_db(const sc_window *g, long filters, const float *dz,
                      const int *where, long routes, float *db)
{
    memset(db, 0, (size_t)filters * sizeof(float));
    for (long e = 0; e < g->n * routes * filters; e += filters)
        for (long f = 0; f < filters; ++f)
            db[f] += where[e + f] >= 0 ? dz[e + f] : 0.0f;
}

int sc_conv2d_backward_routed_f32(const sc_window *g, const float *x,
                                  const float *k, long filters,
                                  const float *dz, const int *where,
                                  long routes, float *dk, float beta,
                                  float *db, float *dx)
{
    if (filters == 0)
        return 0;
    if (db != NULL)
        routed_db(g, filters, dz, where, routes, db);
    int *base = patch_bases(g);
    if (base == NULL)
        return -1;
    int failed = dk != NULL && routed_dk(g, x, filters, dz, where, base,
                                         routes, dk, beta) != 0;
    failed |= dx != NULL && routed_dx(g, k, filters, dz, where, base, routes,
                                      dx) != 0;
    free(base);
    return failed ? -1 : 0;
}
