"""The GEMM kernels against numpy, on every ISA path, 1 and 2 threads."""
import itertools

import numpy as np
import pytest

from seqcore import _kernels

SIZES = (1, 2, 7, 15, 16, 17, 33, 64, 100, 257)
TRANSPOSES = list(itertools.product((False, True), repeat=2))


def operands(rng, m, n, k, trans_a, trans_b, dtype=np.float32):
    """Random op(a) (m x k) and op(b) (k x n), stored transposed as asked."""
    a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
    return a, b


def reference(a, b, trans_a, trans_b):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    return (a64.T if trans_a else a64) @ (b64.T if trans_b else b64)


def assert_close(got, want, k, dtype=np.float32):
    # Float32 sums of k products of N(0,1) values: error grows like sqrt(k).
    eps = np.finfo(dtype).eps
    tol = 8 * eps * np.sqrt(max(k, 1)) * max(1.0, np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=0, atol=tol)


@pytest.mark.parametrize("nthreads", [1, 2])
def test_every_size_and_transpose(isa, threads, nthreads):
    threads(nthreads)
    rng = np.random.default_rng(0)
    for m, n, k in itertools.product(SIZES, repeat=3):
        for trans_a, trans_b in TRANSPOSES:
            a, b = operands(rng, m, n, k, trans_a, trans_b)
            got = _kernels.gemm(a, b, trans_a=trans_a, trans_b=trans_b)
            assert got.shape == (m, n) and got.dtype == np.float32
            assert_close(got, reference(a, b, trans_a, trans_b), k)


@pytest.mark.parametrize("shape", [(300, 301, 299), (1, 1000, 700),
                                   (5, 2000, 40), (2000, 9, 300),
                                   (129, 513, 1025), (64, 288, 64)])
def test_one_and_two_threads_give_identical_bits(isa, threads, shape):
    m, n, k = shape
    rng = np.random.default_rng(1)
    for trans_a, trans_b in TRANSPOSES:
        a, b = operands(rng, m, n, k, trans_a, trans_b)
        bias = rng.standard_normal(n).astype(np.float32)
        results = []
        for nthreads in (1, 2):
            threads(nthreads)
            results.append(_kernels.gemm(a, b, trans_a=trans_a,
                                         trans_b=trans_b, bias=bias,
                                         activation="tanh"))
        np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("n", [70, 600])
@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (0.5, 1.0)])
def test_a_row_does_not_depend_on_the_tile_that_computes_it(isa, n, alpha,
                                                            beta):
    """Rows at C's bottom edge come from the micro-kernel's rows variant
    (and a thin remainder is rebalanced with the tile before it); every row
    must still get the full tile's arithmetic, so the first m rows of a
    product are the same bits whatever m is. n 70 reads A in place, n 600
    packs it."""
    rng = np.random.default_rng(5)
    a, b = operands(rng, 40, n, 300, False, False)
    c = rng.standard_normal((40, n)).astype(np.float32)
    full = _kernels.gemm(a, b, c.copy(), alpha=alpha, beta=beta)
    for m in range(2, 40):  # m == 1 is the gemv kernel
        part = _kernels.gemm(a[:m], b, c[:m].copy(), alpha=alpha, beta=beta)
        np.testing.assert_array_equal(part, full[:m], err_msg=f"m={m}")


def test_isas_agree_with_generic(threads):
    """Every ISA path computes the same product (to rounding)."""
    rng = np.random.default_rng(2)
    a, b = operands(rng, 77, 95, 130, False, False)
    previous = _kernels.current_isa()
    try:
        outs = {}
        for name in _kernels.isa_names():
            if _kernels.isa_available(name):
                _kernels.select_isa(name)
                outs[name] = _kernels.gemm(a, b)
    finally:
        _kernels.select_isa(previous)
    for out in outs.values():
        assert_close(out, outs["generic"], 130)


@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (0.5, 1.0), (-2.0, 0.25),
                                        (0.0, 3.0), (1.5, -1.0)])
def test_alpha_beta(isa, alpha, beta):
    rng = np.random.default_rng(3)
    for m, n, k in [(1, 1, 1), (7, 33, 15), (100, 257, 64), (33, 17, 600),
                    (1, 300, 50), (16, 64, 0)]:
        a, b = operands(rng, m, n, k, False, False)
        c = rng.standard_normal((m, n)).astype(np.float32)
        want = alpha * (a.astype(np.float64) @ b) + beta * c
        out = _kernels.gemm(a, b, c.copy(), alpha=alpha, beta=beta)
        assert_close(out, want, k)


def test_beta_zero_ignores_nan_in_c(isa):
    rng = np.random.default_rng(4)
    for m, n, k in [(9, 40, 20), (1, 50, 30), (4, 4, 0)]:
        a, b = operands(rng, m, n, k, False, False)
        c = np.full((m, n), np.nan, dtype=np.float32)
        out = _kernels.gemm(a, b, c, beta=0.0)
        assert np.isfinite(out).all()


ACTIVATIONS = {
    None: lambda x: x,
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": np.tanh,
}


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("with_bias", [False, True])
def test_fused_bias_and_activation(isa, activation, with_bias):
    rng = np.random.default_rng(5)
    for m, n, k, trans_a, trans_b in [(1, 1, 1, False, False),
                                      (7, 33, 15, True, False),
                                      (100, 257, 64, False, True),
                                      (33, 17, 600, True, True),
                                      (1, 300, 50, False, False),
                                      (5, 6, 0, False, False)]:
        a, b = operands(rng, m, n, k, trans_a, trans_b)
        bias = rng.standard_normal(n).astype(np.float32) if with_bias else None
        c = rng.standard_normal((m, n)).astype(np.float32)
        pre = 0.75 * reference(a, b, trans_a, trans_b) + 0.5 * c
        if with_bias:
            pre = pre + bias
        want = ACTIVATIONS[activation](pre)
        out = _kernels.gemm(a, b, c.copy(), trans_a=trans_a, trans_b=trans_b,
                            alpha=0.75, beta=0.5, bias=bias,
                            activation=activation)
        assert_close(out, want, k)


def test_activation_saturates_without_overflow(isa):
    a = np.array([[1.0]], dtype=np.float32)
    b = np.array([[-200.0, -90.0, -20.0, -1e-3, 0.0, 1e-6, 0.29, 0.31, 20.0,
                   90.0, 200.0]], dtype=np.float32)
    for activation, fn in (("sigmoid", ACTIVATIONS["sigmoid"]),
                           ("tanh", np.tanh)):
        out = _kernels.gemm(a, b, activation=activation)
        with np.errstate(over="ignore"):
            want = fn(b.astype(np.float64))
        np.testing.assert_allclose(out, want, rtol=4e-7, atol=1e-37)


def test_float64(threads):
    rng = np.random.default_rng(6)
    for nthreads in (1, 2):
        threads(nthreads)
        for m, n, k in [(1, 1, 1), (7, 33, 15), (100, 257, 64), (300, 5, 70)]:
            for trans_a, trans_b in TRANSPOSES:
                a, b = operands(rng, m, n, k, trans_a, trans_b, np.float64)
                bias = rng.standard_normal(n)
                got = _kernels.gemm(a, b, trans_a=trans_a, trans_b=trans_b,
                                    bias=bias, activation="sigmoid")
                want = 1 / (1 + np.exp(-(reference(a, b, trans_a, trans_b)
                                         + bias)))
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


def test_arbitrary_strides_and_views(isa):
    rng = np.random.default_rng(7)
    big_a = rng.standard_normal((60, 90)).astype(np.float32)
    big_b = rng.standard_normal((80, 70)).astype(np.float32)
    a = big_a[3:40:2, 5:80:3]       # (19, 25), strided both ways
    b = big_b[::-3, 10:29]          # (27, 19), negative row stride
    b = b[:25]
    got = _kernels.gemm(a, b)
    assert_close(got, a.astype(np.float64) @ b, 25)
    # c may be a row-contiguous window of a larger array
    out = np.zeros((30, 40), dtype=np.float32)
    _kernels.gemm(a, b, out[2:21, 3:22])
    assert_close(out[2:21, 3:22], a.astype(np.float64) @ b, 25)
    assert not out[:2].any() and not out[:, :3].any()
    # Fortran-ordered operands are read as transposed in memory
    af, bf = np.asfortranarray(a), np.asfortranarray(b)
    assert_close(_kernels.gemm(af, bf), a.astype(np.float64) @ b, 25)


def test_empty_dimensions(isa):
    z = _kernels.gemm(np.ones((0, 5), np.float32), np.ones((5, 3), np.float32))
    assert z.shape == (0, 3)
    z = _kernels.gemm(np.ones((4, 5), np.float32), np.ones((5, 0), np.float32))
    assert z.shape == (4, 0)
    z = _kernels.gemm(np.ones((4, 0), np.float32), np.ones((0, 3), np.float32),
                      bias=np.arange(3, dtype=np.float32))
    np.testing.assert_array_equal(z, np.tile(np.arange(3), (4, 1)))


@pytest.mark.parametrize("call,message", [
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((4, 5), np.float32)),
     r"op\(a\) has shape \(2, 3\) and op\(b\) has shape \(4, 5\)"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((2, 5), np.float32), trans_b=True),
     r"op\(b\) has shape \(5, 2\)"),
    (lambda: _kernels.gemm(np.ones(3, np.float32), np.ones((3, 2), np.float32)),
     r"2-D, received shapes \(3,\) and \(3, 2\)"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((3, 2), np.float64)),
     "received float32 and float64"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.int32),
                           np.ones((3, 2), np.int32)),
     "received int32 and int32"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((3, 2), np.float32),
                           np.ones((2, 3), np.float32)),
     r"c must have shape \(2, 2\), received \(2, 3\)"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((3, 2), np.float32),
                           np.ones((2, 2), np.float64)),
     "c must be float32, received float64"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((3, 2), np.float32),
                           np.ones((2, 4), np.float32)[:, ::2]),
     "contiguous rows"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((3, 2), np.float32), beta=1.0),
     "beta=1.0 needs an output array"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((3, 2), np.float32),
                           bias=np.ones(3, np.float32)),
     r"bias must have shape \(2,\), received \(3,\)"),
    (lambda: _kernels.gemm(np.ones((2, 3), np.float32),
                           np.ones((3, 2), np.float32), activation="relux"),
     "unknown activation 'relux'"),
])
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_non_arrays_and_read_only_and_overlap():
    a = np.ones((3, 3), np.float32)
    with pytest.raises(TypeError, match="numpy arrays, received list"):
        _kernels.gemm([[1.0]], a)
    ro = np.zeros((3, 3), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        _kernels.gemm(a, a, ro)
    with pytest.raises(ValueError, match="must not overlap"):
        _kernels.gemm(a, a.copy(), a)


def test_releases_the_gil():
    """A Python thread keeps running while another thread is inside a GEMM:
    with the GIL held, the counter could not move during the call."""
    import threading
    a = np.ones((1500, 1500), np.float32)
    counter = [0]
    done = threading.Event()
    progress = []

    def work():
        for _ in range(3):
            before = counter[0]
            _kernels.gemm(a, a)
            progress.append(counter[0] - before)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    while not done.is_set():
        counter[0] += 1
    worker.join()
    assert max(progress) > 0


def test_concurrent_calls_from_python_threads():
    """Per-thread scratch buffers: concurrent calls give exact results."""
    import threading
    rng = np.random.default_rng(8)
    a = rng.standard_normal((300, 200)).astype(np.float32)
    b = rng.standard_normal((200, 250)).astype(np.float32)
    want = _kernels.gemm(a, b)
    results = [None] * 4

    def work(i):
        for _ in range(5):
            results[i] = _kernels.gemm(a, b)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for r in results:
        np.testing.assert_array_equal(r, want)


# ---- cache blocking from the CPU's caches (csrc/gemm/blocking.c) ----------

def test_cache_sizes_are_read_and_plausible():
    caches = _kernels.cpu_caches()
    assert caches["source"] in ("sysfs", "cpuid", "default")
    assert 4096 <= caches["l1d"] <= caches["l2"]
    assert caches["l3"] >= caches["l2"] or caches["l3"] > 0
    assert _kernels.cpu_caches("default") == {
        "l1d": 32768, "l2": 524288, "l3": 2097152, "source": "default"}
    with pytest.raises(ValueError, match="source must be"):
        _kernels.cpu_caches("bios")


def test_sysfs_and_cpuid_agree_on_the_private_caches():
    sysfs, cpuid = _kernels.cpu_caches("sysfs"), _kernels.cpu_caches("cpuid")
    if sysfs is None or cpuid is None:
        pytest.skip("this machine answers through one source only")
    assert (sysfs["l1d"], sysfs["l2"]) == (cpuid["l1d"], cpuid["l2"])


def test_blocks_follow_the_caches_rounded_and_clamped(isa):
    b = _kernels.gemm_blocks()
    caches = _kernels.cpu_caches()
    assert b["kc"] % 8 == 0 and 384 <= b["kc"] <= 512
    assert b["mc"] % b["mr"] == 0 and 4 * b["mr"] <= b["mc"] <= 512
    assert b["nc"] % b["nr"] == 0 and 512 <= b["nc"] <= 8192
    # the model: B micro-panel in 3/4 of L1d (at least 384 deep), A block
    # in a quarter of L2
    expect_kc = min(512, max(384, caches["l1d"] * 3 // 4 // (4 * b["nr"])))
    assert b["kc"] == expect_kc // 8 * 8
    expect_mc = min(512, max(4 * b["mr"], caches["l2"] // 4 // (4 * b["kc"])))
    assert b["mc"] == expect_mc // b["mr"] * b["mr"]


def test_blocks_override_from_the_environment_in_a_fresh_process():
    import json
    import os
    import subprocess
    import sys
    env = dict(os.environ, SEQCORE_GEMM_BLOCKS="100,420,1000",
               SEQCORE_ISA="generic")
    out = subprocess.run(
        [sys.executable, "-c", "import json; from seqcore import _kernels; "
         "print(json.dumps(_kernels.gemm_blocks()))"],
        env=env, capture_output=True, text=True, check=True)
    b = json.loads(out.stdout)
    # generic 4 x 8 tile: mc 100, kc 420 -> 416, nc 1000
    assert (b["mc"], b["kc"], b["nc"]) == (100, 416, 1000)


@pytest.mark.parametrize("m,k,n", [(1, 7, 33), (7, 33, 1), (33, 700, 7),
                                    (37, 1000, 65),
                                    # many B panels (dealt in row blocks),
                                    # slices not a multiple of the block
                                    (13, 1003, 2085)])
def test_gemm_with_deep_k_slices_matches_float64(isa, m, k, n):
    rng = np.random.default_rng(m + k + n)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(_kernels.gemm(a, b), ref, rtol=1e-4,
                               atol=1e-4 * np.sqrt(k))


def test_fma_peak_is_measured_per_isa(isa):
    peak = _kernels.fma_peak(0.02)
    # at least a scalar FMA per ns, at most 64 flops a cycle at 10 GHz
    assert 1e9 < peak < 6.4e11
