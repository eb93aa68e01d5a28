/* window.h - where a convolution's taps fall in its input (internal; the
 * per-ISA loops of conv_thin_impl.h and conv_routed_impl.h). */
#ifndef SC_WINDOW_H
#define SC_WINDOW_H

#include "seqcore.h"

/* Input row of kernel row i for output row oh (may be outside). */
static inline long sc_tap_row(const sc_window *g, long oh, long i)
{
    return oh * g->sh - g->pad_top + i * g->dh;
}

/* Input column of kernel column j for output column ow (may be outside). */
static inline long sc_tap_col(const sc_window *g, long ow, long j)
{
    return ow * g->sw - g->pad_left + j * g->dw;
}

/* The output columns [*lo, *hi) whose kernel column j falls inside the
 * input. */
static inline void sc_tap_inside_cols(const sc_window *g, long j, long *lo,
                                      long *hi)
{
    const long first = g->pad_left - j * g->dw;      /* ow * sw >= first */
    const long end = g->w + g->pad_left - j * g->dw; /* ow * sw < end */
    *hi = end <= 0 ? 0 : (end + g->sw - 1) / g->sw;
    *hi = *hi < g->ow ? *hi : g->ow;
    *lo = first <= 0 ? 0 : (first + g->sw - 1) / g->sw;
    *lo = *lo < *hi ? *lo : *hi;
}

#endif /* SC_WINDOW_H */
