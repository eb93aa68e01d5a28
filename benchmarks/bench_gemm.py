"""pytest-benchmark suite for the GEMM kernel and numpy.matmul.

    python -m pytest benchmarks/bench_gemm.py --benchmark-group-by=param:shape

Compare seqcore and numpy rows of the same shape and thread count; for a
single ratio table in one run, use gemm_compare.py.
"""
from contextlib import contextmanager

import numpy as np
import pytest

import seqcore
from seqcore import _kernels

from gemm_compare import NETWORK, SQUARE

SHAPES = SQUARE[:3] + NETWORK


@contextmanager
def blas_threads(n):
    """Limit numpy's BLAS to n threads (needs threadpoolctl)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=n, user_api="blas"):
        yield


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("library", ["seqcore", "numpy"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_gemm(benchmark, shape, library, threads):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    c = np.empty((m, n), np.float32)
    seqcore.set_num_threads(threads)
    fn = (lambda: _kernels.gemm(a, b, c)) if library == "seqcore" else \
        (lambda: np.matmul(a, b, out=c))
    with blas_threads(threads):
        benchmark(fn)
    benchmark.extra_info["gflops"] = 2.0 * m * k * n / benchmark.stats["median"] / 1e9
