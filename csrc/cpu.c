/* cpu.c - ISA detection and selection, and the thread-count policy. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>

#include "seqcore.h"
#include "kernel_table.h"
#include "gemm/gemm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Below this much work a kernel runs on one thread: waking a second thread
 * costs a few microseconds, about what one core needs for this many flops. */
#define SC_PARALLEL_MIN_FLOPS 1.0e6

static sc_isa current_isa = SC_ISA_GENERIC;
static const sc_kernel_table *current_table = &sc_kernels_generic;
static int current_isa_chosen = 0;
static int num_threads = 0; /* 0: not yet initialised */

int sc_isa_available(sc_isa isa)
{
    switch (isa) {
    case SC_ISA_GENERIC:
        return 1;
#ifdef SC_HAVE_X86_KERNELS
    case SC_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case SC_ISA_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    default:
        return 0;
    }
}

sc_isa sc_isa_best(void)
{
    if (sc_isa_available(SC_ISA_AVX512))
        return SC_ISA_AVX512;
    if (sc_isa_available(SC_ISA_AVX2))
        return SC_ISA_AVX2;
    return SC_ISA_GENERIC;
}

int sc_isa_select(sc_isa isa)
{
    if (!sc_isa_available(isa))
        return -1;
    switch (isa) {
#ifdef SC_HAVE_X86_KERNELS
    case SC_ISA_AVX512:
        current_table = &sc_kernels_avx512;
        break;
    case SC_ISA_AVX2:
        current_table = &sc_kernels_avx2;
        break;
#endif
    default:
        current_table = &sc_kernels_generic;
    }
    current_isa = isa;
    current_isa_chosen = 1;
    sc_gemm_select_kernels(isa);
    return 0;
}

const sc_kernel_table *sc_kernel_table_current(void)
{
    if (!current_isa_chosen)
        sc_isa_select(sc_isa_best());
    return current_table;
}

sc_isa sc_isa_current(void)
{
    if (!current_isa_chosen)
        sc_isa_select(sc_isa_best());
    return current_isa;
}

const char *sc_isa_name(sc_isa isa)
{
    switch (isa) {
    case SC_ISA_GENERIC: return "generic";
    case SC_ISA_AVX2: return "avx2";
    case SC_ISA_AVX512: return "avx512";
    }
    return "unknown";
}

int sc_openmp_enabled(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

int sc_default_num_threads(void)
{
    const char *env = getenv("OMP_NUM_THREADS");
    if (env && *env) {
        /* OMP_NUM_THREADS may be a list ("4,2"): the first level counts. */
        long n = strtol(env, NULL, 10);
        if (n >= 1)
            return (int)n;
    }
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof(mask), &mask) == 0) {
        int n = CPU_COUNT(&mask);
        if (n >= 1)
            return n;
    }
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

void sc_set_num_threads(int n)
{
    if (n < 1)
        n = 1;
#ifdef _OPENMP
    num_threads = n;
#else
    num_threads = 1;
#endif
}

int sc_get_num_threads(void)
{
    if (num_threads == 0)
        sc_set_num_threads(sc_default_num_threads());
    return num_threads;
}

int sc_threads_for_work(double flops)
{
#ifdef _OPENMP
    if (omp_in_parallel()) /* called by a kernel's own worker thread */
        return 1;
#endif
    int limit = sc_get_num_threads();
    if (limit <= 1 || flops < 2.0 * SC_PARALLEL_MIN_FLOPS)
        return 1;
    /* Each thread should get at least SC_PARALLEL_MIN_FLOPS of work. */
    double by_work = flops / SC_PARALLEL_MIN_FLOPS;
    return by_work < limit ? (int)by_work : limit;
}
