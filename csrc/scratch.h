/* scratch.h - the kernels' working memory: checked sizes, 64-byte aligned
 * allocations that record what they failed to get, and per-thread scratch
 * buffers kept between kernel calls, so that a steady-state step allocates
 * (and page-faults) nothing large.
 *
 * Every workspace size is computed from the current call's shapes with the
 * checked arithmetic below (size_t, 64 bits): a negative factor or an
 * overflow gives SC_SIZE_INVALID, which no allocation satisfies. A failed
 * allocation records the bytes it asked for (sc_alloc_failure_bytes in
 * seqcore.h), so that the bridge's MemoryError can name them. */
#ifndef SC_SCRATCH_H
#define SC_SCRATCH_H

#include <stddef.h>

/* A size no allocation satisfies: the result of an invalid size
 * computation (a negative count or an overflow). */
#define SC_SIZE_INVALID ((size_t)-1)

/* n as a size, or SC_SIZE_INVALID when negative. */
static inline size_t sc_size(long n)
{
    return n < 0 ? SC_SIZE_INVALID : (size_t)n;
}
/* a * b, or SC_SIZE_INVALID when either is negative or invalid or the
 * product overflows. */
size_t sc_size_mul(long a, long b);
/* a * b * c, checked as above. */
size_t sc_size_mul3(long a, long b, long c);
/* a + b for sizes, SC_SIZE_INVALID when either is invalid or the sum
 * overflows. */
size_t sc_size_add(size_t a, size_t b);

/* A 64-byte aligned block of count elements of `size` bytes (free it with
 * free()), or NULL after recording the bytes asked for. A count of 0 gives
 * a valid (64-byte) block, never NULL. */
void *sc_alloc(size_t count, size_t size);
/* sc_alloc, zero-filled. */
void *sc_alloc_zero(size_t count, size_t size);

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

/* The calling thread's 64-byte aligned buffer of slot `slot`, holding at
 * least `floats` floats, or NULL when out of memory (the failure recorded)
 * or `floats` is SC_SIZE_INVALID. A request of 0 floats gets a valid
 * buffer too. Its contents are whatever the previous user left. */
float *sc_scratch(int slot, size_t floats);

/* Record a failed allocation of `bytes` (SC_SIZE_INVALID: a size that
 * overflowed), for sc_alloc_failure_bytes. */
void sc_alloc_failed(size_t bytes);

#endif /* SC_SCRATCH_H */
