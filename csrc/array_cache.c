/*
 * array_cache.c - numpy's data allocator while seqcore runs a model: large
 * blocks are kept after numpy frees them and handed out again, so that a
 * steady-state predict or fit step does not map, page-fault and zero fresh
 * memory for every large activation.
 *
 * glibc serves blocks over its mmap threshold (32 MiB at most) with mmap
 * and returns them with munmap: a 100 MB activation freed after its last
 * reader costs 25,000 page faults when the next batch asks for it again
 * (ResNet50 at batch 32 spent a fifth of its inference time so). Here a
 * freed block of at least SC_ARRAY_CACHE_MIN_BYTES is parked in a small
 * table; a request takes the smallest parked block that holds it without
 * wasting more than an eighth. The parked total is capped (sc_array_cache_
 * set_limit), the least recently parked going back to the system first.
 *
 * Every block starts with a 64-byte header recording its capacity, so the
 * data stays 64-byte aligned and a block is recognised whatever size numpy
 * says it frees. Small blocks pass straight through to malloc and free.
 * All functions are thread-safe (one mutex; calls are rare and short).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqcore.h"

#define HEADER 64
#define SLOTS 256

typedef struct {
    size_t capacity; /* bytes of data after the header */
} block_header;

typedef struct {
    block_header *block; /* NULL: slot free */
    uint64_t parked_at;
} slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot parked[SLOTS];
static size_t parked_bytes = 0;
static size_t limit_bytes = (size_t)4 << 30;
static uint64_t clock_ticks = 0;
static sc_array_cache_stats counters;

static void *data_of(block_header *h) { return (char *)h + HEADER; }
static block_header *header_of(void *p)
{
    return (block_header *)((char *)p - HEADER);
}

static block_header *new_block(size_t capacity)
{
    if (capacity > SIZE_MAX - 2 * HEADER)
        return NULL;
    const size_t total = (capacity + HEADER + 63) / 64 * 64;
    block_header *h = aligned_alloc(64, total);
    if (h)
        h->capacity = total - HEADER;
    return h;
}

/* The parked block that best holds `size` bytes, unparked; NULL if none.
 * Called with the lock held. */
static block_header *take_parked(size_t size)
{
    int best = -1;
    for (int i = 0; i < SLOTS; ++i) {
        block_header *h = parked[i].block;
        if (h && h->capacity >= size && h->capacity - size <= size / 8 &&
            (best < 0 || h->capacity < parked[best].block->capacity))
            best = i;
    }
    if (best < 0)
        return NULL;
    block_header *h = parked[best].block;
    parked[best].block = NULL;
    parked_bytes -= h->capacity;
    return h;
}

/* The slot of the least recently parked block, or -1. Lock held. */
static int oldest_slot(void)
{
    int oldest = -1;
    for (int i = 0; i < SLOTS; ++i)
        if (parked[i].block &&
            (oldest < 0 || parked[i].parked_at < parked[oldest].parked_at))
            oldest = i;
    return oldest;
}

/* Park h, first returning the oldest blocks to the system until it fits
 * under the limit; a block larger than the limit is released at once.
 * Lock held. */
static void park(block_header *h)
{
    if (h->capacity > limit_bytes) {
        free(h);
        return;
    }
    int free_slot = -1;
    for (int i = 0; i < SLOTS && free_slot < 0; ++i)
        if (!parked[i].block)
            free_slot = i;
    while (parked_bytes + h->capacity > limit_bytes || free_slot < 0) {
        const int old = oldest_slot();
        parked_bytes -= parked[old].block->capacity;
        free(parked[old].block);
        parked[old].block = NULL;
        counters.released += 1;
        if (free_slot < 0)
            free_slot = old;
    }
    parked[free_slot].block = h;
    parked[free_slot].parked_at = ++clock_ticks;
    parked_bytes += h->capacity;
}

void *sc_array_cache_malloc(size_t size)
{
    if (size >= SC_ARRAY_CACHE_MIN_BYTES) {
        pthread_mutex_lock(&lock);
        block_header *h = take_parked(size);
        if (h)
            counters.reused += 1;
        else
            counters.fresh += 1;
        pthread_mutex_unlock(&lock);
        if (h)
            return data_of(h);
    }
    block_header *h = new_block(size);
    return h ? data_of(h) : NULL;
}

void *sc_array_cache_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    const size_t bytes = count * size;
    void *p = sc_array_cache_malloc(bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void sc_array_cache_free(void *p)
{
    if (!p)
        return;
    block_header *h = header_of(p);
    if (h->capacity < SC_ARRAY_CACHE_MIN_BYTES) {
        free(h);
        return;
    }
    pthread_mutex_lock(&lock);
    park(h);
    pthread_mutex_unlock(&lock);
}

void *sc_array_cache_realloc(void *p, size_t size)
{
    if (!p)
        return sc_array_cache_malloc(size);
    const size_t capacity = header_of(p)->capacity;
    if (size <= capacity && capacity - size <= size / 8)
        return p;
    void *q = sc_array_cache_malloc(size);
    if (!q)
        return NULL;
    memcpy(q, p, capacity < size ? capacity : size);
    sc_array_cache_free(p);
    return q;
}

void sc_array_cache_set_limit(size_t bytes)
{
    pthread_mutex_lock(&lock);
    limit_bytes = bytes;
    for (int old; parked_bytes > limit_bytes && (old = oldest_slot()) >= 0;) {
        parked_bytes -= parked[old].block->capacity;
        free(parked[old].block);
        parked[old].block = NULL;
        counters.released += 1;
    }
    pthread_mutex_unlock(&lock);
}

void sc_array_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS; ++i)
        if (parked[i].block) {
            free(parked[i].block);
            parked[i].block = NULL;
            counters.released += 1;
        }
    parked_bytes = 0;
    pthread_mutex_unlock(&lock);
}

sc_array_cache_stats sc_array_cache_read_stats(void)
{
    pthread_mutex_lock(&lock);
    sc_array_cache_stats s = counters;
    s.parked_bytes = parked_bytes;
    s.limit_bytes = limit_bytes;
    pthread_mutex_unlock(&lock);
    return s;
}
