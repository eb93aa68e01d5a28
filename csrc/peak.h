/* peak.h - the per-ISA FMA peak loops behind sc_fma_peak_loop. */
#ifndef SC_PEAK_H
#define SC_PEAK_H

#include "seqcore.h"

double sc_fma_peak_loop_generic(long iters, float *sink);
#ifdef SC_HAVE_X86_KERNELS
double sc_fma_peak_loop_avx2(long iters, float *sink);
double sc_fma_peak_loop_avx512(long iters, float *sink);
#endif

#endif /* SC_PEAK_H */
