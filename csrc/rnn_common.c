/* rnn_common.c - the column permutation and input projection shared by the
 * recurrent kernels (see rnn_common.h for the parallel scheme). */
#include <stdlib.h>

#include "rnn_common.h"
#include "scratch.h"

/* Units per block below which splitting does not pay. Block boundaries are
 * multiples of it, 16 floats = one cache line, so that with 64-byte aligned
 * rows no two threads ever write the same line (no false sharing). */
#define MIN_BLOCK_UNITS 16

static int choose_blocks(const sc_rnn_args *a, int groups)
{
    const double step_flops = 2.0 * a->n * a->u * groups * a->u;
    int blocks = sc_threads_for_work(step_flops * (double)a->t);
    const long by_units = a->u / MIN_BLOCK_UNITS;
    if (blocks > by_units)
        blocks = by_units > 1 ? (int)by_units : 1;
    return blocks;
}

/* dst[:, permuted] = src[:, original] for rows x (groups * u) matrices. */
static void permute_columns(const sc_rnn_layout *L, long rows, long u,
                            const float *src, float *dst)
{
    const long width = L->groups * u;
    for (long r = 0; r < rows; ++r) {
        const float *s = src + r * width;
        float *d = dst + r * width;
        for (int b = 0; b < L->blocks; ++b) {
            const long u0 = L->bound[b], w = sc_rnn_block_units(L, b);
            float *out = d + sc_rnn_block_col(L, b);
            for (int g = 0; g < L->groups; ++g)
                memcpy(out + g * w, s + g * u + u0, (size_t)w * sizeof(float));
        }
    }
}

int sc_rnn_layout_init(sc_rnn_layout *L, const sc_rnn_args *a, int groups,
                       const float *kernel, const float *rkernel,
                       const float *bias, int bias_rows)
{
    const long u = a->u, width = groups * u;
    memset(L, 0, sizeof *L);
    L->groups = groups;
    L->blocks = choose_blocks(a, groups);
    L->bound = sc_alloc((size_t)L->blocks + 1, sizeof(long));
    L->kernel = sc_alloc(sc_size_mul(a->d, width), sizeof(float));
    L->rkernel = sc_alloc(sc_size_mul(u, width), sizeof(float));
    L->bias = bias ? sc_alloc(sc_size_mul(bias_rows, width), sizeof(float))
                   : NULL;
    if (!L->bound || !L->kernel || !L->rkernel || (bias && !L->bias)) {
        sc_rnn_layout_free(L);
        return -1;
    }
    const long lines = (u + MIN_BLOCK_UNITS - 1) / MIN_BLOCK_UNITS;
    for (int b = 0; b <= L->blocks; ++b) {
        const long at = lines * b / L->blocks * MIN_BLOCK_UNITS;
        L->bound[b] = at < u ? at : u;
    }
    permute_columns(L, a->d, u, kernel, L->kernel);
    permute_columns(L, u, u, rkernel, L->rkernel);
    if (bias)
        permute_columns(L, bias_rows, u, bias, L->bias);
    return 0;
}

void sc_rnn_layout_free(sc_rnn_layout *L)
{
    free(L->bound);
    free(L->kernel);
    free(L->rkernel);
    free(L->bias);
    memset(L, 0, sizeof *L);
}

sc_packed_b *sc_rnn_pack_input_kernel(const sc_rnn_args *a,
                                      const sc_rnn_layout *L, int b)
{
    const long width = L->groups * a->u;
    return sc_packed_b_new(a->d, L->groups * sc_rnn_block_units(L, b),
                           L->kernel + sc_rnn_block_col(L, b), width, 1);
}

/* z (block b's columns of step tt) <- each sample's table row, permuted
 * as the layout permutes the kernel's columns. */
static void look_up_step(const sc_rnn_args *a, const sc_rnn_layout *L, int b,
                         long tt, float *z)
{
    const long u = a->u, width = L->groups * u;
    const long u0 = L->bound[b], w = sc_rnn_block_units(L, b);
    for (long i = 0; i < a->n; ++i) {
        const float *row = a->table + a->rows[i * a->t + tt] * width;
        float *zi = z + i * width;
        for (int g = 0; g < L->groups; ++g)
            memcpy(zi + g * w, row + g * u + u0, (size_t)w * sizeof(float));
    }
}

void sc_rnn_project_step(const sc_rnn_args *a, const float *x,
                         const sc_rnn_layout *L, int b, const sc_packed_b *pw,
                         const float *bias_row, long tt, float *z)
{
    if (a->table) {
        look_up_step(a, L, b, tt, z);
        return;
    }
    const long width = L->groups * a->u;
    const long cols = L->groups * sc_rnn_block_units(L, b);
    sc_sgemm_packed_b(pw, a->n, x + tt * a->d, a->t * a->d, 0.0f, z, width);
    if (bias_row)
        sc_bias_act_f32(z, a->n, cols, width,
                        bias_row + sc_rnn_block_col(L, b), SC_ACT_NONE);
}

void sc_rnn_gate_inputs_step(const sc_rnn_args *a, const float *x,
                             const sc_rnn_layout *L, int b,
                             const sc_packed_b *pw, const float *bias_row,
                             const sc_packed_b *pr, const float *h, long tt,
                             float *z)
{
    const long width = L->groups * a->u;
    if (a->table) {
        look_up_step(a, L, b, tt, z);
        sc_sgemm_packed_b(pr, a->n, h, a->u, 1.0f, z, width);
        return;
    }
    sc_sgemm_packed_b_pair(pw, x + tt * a->d, a->t * a->d,
                           bias_row ? bias_row + sc_rnn_block_col(L, b)
                                    : NULL,
                           pr, h, a->u, a->n, z, width);
}

float *sc_rnn_aligned(long n)
{
    return sc_alloc(sc_size(n), sizeof(float));
}

int sc_rnn_run(const sc_rnn_args *a, const sc_rnn_layout *L,
               const sc_rnn_cell *cell, float *h)
{
    const long n = a->n, u = a->u;
    /* Double-buffered, aligned h: a step reads one copy (every unit) while
     * the blocks write the other; blocks own whole cache lines of it. */
    float *hbuf = sc_alloc(sc_size_mul3(2, n, u), sizeof(float));
    if (!hbuf)
        return -1;
    memcpy(hbuf, h, (size_t)(n * u) * sizeof(float));
    int failed = 0;
#pragma omp parallel num_threads(L->blocks) reduction(| : failed)
    {
        const int me = sc_omp_thread(), team = sc_omp_team();
        /* This thread's blocks (all of them if fewer threads came). */
        const int mine = (L->blocks - me + team - 1) / team;
        char *states = sc_alloc_zero((size_t)mine + 1, cell->state_size);
        int ok = states != NULL, tried = 0;
        for (; ok && tried < mine; ++tried)
            ok = cell->init_block(cell->ctx, me + tried * team,
                                  states + tried * cell->state_size);
        for (long s = 0; s < a->t; ++s) {
            const float *h_cur = hbuf + (s % 2) * n * u;
            float *h_next = hbuf + ((s + 1) % 2) * n * u;
            for (int phase = 0; phase < cell->phases; ++phase) {
                for (int k = 0; ok && k < mine; ++k)
                    cell->step(cell->ctx, me + k * team,
                               states + k * cell->state_size, phase, s, h_cur,
                               h_next);
                /* Every thread reaches every barrier, even after a failed
                 * allocation, so none waits forever. */
#pragma omp barrier
            }
        }
        for (int k = 0; k < tried; ++k)
            cell->free_block(states + k * cell->state_size);
        free(states);
        failed |= !ok;
    }
    if (!failed)
        memcpy(h, hbuf + (a->t % 2) * n * u, (size_t)(n * u) * sizeof(float));
    free(hbuf);
    return failed ? -1 : 0;
}
