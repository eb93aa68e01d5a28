/* scratch.h - per-thread scratch buffers kept between kernel calls, so that
 * a steady-state step allocates (and page-faults) nothing large. */
#ifndef SC_SCRATCH_H
#define SC_SCRATCH_H

#include <stddef.h>

/* The buffers: each thread has one of each, grown on demand, never freed
 * before the thread ends. A kernel may hold several at once, but only one
 * per slot. */
enum {
    SC_SCRATCH_GEMM_A = 0,   /* packed A blocks (gemm/macro.c) */
    SC_SCRATCH_GEMM_B = 1,   /* packed B panels (gemm/macro.c) */
    SC_SCRATCH_IM2COL = 2,   /* column buffer (conv.c) */
    SC_SCRATCH_CONV_OUT = 3, /* convolution rows before pooling (conv_pool.c) */
    SC_SCRATCH_SLOTS = 4
};

/* A 64-byte aligned buffer of at least `floats` floats, or NULL when out of
 * memory. Its contents are whatever the previous user left. */
float *sc_scratch(int slot, size_t floats);

#endif /* SC_SCRATCH_H */
