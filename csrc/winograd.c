/*
 * winograd.c - a 3x3 convolution (stride 1, no dilation) followed by a 2x2
 * max pooling, by Winograd's F(2x2, 3x3): each pooling window is one 2x2
 * output tile, computed from its 4x4 input tile with 16 products per
 * channel pair instead of 36, so the convolution costs 16/36 of its direct
 * multiplications.
 *
 * Per chunk of images: the input transform (16 matrices, tiles x channels),
 * 16 GEMMs with the transformed kernel (16 matrices, channels x filters,
 * computed once per call), then the output transform fused with the bias,
 * the activation and the pooling (winograd_impl.h). Threads take whole
 * chunks; every output is computed by the same operations whatever the
 * thread count.
 */
#include <stdlib.h>

#include "scratch.h"
#include "kernel_table.h"
#include "winograd.h"

/* Tiles per chunk: the chunk's 16 transformed inputs and 16 products stay
 * in L2 while the GEMMs run. */
#define CHUNK_TILES 256L

int sc_winograd_applies(const sc_window *g, long ph, long pw)
{
    return g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 &&
           g->dh == 1 && g->dw == 1 && ph == 2 && pw == 2 && g->c >= 8;
}

/* u: 16 matrices (c x f), u[e] = (G k G^T)[e] for every channel and filter
 * of the HWIO kernel k, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. */
static void transform_kernel(const float *k, long c, long f, float *u)
{
    const long size = c * f;
    for (long e = 0; e < c * f; ++e) {
        float g[3][3], t[4][3];
        for (long i = 0; i < 3; ++i)
            for (long j = 0; j < 3; ++j)
                g[i][j] = k[(i * 3 + j) * size + e];
        for (long j = 0; j < 3; ++j) { /* G g: rows combined */
            t[0][j] = g[0][j];
            t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
            t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
            t[3][j] = g[2][j];
        }
        for (long i = 0; i < 4; ++i) { /* (G g) G^T: columns combined */
            u[(i * 4 + 0) * size + e] = t[i][0];
            u[(i * 4 + 1) * size + e] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
            u[(i * 4 + 2) * size + e] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
            u[(i * 4 + 3) * size + e] = t[i][2];
        }
    }
}

/* Images [n0, n1): transforms, 16 GEMMs (threaded only when called outside
 * a parallel region), output transform and pooling. */
static int chunk(const sc_window *g, const float *x, const float *u, long f,
                 const float *bias, sc_act act, long th, long tw, long n0,
                 long n1, float *y, int *where)
{
    const long c = g->c;
    const long tiles = (n1 - n0) * th * tw;
    float *v = sc_scratch(SC_SCRATCH_IM2COL,
                          sc_size_add(sc_size_mul3(16, tiles, c),
                                      sc_size_mul(16, c)));
    float *m = sc_scratch(SC_SCRATCH_CONV_OUT,
                          sc_size_add(sc_size_mul3(16, tiles, f),
                                      sc_size_mul(4, f)));
    if (v == NULL || m == NULL)
        return -1;
    sc_kernel_table_current()->wino_input(g, x, n0, n1, th, tw, v, v + 16 * tiles * c);
    for (long e = 0; e < 16; ++e)
        if (sc_sgemm(tiles, f, c, 1.0f, v + e * tiles * c, c, 1,
                     u + e * c * f, f, 1, 0.0f, m + e * tiles * f, f, NULL,
                     SC_ACT_NONE) != 0)
            return -1;
    sc_kernel_table_current()->wino_output(m, n0, n1, th, tw, f, bias, act, g->ow, y, where,
                m + 16 * tiles * f);
    return 0;
}

int sc_conv3x3_maxpool2_winograd_f32(const sc_window *g, const float *x,
                                     const float *k, long filters,
                                     const float *bias, sc_act act,
                                     float *y, int *where)
{
    const long th = g->oh / 2, tw = g->ow / 2;
    if (g->n == 0 || filters == 0 || th == 0 || tw == 0)
        return 0;
    float *u = sc_alloc(sc_size_mul3(16, g->c, filters), sizeof(float));
    if (u == NULL)
        return -1;
    transform_kernel(k, g->c, filters, u);
    const long per_image = th * tw;
    long chunks = (g->n * per_image + CHUNK_TILES - 1) / CHUNK_TILES;
    int nt = sc_threads_for_work(2.0 * 16 * g->n * per_image * g->c *
                                 filters);
    if (chunks > g->n)
        chunks = g->n; /* whole images: no chunk may be empty */
    if (chunks < 2L * nt)
        nt = 1; /* few chunks: one at a time, each GEMM threaded */
    else
        chunks = (chunks + nt - 1) / nt * nt; /* an even share each */
    if (chunks > g->n)
        chunks = g->n;
    int failed = 0;
    if (nt == 1) { /* no parallel region: the GEMM's own team would nest */
        for (long q = 0; q < chunks && !failed; ++q)
            failed = chunk(g, x, u, filters, bias, act, th, tw,
                           g->n * q / chunks, g->n * (q + 1) / chunks, y,
                           where) != 0;
    } else {
#pragma omp parallel for num_threads(nt) schedule(static) \
    reduction(| : failed)
        for (long q = 0; q < chunks; ++q)
            failed |= chunk(g, x, u, filters, bias, act, th, tw,
                            g->n * q / chunks, g->n * (q + 1) / chunks, y,
                            where) != 0;
    }
    free(u);
    return failed ? -1 : 0;
}
