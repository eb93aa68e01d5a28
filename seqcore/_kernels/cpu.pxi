# seqcore/_kernels/cpu.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- CPU features and threads ---------------------------------------------

def isa_names():
    """All ISA names seqcore knows, best last."""
    return list(_ISAS)


def isa_available(str name):
    """Whether this build and this CPU can run the kernels of ISA `name`."""
    return bool(sc_isa_available(_isa_code(name)))


def best_isa():
    return sc_isa_name(sc_isa_best()).decode()


def current_isa():
    return sc_isa_name(sc_isa_current()).decode()


def select_isa(str name):
    """Use the kernels of ISA `name` from now on (for tests and debugging)."""
    if sc_isa_select(_isa_code(name)) != 0:
        available = [n for n in _ISAS if sc_isa_available(_ISAS[n])]
        raise RuntimeError(
            f"seqcore: this CPU (or this build) cannot run the {name!r} "
            f"kernels; available: {available}")


def openmp_enabled():
    return bool(sc_openmp_enabled())


def set_num_threads(int n):
    sc_set_num_threads(n)


def get_num_threads():
    return sc_get_num_threads()


def default_num_threads():
    return sc_default_num_threads()


def cpu_caches(str source=None):
    """Data cache sizes in bytes of this core: a dict with l1d, l2, l3 (one
    core's share of L3) and source ("sysfs", "cpuid" or "default"). With
    `source`, that source's answer alone, or None when it has none."""
    cdef const sc_cache_sizes *cs
    if source is None:
        cs = sc_cpu_caches()
    else:
        if source not in ("sysfs", "cpuid", "default"):
            raise ValueError(f"cpu_caches: source must be 'sysfs', 'cpuid', "
                             f"'default' or None, received {source!r}")
        encoded = source.encode()
        cs = sc_cpu_caches_from(encoded)
        if cs == NULL:
            return None
    return {"l1d": cs.l1d, "l2": cs.l2, "l3": cs.l3,
            "source": cs.source.decode()}


def gemm_blocks():
    """The float32 GEMM's micro-tile (mr, nr) and cache blocks (mc, kc, nc)
    for the selected ISA, as a dict."""
    cdef int mr, nr
    cdef long mc, kc, nc
    sc_sgemm_blocks(&mr, &nr, &mc, &kc, &nc)
    return {"mr": mr, "nr": nr, "mc": mc, "kc": kc, "nc": nc}


def fma_peak(double seconds=0.2):
    """This core's float32 FMA peak in flop/s on the selected ISA: a
    register-resident FMA loop, no memory traffic, one thread. Runs of about
    a millisecond are repeated for `seconds` and the fastest counts: other
    processes only ever slow a run down, and a millisecond is shorter than
    a scheduler's time slice."""
    import time
    cdef float sink = 0.0
    cdef long iters = 1 << 10
    cdef double flops = 0.0
    while True:  # calibrate: about a millisecond per run
        t0 = time.perf_counter()
        with nogil:
            flops = sc_fma_peak_loop(iters, &sink)
        took = time.perf_counter() - t0
        if took > 1e-3 or iters > (1 << 40):
            break
        iters *= 2
    best = flops / took
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        with nogil:
            flops = sc_fma_peak_loop(iters, &sink)
        best = max(best, flops / (time.perf_counter() - t0))
    return best
