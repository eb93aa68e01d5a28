/* peak.c - the FMA peak loop of the selected ISA (see seqcore.h), and its
 * portable version. */
#include "kernel_table.h"
#include "peak.h"

/* Portable: 16 independent scalar chains; the compiler may vectorize. */
double sc_fma_peak_loop_generic(long iters, float *sink)
{
    float acc[16];
    for (int j = 0; j < 16; ++j)
        acc[j] = (float)j;
    const float a = 0.999999f, b = 1e-7f;
    for (long i = 0; i < iters; ++i)
        for (int j = 0; j < 16; ++j)
            acc[j] = acc[j] * a + b;
    float total = 0.0f;
    for (int j = 0; j < 16; ++j)
        total += acc[j];
    *sink = total;
    return 2.0 * 16.0 * (double)iters;
}

double sc_fma_peak_loop(long iters, float *sink)
{
    return sc_kernel_table_current()->fma_peak_loop(iters, sink);
}
