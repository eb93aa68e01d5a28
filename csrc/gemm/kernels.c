/* kernels.c - the float32 GEMM kernel table of each ISA, with its cache
 * blocking, and the selection cpu.c makes. */
#include "gemm.h"

/* Blocking: a packed B micro-panel (kc x nr) stays in L1, the packed A block
 * (mc x kc) in L2, the packed B panel (kc x nc) in L3. mc is a multiple of
 * mr and nc of nr, so partial micro-tiles only ever occur at the matrix edge. */
static const sc_sgemm_kernels generic_kernels = {
    SC_ISA_GENERIC, 4, 8, 128, 256, 4096, sc_sukr_ref_4x8, sc_sgemv_ref,
};

#ifdef SC_HAVE_X86_KERNELS
static const sc_sgemm_kernels avx2_kernels = {
    SC_ISA_AVX2, 6, 16, 144, 256, 4096, sc_sukr_avx2_6x16, sc_sgemv_avx2,
};

static const sc_sgemm_kernels avx512_kernels = {
    SC_ISA_AVX512, 8, 32, 128, 256, 4096, sc_sukr_avx512_8x32,
    sc_sgemv_avx512,
};
#endif

static const sc_sgemm_kernels *selected = 0;

void sc_gemm_select_kernels(sc_isa isa)
{
    switch (isa) {
#ifdef SC_HAVE_X86_KERNELS
    case SC_ISA_AVX512:
        selected = &avx512_kernels;
        return;
    case SC_ISA_AVX2:
        selected = &avx2_kernels;
        return;
#endif
    default:
        selected = &generic_kernels;
    }
}

const sc_sgemm_kernels *sc_sgemm_current_kernels(void)
{
    if (!selected)
        sc_isa_current(); /* selects the best ISA on first use */
    return selected;
}
