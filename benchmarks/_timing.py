"""Timing helpers shared by the benchmark scripts.

The machines these run on are shared and noisy, and thread pools of two
libraries in one process get in each other's way (OpenBLAS and OpenMP
workers spin for a while after each call). So contenders run in alternating
blocks with a pause between blocks, and each figure is a median over blocks.
"""
import time
from contextlib import contextmanager

import numpy as np

PAUSE_S = 0.5          # longer than Intel OpenMP's 200 ms spin (KMP_BLOCKTIME)
BLOCK_S = 0.03         # each block repeats the call for at least this long


def time_per_call(fn, min_calls=3):
    """Seconds per call of fn over one block of repeated calls."""
    calls = 0
    start = time.perf_counter()
    elapsed = 0.0
    while calls < min_calls or elapsed < BLOCK_S:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
    return elapsed / calls


def compare(contenders, rounds=7):
    """Median seconds per call for each of {name: fn}, run in alternation."""
    for fn in contenders.values():
        fn()  # warm-up: allocations, page faults, thread pools
    samples = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            time.sleep(PAUSE_S)
            samples[name].append(time_per_call(fn))
    return {name: float(np.median(s)) for name, s in samples.items()}


@contextmanager
def blas_threads(n):
    """Limit numpy's BLAS to n threads (needs threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise SystemExit("this benchmark needs threadpoolctl to set numpy's "
                         "BLAS threads: pip install -e '.[bench]'")
    with threadpool_limits(limits=n, user_api="blas"):
        yield
