/* omp_compat.h - the calling thread's index in its team and the team's
 * size, also in builds without OpenMP (internal). */
#ifndef SC_OMP_COMPAT_H
#define SC_OMP_COMPAT_H

#ifdef _OPENMP
#include <omp.h>
static inline int sc_omp_thread(void) { return omp_get_thread_num(); }
static inline int sc_omp_team(void) { return omp_get_num_threads(); }
#else
static inline int sc_omp_thread(void) { return 0; }
static inline int sc_omp_team(void) { return 1; }
#endif

#endif /* SC_OMP_COMPAT_H */
