/*
 * depthwise.c - depthwise 2-D convolution (1-D as height 1) over NHWC data:
 * each input channel convolved with its own mult filters,
 * y[n, oh, ow, ch * mult + m] = act(bias + sum_{i,j} x[n, ih, iw, ch] *
 * k[i, j, ch, m]).
 *
 * A direct loop, no im2col: a depthwise convolution does one multiply-add
 * per input element and tap, so it is bound by memory and a column buffer
 * would only add traffic. The per-ISA row loops (depthwise_impl.h)
 * vectorize over the channels of a pixel.
 *
 * Threads: the forward pass and the input gradient take whole rows (output
 * rows, input rows gathered from the outputs that read them), which are
 * independent; the kernel gradient sums over every row, so the rows are cut
 * into DW_GROUPS groups (a number that does not depend on the threads),
 * each summed into its own partial, and the partials are added in group
 * order. Every result is the same bits at any thread count.
 */
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "depthwise.h"
#include "kernel_table.h"
#include "omp_compat.h"
#include "scratch.h"
#include "seqcore.h"

#define DW_GROUPS 16L

typedef struct {
    sc_dw_forward_row_fn forward;
    sc_dw_input_row_fn input;
    sc_dw_kernel_row_fn kernel;
} dw_loops;

/* The row loops of the ISA selected now (SEQCORE_ISA or the best). */
static dw_loops loops_for_isa(void)
{
    const sc_kernel_table *t = sc_kernel_table_current();
    const dw_loops l = {t->dw_forward_row, t->dw_input_row, t->dw_kernel_row};
    return l;
}

int sc_depthwise2d_forward_f32(const sc_window *g, const float *x,
                               const float *k, long mult, const float *bias,
                               sc_act act, float *y)
{
    const dw_loops l = loops_for_isa();
    const long cm = g->c * mult;
    const long rows = g->n * g->oh;
    const long image_size = g->h * g->w * g->c;
    const int nt = sc_threads_for_work(2.0 * rows * g->ow * cm * g->kh *
                                       g->kw);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long r = 0; r < rows; ++r) {
        float *row = y + r * g->ow * cm;
        l.forward(g, x + r / g->oh * image_size, k, mult, bias, r % g->oh,
                  row);
        if (act != SC_ACT_NONE)
            sc_act_rows_f32(row, row, g->ow * cm, act);
    }
    return 0;
}

/* dk = beta * dk + the kernel gradient, over DW_GROUPS groups of rows. */
static int depthwise_kernel_grad(const sc_window *g, const dw_loops *l,
                                 const float *x, long mult, const float *dy,
                                 float *dk, float beta)
{
    const long cm = g->c * mult;
    const long size = g->kh * g->kw * cm;
    const long rows = g->n * g->oh;
    const long groups = rows < DW_GROUPS ? (rows > 0 ? rows : 1) : DW_GROUPS;
    const long image_size = g->h * g->w * g->c;
    const long dy_image = g->oh * g->ow * cm;
    float *partial = sc_alloc_zero(sc_size_mul(groups, size), sizeof(float));
    if (partial == NULL)
        return -1;
    const int nt = sc_threads_for_work(2.0 * rows * g->ow * cm * g->kh *
                                       g->kw);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long q = 0; q < groups; ++q) {
        for (long r = rows * q / groups; r < rows * (q + 1) / groups; ++r)
            l->kernel(g, x + r / g->oh * image_size,
                      dy + r / g->oh * dy_image, mult, r % g->oh,
                      partial + q * size);
    }
    for (long q = 1; q < groups; ++q)
        for (long e = 0; e < size; ++e)
            partial[e] += partial[q * size + e];
    for (long e = 0; e < size; ++e)
        dk[e] = beta == 0.0f ? partial[e] : beta * dk[e] + partial[e];
    free(partial);
    return 0;
}

int sc_depthwise2d_backward_f32(const sc_window *g, const float *x,
                                const float *k, long mult, const float *dy,
                                float *dk, float beta, float *dx)
{
    const dw_loops l = loops_for_isa();
    const long cm = g->c * mult;
    if (dk != NULL &&
        depthwise_kernel_grad(g, &l, x, mult, dy, dk, beta) != 0)
        return -1;
    if (dx == NULL)
        return 0;
    const long rows = g->n * g->h;
    const long dy_image = g->oh * g->ow * cm;
    const int nt = sc_threads_for_work(2.0 * g->n * g->oh * g->ow * cm *
                                       g->kh * g->kw);
#pragma omp parallel for num_threads(nt) schedule(static)
    for (long r = 0; r < rows; ++r)
        l.input(g, dy + r / g->h * dy_image, k, mult, r % g->h,
                dx + r * g->w * g->c);
    return 0;
}
