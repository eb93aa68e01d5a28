"""Shared fixtures: run a test under each kernel ISA and thread count."""
import numpy as np
import pytest

import seqcore
from seqcore import _kernels

AVAILABLE_ISAS = [name for name in _kernels.isa_names()
                  if _kernels.isa_available(name)]


@pytest.fixture(params=AVAILABLE_ISAS)
def isa(request):
    """Select one ISA's kernels for the test, restoring the previous after."""
    previous = _kernels.current_isa()
    _kernels.select_isa(request.param)
    yield request.param
    _kernels.select_isa(previous)


@pytest.fixture
def threads():
    """Call threads(n) to set the kernel thread count; restored afterwards."""
    previous = seqcore.get_num_threads()
    yield seqcore.set_num_threads
    seqcore.set_num_threads(previous)


def same_bits_with_threads(threads, fn):
    """fn() at 1 and at 2 threads; the results must be identical."""
    threads(1)
    one = fn()
    threads(2)
    two = fn()
    for a, b in zip(one if isinstance(one, list) else [one],
                    two if isinstance(two, list) else [two]):
        np.testing.assert_array_equal(a, b)
    return one
