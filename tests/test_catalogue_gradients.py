"""Backward passes of issue 16's layers against float64 central
differences of independent numpy references (tests/test_gradients.check)."""
import numpy as np
import pytest

from seqcore import layers
from tests.test_gradients import check

RNG = np.random.default_rng(16)


def rand(*shape):
    """Inputs kept away from the kinks (|x| > 0.05) of piecewise functions."""
    x = RNG.standard_normal(shape)
    x = np.where(np.abs(x) < 0.05, 0.3, x)
    return x.astype(np.float32)


# ---- activations ----------------------------------------------------------------

@pytest.mark.parametrize("options", [
    {}, {"max_value": 1.0}, {"negative_slope": 0.2},
    {"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.5}])
def test_relu(options):
    slope = options.get("negative_slope", 0.0)
    thr = options.get("threshold", 0.0)
    top = options.get("max_value")
    x = rand(4, 9)
    x = np.where(np.abs(x - thr) < 0.05, thr + 0.2, x)
    if top is not None:
        x = np.where(np.abs(x - top) < 0.05, top + 0.2, x).astype(np.float32)

    def fn(x):
        y = np.where(x > thr, x, slope * (x - thr))
        return y if top is None else np.where(x > thr, np.minimum(y, top), y)
    check(layers.ReLU(**options), x, fn)


def test_leaky_relu():
    check(layers.LeakyReLU(negative_slope=0.25), rand(3, 8),
          lambda x: np.where(x > 0, x, 0.25 * x))


def test_elu():
    check(layers.ELU(alpha=0.7), rand(3, 8),
          lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0))))


@pytest.mark.parametrize("shared_axes", [None, [1], [1, 2]])
def test_prelu(shared_axes):
    layer = layers.PReLU(alpha_initializer="random_uniform",
                         shared_axes=shared_axes)
    check(layer, rand(3, 4, 5), lambda x, a: np.where(x > 0, x, a * x))


@pytest.mark.parametrize("axis", [-1, 1, [1, 2]])
def test_softmax(axis):
    axes = tuple(axis) if isinstance(axis, list) else axis

    def fn(x):
        e = np.exp(x - x.max(axis=axes, keepdims=True))
        return e / e.sum(axis=axes, keepdims=True)
    check(layers.Softmax(axis=axis), rand(2, 3, 4), fn)


def test_softmax_with_mask():
    x = rand(3, 6)
    mask = RNG.random((3, 6)) > 0.4
    mask[:, 0] = True

    def fn(x):
        z = np.where(mask, x, -1e9)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return np.where(mask, e / e.sum(axis=-1, keepdims=True), 0.0)
    check(layers.Softmax(), x, fn, mask=mask)


# ---- spatial reshaping -------------------------------------------------------------

def _pad_ref(pads, fmt):
    def fn(x):
        axes = range(1, x.ndim - 1) if fmt == "channels_last" \
            else range(2, x.ndim)
        widths = [(0, 0)] * x.ndim
        for axis, pad in zip(axes, pads):
            widths[axis] = pad
        return np.pad(x, widths)
    return fn


@pytest.mark.parametrize("layer,pads,shape", [
    (lambda: layers.ZeroPadding1D((2, 1)), [(2, 1)], (2, 4, 3)),
    (lambda: layers.ZeroPadding2D(((1, 0), (2, 3))), [(1, 0), (2, 3)],
     (2, 3, 3, 2)),
    (lambda: layers.ZeroPadding3D(1), [(1, 1)] * 3, (1, 2, 3, 2, 2))])
@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_zero_padding(layer, pads, shape, fmt):
    made = layer()
    made.data_format = fmt
    check(made, rand(*shape), _pad_ref(pads, fmt))


def _crop_ref(crops, fmt):
    def fn(x):
        axes = range(1, x.ndim - 1) if fmt == "channels_last" \
            else range(2, x.ndim)
        index = [slice(None)] * x.ndim
        for axis, (a, b) in zip(axes, crops):
            index[axis] = slice(a, x.shape[axis] - b)
        return x[tuple(index)]
    return fn


@pytest.mark.parametrize("make,crops,shape,fmt", [
    (lambda: layers.Cropping1D((2, 1)), [(2, 1)], (2, 6, 3),
     "channels_last"),
    (lambda: layers.Cropping2D(((1, 0), (2, 1))), [(1, 0), (2, 1)],
     (2, 4, 5, 2), "channels_last"),
    (lambda: layers.Cropping2D(1, data_format="channels_first"),
     [(1, 1), (1, 1)], (2, 2, 4, 5), "channels_first"),
    (lambda: layers.Cropping3D(((0, 1), (1, 1), (2, 0))),
     [(0, 1), (1, 1), (2, 0)], (1, 3, 4, 4, 2), "channels_last")])
def test_cropping(make, crops, shape, fmt):
    check(make(), rand(*shape), _crop_ref(crops, fmt))


def _bilinear_matrix(n, f):
    """Interpolation matrix written out from the half-pixel definition."""
    m = np.zeros((n * f, n))
    for o in range(n * f):
        s = np.clip((o + 0.5) / f - 0.5, 0, n - 1)
        lo = int(np.floor(s))
        hi = min(lo + 1, n - 1)
        m[o, lo] += 1 - (s - lo)
        m[o, hi] += s - lo
    return m


@pytest.mark.parametrize("make,shape,fn", [
    (lambda: layers.UpSampling1D(3), (2, 4, 3),
     lambda x: np.repeat(x, 3, axis=1)),
    (lambda: layers.UpSampling2D((2, 3)), (2, 3, 2, 2),
     lambda x: np.repeat(np.repeat(x, 2, axis=1), 3, axis=2)),
    (lambda: layers.UpSampling2D(2, data_format="channels_first"),
     (1, 2, 3, 2), lambda x: np.repeat(np.repeat(x, 2, axis=2), 2, axis=3)),
    (lambda: layers.UpSampling3D((1, 2, 2)), (1, 2, 2, 3, 2),
     lambda x: np.repeat(np.repeat(x, 2, axis=2), 2, axis=3)),
    (lambda: layers.UpSampling2D((2, 3), interpolation="bilinear"),
     (2, 3, 4, 2), lambda x: np.einsum("oh,bhwc,pw->bopc",
                                       _bilinear_matrix(3, 2), x,
                                       _bilinear_matrix(4, 3)))])
def test_upsampling(make, shape, fn):
    check(make(), rand(*shape), fn)
