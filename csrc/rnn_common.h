/*
 * rnn_common.h - what the recurrent kernels share.
 *
 * Parallel scheme: the units are split into blocks, one per thread, for the
 * whole sequence. The gate columns of a block (its units in every gate
 * group) are made contiguous by permuting the columns of the kernels and
 * biases once per call; each thread packs its block of the recurrent kernel
 * once and keeps it in its own cache. A step is then, per thread: the
 * recurrent product for its columns, the gate update for its units, and one
 * barrier before the next step reads the new h. Every value is computed by
 * the same operations whatever the split, so results do not depend on the
 * thread count.
 */
#ifndef SC_RNN_COMMON_H
#define SC_RNN_COMMON_H

#include <string.h>

#include "omp_compat.h"
#include "seqcore.h"

/* The column-permuted weights and the unit blocks of one call. */
typedef struct {
    int groups;     /* gate groups: 4 (LSTM), 3 (GRU), 1 (SimpleRNN) */
    int blocks;     /* unit blocks = threads of the step loop */
    long *bound;    /* blocks + 1 unit boundaries */
    float *kernel;  /* (d, groups * u), permuted */
    float *rkernel; /* (u, groups * u), permuted */
    float *bias;    /* (bias_rows, groups * u), permuted, or NULL */
} sc_rnn_layout;

/* Permute kernel, rkernel and bias (bias_rows rows, may be NULL). Returns 0
 * or -1 when out of memory (then nothing needs freeing). */
int sc_rnn_layout_init(sc_rnn_layout *L, const sc_rnn_args *a, int groups,
                       const float *kernel, const float *rkernel,
                       const float *bias, int bias_rows);
void sc_rnn_layout_free(sc_rnn_layout *L);

/* First permuted column and width (units) of block b. */
static inline long sc_rnn_block_col(const sc_rnn_layout *L, int b)
{
    return L->groups * L->bound[b];
}

static inline long sc_rnn_block_units(const sc_rnn_layout *L, int b)
{
    return L->bound[b + 1] - L->bound[b];
}

/* Block b's packed input kernel (its columns of W), or NULL. */
sc_packed_b *sc_rnn_pack_input_kernel(const sc_rnn_args *a,
                                      const sc_rnn_layout *L, int b);

/* z (block b's columns of step tt, row stride groups * u) = x_tt W + bias:
 * the step's input projection, computed just before the step needs it so
 * that it is still in cache. bias_row may be NULL. */
void sc_rnn_project_step(const sc_rnn_args *a, const float *x,
                         const sc_rnn_layout *L, int b, const sc_packed_b *pw,
                         const float *bias_row, long tt, float *z);

/* z (block b's columns of step tt) = x_tt W + bias + h R, where pr holds
 * the block's first columns of R (all of them, or a prefix: GRU's z and
 * r): the projection and the recurrent product tile by tile, each C tile
 * finished in cache; the same bits as sc_rnn_project_step followed by the
 * recurrent product with beta 1. */
void sc_rnn_gate_inputs_step(const sc_rnn_args *a, const float *x,
                             const sc_rnn_layout *L, int b,
                             const sc_packed_b *pw, const float *bias_row,
                             const sc_packed_b *pr, const float *h, long tt,
                             float *z);

/* Block b's columns of step tt's gates: time-major slices when every step
 * is kept, else the one step-sized slice. Row stride groups * u. */
static inline float *sc_rnn_step_gates(const sc_rnn_args *a,
                                       const sc_rnn_layout *L, float *gates,
                                       long tt, int b)
{
    const long slot = a->keep_gates ? tt : 0;
    return gates + slot * a->n * L->groups * a->u + sc_rnn_block_col(L, b);
}

/* What a recurrent cell plugs into the shared driver, sc_rnn_run. Each
 * thread keeps one state of state_size bytes per unit block it owns (its
 * packed kernels, scratch); per step, every phase runs on every block and
 * is followed by a barrier. */
typedef struct {
    const void *ctx;       /* the cell's call context */
    size_t state_size;
    int phases;            /* barriers per step: 1, or 2 when one phase
                              needs another's results for every unit */
    /* Set up block b's state (zeroed memory); 0 when out of memory. */
    int (*init_block)(const void *ctx, int b, void *state);
    void (*step)(const void *ctx, int b, void *state, int phase, long s,
                 const float *h_cur, float *h_next);
    /* Release a state, even a partially initialised one. */
    void (*free_block)(void *state);
} sc_rnn_cell;

/* Run the cell over every step of the sequence, threads over the layout's
 * unit blocks; h (n, u) is the initial state and receives the final one.
 * Returns 0, or -1 when out of memory. */
int sc_rnn_run(const sc_rnn_args *a, const sc_rnn_layout *L,
               const sc_rnn_cell *cell, float *h);

/* A 64-byte aligned buffer of n floats (free with free()), or NULL. */
float *sc_rnn_aligned(long n);

/* The time index processed at step s. */
static inline long sc_rnn_time(const sc_rnn_args *a, long s)
{
    return a->go_backwards ? a->t - 1 - s : s;
}

/* Whether sample i takes step tt (no mask: always). */
static inline int sc_rnn_active(const sc_rnn_args *a, long i, long tt)
{
    return a->mask == NULL || a->mask[i * a->t + tt] != 0;
}

/* seq[i, s, u0 : u0 + w] = h (w floats), when seq is wanted. */
static inline void sc_rnn_store_output(const sc_rnn_args *a, float *seq,
                                       long i, long s, long u0, long w,
                                       const float *h)
{
    if (seq)
        memcpy(seq + (i * a->t + s) * a->u + u0, h,
               (size_t)w * sizeof(float));
}

#endif /* SC_RNN_COMMON_H */
