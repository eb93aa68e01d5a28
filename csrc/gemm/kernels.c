/* kernels.c - the float32 GEMM kernel table of each ISA, and the selection
 * cpu.c makes. The cache blocks are filled in at selection from the caches
 * of the CPU we run on (blocking.c); the values below are only placeholders.
 * A packed B micro-panel (kc x nr) stays in L1, the packed A block (mc x kc)
 * in L2, the packed B panel (kc x nc) in L3. mc is a multiple of mr and nc
 * of nr, so partial micro-tiles only ever occur at the matrix edge. */
#include "gemm.h"

static sc_sgemm_kernels generic_kernels = {
    SC_ISA_GENERIC, 4, 8, 128, 256, 4096, sc_sukr_ref_4x8, sc_sukr_rows_ref_4x8,
    sc_sgemv_ref,
};

#ifdef SC_HAVE_X86_KERNELS
static sc_sgemm_kernels avx2_kernels = {
    SC_ISA_AVX2, 6, 16, 144, 256, 4096, sc_sukr_avx2_6x16,
    sc_sukr_rows_avx2_6x16, sc_sgemv_avx2,
};

static sc_sgemm_kernels avx512_kernels = {
    SC_ISA_AVX512, 8, 32, 128, 256, 4096, sc_sukr_avx512_8x32,
    sc_sukr_rows_avx512_8x32, sc_sgemv_avx512,
};
#endif

static const sc_sgemm_kernels *selected = 0;

static const sc_sgemm_kernels *with_blocks(sc_sgemm_kernels *kr)
{
    sc_gemm_blocking(sc_cpu_caches(), kr->mr, kr->nr, &kr->mc, &kr->kc,
                     &kr->nc);
    return kr;
}

void sc_gemm_select_kernels(sc_isa isa)
{
    switch (isa) {
#ifdef SC_HAVE_X86_KERNELS
    case SC_ISA_AVX512:
        selected = with_blocks(&avx512_kernels);
        return;
    case SC_ISA_AVX2:
        selected = with_blocks(&avx2_kernels);
        return;
#endif
    default:
        selected = with_blocks(&generic_kernels);
    }
}

const sc_sgemm_kernels *sc_sgemm_current_kernels(void)
{
    if (!selected)
        sc_isa_current(); /* selects the best ISA on first use */
    return selected;
}

void sc_sgemm_blocks(int *mr, int *nr, long *mc, long *kc, long *nc)
{
    const sc_sgemm_kernels *kr = sc_sgemm_current_kernels();
    *mr = kr->mr;
    *nr = kr->nr;
    *mc = kr->mc;
    *kc = kr->kc;
    *nc = kr->nc;
}
