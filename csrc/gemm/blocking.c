/*
 * blocking.c - the GEMM's cache blocks (mc, kc, nc) from the cache sizes of
 * the CPU we run on (sc_cpu_caches), for a micro-tile of mr x nr.
 *
 * The model (after BLIS's analytical one):
 *   kc: one packed B micro-panel (kc x nr) fills about three quarters of
 *       L1d, leaving the rest to the A micro-panel streaming past and C's
 *       tile (measured on Zen 3: kc 384 beats 256 by 3-4% on large
 *       products, with C's tile prefetched by the micro-kernel). Never
 *       below 384: a slice loads and stores C's tile once, and a wide
 *       panel (AVX-512's 32 columns) streams from L2 without loss, so
 *       depth wins over L1 residency there (Zen 4, 8x32: kc 256 -> 384
 *       took 2048^3 from 94 to 99 GFLOP/s at one thread; 512 measured
 *       the same as 384);
 *   mc: the packed A block (mc x kc) fills about a quarter of L2, so that
 *       it survives while B's micro-panels stream through L2 past it;
 *   nc: the packed B panel (kc x nc) fills about half of this core's share
 *       of L3.
 * Each is clamped to a range measured to perform (docs/performance.md) and
 * rounded: kc to a multiple of 8, mc of mr, nc of nr. SEQCORE_GEMM_BLOCKS=
 * "mc,kc,nc" overrides the result (for tuning on a new CPU; the values are
 * rounded and clamped the same way).
 */
#include <stdio.h>
#include <stdlib.h>

#include "gemm.h"

#define KC_MIN 384
#define KC_MAX 512
#define MC_MAX 512
#define NC_MIN 512
#define NC_MAX 8192

static long clamp_l(long v, long lo, long hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static long round_down(long v, long to)
{
    const long r = v / to * to;
    return r >= to ? r : to;
}

static void clamp_blocks(int mr, int nr, long *mc, long *kc, long *nc)
{
    *kc = round_down(clamp_l(*kc, KC_MIN, KC_MAX), 8);
    *mc = round_down(clamp_l(*mc, 4L * mr, MC_MAX), mr);
    *nc = round_down(clamp_l(*nc, NC_MIN, NC_MAX), nr);
}

void sc_gemm_blocking(const sc_cache_sizes *cs, int mr, int nr, long *mc,
                      long *kc, long *nc)
{
    const long f = (long)sizeof(float);
    *kc = cs->l1d * 3 / 4 / ((long)nr * f);
    long kc_r = round_down(clamp_l(*kc, KC_MIN, KC_MAX), 8);
    *mc = cs->l2 / 4 / (kc_r * f);
    *nc = cs->l3 / 2 / (kc_r * f);
    clamp_blocks(mr, nr, mc, kc, nc);

    const char *env = getenv("SEQCORE_GEMM_BLOCKS");
    long m = 0, k = 0, n = 0;
    if (env && sscanf(env, "%ld,%ld,%ld", &m, &k, &n) == 3 && m > 0 &&
        k > 0 && n > 0) {
        *mc = m;
        *kc = k;
        *nc = n;
        clamp_blocks(mr, nr, mc, kc, nc);
    }
}
