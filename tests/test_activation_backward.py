"""Activations in C: the forward kernel against the float64 activations,
the derivatives' float64 formulas against central finite differences, and
the backward kernel against the formulas; every ISA, odd sizes, 1 and 2
threads with identical bits."""
import numpy as np
import pytest

from seqcore import _kernels, activations

NAMES = ["relu", "sigmoid", "tanh", "elu", "selu", "softplus", "softsign",
         "gelu", "gelu_tanh", "swish", "leaky_relu", "hard_sigmoid",
         "exponential", "relu6"]


def forward64(name, x):
    if name == "gelu_tanh":
        return activations.gelu(x, approximate=True)
    return activations.get(name)(x)


def points(n, seed):
    """Values away from the kinks (0, +-3, 6), where derivatives jump."""
    x = np.random.default_rng(seed).uniform(-7, 7, n)
    for kink in (0.0, 3.0, -3.0, 6.0):
        near = np.abs(x - kink) < 1e-3
        x[near] += 1e-2
    return x


@pytest.mark.parametrize("name", NAMES)
def test_forward_kernel_matches_float64(isa, threads, name):
    for n in (1, 7, 33, 100003):
        x64 = np.random.default_rng(n).uniform(-12, 12, n)
        x64[:min(n, 4)] = [-90.0, 0.0, 40.0, -1e-4][:min(n, 4)]
        x = x64.astype(np.float32)
        threads(1)
        one = _kernels.activation(x, name)
        threads(2)
        np.testing.assert_array_equal(one, _kernels.activation(x, name))
        want = forward64(name, x.astype(np.float64))
        np.testing.assert_allclose(one, want, rtol=3e-6, atol=1e-7,
                                   err_msg=name)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in
                                  ("relu", "relu6", "hard_sigmoid",
                                   "leaky_relu")])
def test_forward_kernel_keeps_nan(isa, name):
    # the clamping kinds (relu, relu6, hard_sigmoid) map NaN to 0 as the
    # comparisons they are; the smooth ones keep it, as numpy's do
    x = np.array([np.nan, 1.0, np.nan, -2.0] * 5, np.float32)
    assert np.isnan(_kernels.activation(x, name)[::2]).all()


@pytest.mark.parametrize("name", NAMES)
def test_formulas_match_finite_differences(name):
    x = points(257, 0)
    y = forward64(name, x)
    step = 1e-6
    numeric = (forward64(name, x + step) - forward64(name, x - step)) / \
        (2 * step)
    got = activations.backward(name, x, y, np.ones_like(x))
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_kernel_matches_formulas(isa, threads, name):
    for n in (1, 7, 33, 100000):
        x64 = points(n, 1)
        x = x64.astype(np.float32)
        y = _kernels.activation(x, name)
        dy = np.random.default_rng(2).standard_normal(n).astype(np.float32)
        threads(1)
        one = activations.backward(name, x, y, dy)
        threads(2)
        two = activations.backward(name, x, y, dy)
        np.testing.assert_array_equal(one, two)
        want = activations.backward(name, x.astype(np.float64),
                                    y.astype(np.float64),
                                    dy.astype(np.float64))
        # float32 resolution: 1 + tanh(.) near -1 cancels (tanh-GELU at
        # x near -6), leaving absolute errors of a few 1e-7 times |dy|.
        np.testing.assert_allclose(one, want, rtol=2e-5, atol=5e-6)


def test_linear_and_errors():
    dy = np.ones(3)
    assert activations.backward(None, dy, dy, dy) is not None
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        activations.backward("softmax", dy, dy, dy)
    with pytest.raises(ValueError, match="must have one shape"):
        _kernels.activation_backward(np.ones(3, np.float32),
                                     np.ones(3, np.float32),
                                     np.ones(4, np.float32), "relu")
