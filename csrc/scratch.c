/* scratch.c - checked sizes, aligned allocations and per-thread scratch
 * buffers (see scratch.h). */
#include <stdlib.h>

#include "scratch.h"
#include "seqcore.h"

#define ALIGN 64

/* Under AddressSanitizer, blocks of exactly the bytes asked for, and
 * scratch buffers reallocated whenever a call asks for another size: a
 * read or write one float past any workspace is then reported, where
 * rounded-up and reused buffers would hide it. */
#if defined(__SANITIZE_ADDRESS__)
#define EXACT_SIZES 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXACT_SIZES 1
#endif
#endif
#ifndef EXACT_SIZES
#define EXACT_SIZES 0
#endif

size_t sc_size_mul(long a, long b)
{
    size_t r;
    if (a < 0 || b < 0 ||
        __builtin_mul_overflow((size_t)a, (size_t)b, &r) ||
        r == SC_SIZE_INVALID)
        return SC_SIZE_INVALID;
    return r;
}

size_t sc_size_mul3(long a, long b, long c)
{
    const size_t ab = sc_size_mul(a, b);
    size_t r;
    if (ab == SC_SIZE_INVALID || c < 0 ||
        __builtin_mul_overflow(ab, (size_t)c, &r) || r == SC_SIZE_INVALID)
        return SC_SIZE_INVALID;
    return r;
}

size_t sc_size_add(size_t a, size_t b)
{
    size_t r;
    if (a == SC_SIZE_INVALID || b == SC_SIZE_INVALID ||
        __builtin_add_overflow(a, b, &r) || r == SC_SIZE_INVALID)
        return SC_SIZE_INVALID;
    return r;
}

/* The last failed request, in bytes (0: none since it was last read). */
static size_t failed_bytes;
/* Requests above this many bytes fail as if out of memory (testing). */
static size_t alloc_limit = SC_SIZE_INVALID;

void sc_alloc_failed(size_t bytes)
{
    __atomic_store_n(&failed_bytes, bytes == 0 ? 1 : bytes, __ATOMIC_RELAXED);
}

size_t sc_alloc_failure_bytes(void)
{
    return __atomic_exchange_n(&failed_bytes, 0, __ATOMIC_RELAXED);
}

void sc_set_alloc_limit(size_t bytes)
{
    __atomic_store_n(&alloc_limit, bytes, __ATOMIC_RELAXED);
}

/* count * size bytes rounded up to whole 64-byte lines (at least one, as
 * aligned_alloc wants; exactly, at least 1, under ASan), or
 * SC_SIZE_INVALID. */
static size_t aligned_bytes(size_t count, size_t size)
{
    size_t bytes;
    if (count == SC_SIZE_INVALID ||
        __builtin_mul_overflow(count, size, &bytes) ||
        bytes > SC_SIZE_INVALID - ALIGN)
        return SC_SIZE_INVALID;
    if (EXACT_SIZES)
        return bytes == 0 ? 1 : bytes;
    return bytes == 0 ? ALIGN : (bytes + ALIGN - 1) / ALIGN * ALIGN;
}

static void *alloc_bytes(size_t bytes)
{
    void *p = NULL;
    if (bytes != SC_SIZE_INVALID &&
        bytes <= __atomic_load_n(&alloc_limit, __ATOMIC_RELAXED)) {
        if (EXACT_SIZES) { /* any size, unlike aligned_alloc */
            if (posix_memalign(&p, ALIGN, bytes) != 0)
                p = NULL;
        } else {
            p = aligned_alloc(ALIGN, bytes);
        }
    }
    if (p == NULL)
        sc_alloc_failed(bytes);
    return p;
}

void *sc_alloc(size_t count, size_t size)
{
    return alloc_bytes(aligned_bytes(count, size));
}

void *sc_alloc_zero(size_t count, size_t size)
{
    const size_t bytes = aligned_bytes(count, size);
    void *p = alloc_bytes(bytes);
    if (p != NULL)
        __builtin_memset(p, 0, bytes);
    return p;
}

float *sc_scratch(int slot, size_t floats)
{
    static _Thread_local float *buf[SC_SCRATCH_SLOTS];
    static _Thread_local size_t cap[SC_SCRATCH_SLOTS];
    if (buf[slot] == NULL || cap[slot] < floats ||
        (EXACT_SIZES && cap[slot] != floats)) {
        const size_t bytes = aligned_bytes(floats, sizeof(float));
        free(buf[slot]);
        buf[slot] = alloc_bytes(bytes);
        cap[slot] = buf[slot] ? (EXACT_SIZES ? floats : bytes / sizeof(float))
                              : 0;
    }
    return buf[slot];
}
