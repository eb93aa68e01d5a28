/*
 * vec.h - the native float vector of the ISA a file is compiled for (GCC
 * and clang vector extensions): 16 lanes with AVX-512, 8 with AVX2, else 4
 * (SSE2 on x86-64; other CPUs map it to their own). Loads and stores through
 * it may be unaligned. Included by the per-ISA files only; the width must be
 * the native one: wider vector types are lowered badly by GCC.
 */
#ifndef SC_VEC_H
#define SC_VEC_H

#if defined(__AVX512F__)
#define SC_VF_LANES 16
#elif defined(__AVX2__)
#define SC_VF_LANES 8
#else
#define SC_VF_LANES 4
#endif

typedef float sc_vf __attribute__((vector_size(SC_VF_LANES * 4), aligned(4)));

static inline sc_vf sc_vf_load(const float *p)
{
    return *(const sc_vf *)p;
}

static inline void sc_vf_store(float *p, sc_vf v)
{
    *(sc_vf *)p = v;
}

#endif /* SC_VEC_H */
