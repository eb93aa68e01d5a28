"""The weighted sum of the ranks' gradients (csrc/reduce.c): the float32
formula in input order against numpy, a float64 reference, thread counts,
sizes around the SIMD widths and the threading threshold, bad input."""
import numpy as np
import pytest

from seqcore import _kernels


def _inputs(count, n, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n).astype(np.float32) for _ in range(count)]


def _in_order(inputs, weights):
    """The same sum in numpy, float32, one input at a time."""
    out = weights[0] * inputs[0]
    for w, x in zip(weights[1:], inputs[1:]):
        out = out + w * x
    return out


@pytest.mark.parametrize("n", [1, 7, 16, 33, 2049, 70001])
@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_weighted_sum_is_the_float32_sum_in_input_order(n, count):
    inputs = _inputs(count, n, seed=n + count)
    weights = np.random.default_rng(count).uniform(0.1, 1.0, count) \
        .astype(np.float32)
    out = np.full(n, np.nan, np.float32)
    _kernels.weighted_sum(inputs, weights, [out])
    assert out.tobytes() == _in_order(inputs, weights).tobytes()
    exact = sum(np.float64(w) * x.astype(np.float64)
                for w, x in zip(weights, inputs))
    np.testing.assert_allclose(out, exact, rtol=1e-5, atol=1e-6)


def test_weighted_sum_gives_the_same_bits_on_one_and_two_threads():
    inputs = _inputs(3, 300_007, seed=1)      # above the threading threshold
    weights = np.array([0.4, 0.3, 0.3], np.float32)
    results = []
    for threads in (1, 2):
        previous = _kernels.get_num_threads()
        _kernels.set_num_threads(threads)
        try:
            out = np.empty(300_007, np.float32)
            results.append(_kernels.weighted_sum(inputs, weights, [out])[0])
        finally:
            _kernels.set_num_threads(previous)
    assert results[0].tobytes() == results[1].tobytes()


def test_weighted_sum_stores_to_every_output_in_place():
    # the ranks' arenas are slices of one shared window; each rank's chunk
    # of every arena is both an input and an output
    window = np.random.default_rng(2).standard_normal(3000).astype(
        np.float32)
    before = window.copy()
    chunks = [window[0:1000], window[1000:2000], window[2000:3000]]
    weights = np.array([0.2, 0.5, 0.3], np.float32)
    _kernels.weighted_sum(chunks, weights, chunks)
    expected = _in_order([before[0:1000], before[1000:2000],
                          before[2000:3000]], weights)
    for chunk in chunks:
        assert chunk.tobytes() == expected.tobytes()


def test_weighted_sum_rejects_bad_input():
    a, b = _inputs(2, 10)
    out = np.empty(10, np.float32)
    w = np.ones(2, np.float32)
    with pytest.raises(ValueError, match="at least one input and one "
                                         "output, received 0 and 1"):
        _kernels.weighted_sum([], w[:0], [out])
    with pytest.raises(ValueError, match="received 2 and 0"):
        _kernels.weighted_sum([a, b], w, [])
    with pytest.raises(ValueError, match="expected 2 weights, received "
                                         r"shape \(3,\)"):
        _kernels.weighted_sum([a, b], np.ones(3), [out])
    with pytest.raises(ValueError, match="input 1 must be a C-contiguous "
                                         "float32 array of 10 elements, "
                                         "received float64"):
        _kernels.weighted_sum([a, b.astype(np.float64)], w, [out])
    with pytest.raises(ValueError, match="input 0 .* received float32 of "
                                         "9 elements"):
        _kernels.weighted_sum([a[:9], b], w, [out])
    window = np.zeros(20, np.float32)
    with pytest.raises(ValueError, match="output 0 partially overlaps "
                                         "input 1"):
        _kernels.weighted_sum([a, window[5:15]], w, [window[0:10]])
    with pytest.raises(ValueError, match="output 1 must be a writable "
                                         "C-contiguous float32"):
        _kernels.weighted_sum([a, b], w, [out, np.empty(10, np.float64)])
    frozen = np.empty(10, np.float32)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="output 0 must be a writable"):
        _kernels.weighted_sum([a, b], w, [frozen])
