/* scratch.c - per-thread scratch buffers (see scratch.h). */
#include <stdlib.h>

#include "scratch.h"

float *sc_scratch(int slot, size_t floats)
{
    static _Thread_local float *buf[SC_SCRATCH_SLOTS];
    static _Thread_local size_t cap[SC_SCRATCH_SLOTS];
    if (cap[slot] < floats) {
        free(buf[slot]);
        const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
        buf[slot] = aligned_alloc(64, bytes);
        cap[slot] = buf[slot] ? floats : 0;
    }
    return buf[slot];
}
