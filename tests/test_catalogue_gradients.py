"""Backward passes of issue 16's layers against float64 central
differences of independent numpy references (tests/test_gradients.check)."""
import numpy as np
import pytest

from seqcore import layers
from tests import references as ref
from tests.test_gradients import check

RNG = np.random.default_rng(16)


def rand(*shape):
    """Inputs kept away from the kinks (|x| > 0.05) of piecewise functions."""
    x = RNG.standard_normal(shape)
    x = np.where(np.abs(x) < 0.05, 0.3, x)
    return x.astype(np.float32)


# ---- activations ------------------------------------------------------------

@pytest.mark.parametrize("options", [
    {}, {"max_value": 1.0}, {"negative_slope": 0.2}, {"max_value": 6.0},
    {"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.5}])
def test_relu(options):
    # {} and max_value=6 take the C kernels (relu, relu6) on float32 inputs
    slope = options.get("negative_slope", 0.0)
    thr = options.get("threshold", 0.0)
    top = options.get("max_value")
    x = rand(4, 9) * np.float32(4.0)
    x = np.where(np.abs(x - thr) < 0.05, thr + 0.2, x)
    if top is not None:
        x = np.where(np.abs(x - top) < 0.05, top + 0.2, x).astype(np.float32)

    def fn(x):
        y = np.where(x > thr, x, slope * (x - thr))
        return y if top is None else np.where(x > thr, np.minimum(y, top), y)
    check(layers.ReLU(**options), x, fn)


@pytest.mark.parametrize("slope", [0.25, 0.2])   # 0.2: the C kernel
def test_leaky_relu(slope):
    check(layers.LeakyReLU(negative_slope=slope), rand(3, 8),
          lambda x: np.where(x > 0, x, slope * x))


@pytest.mark.parametrize("alpha", [0.7, 1.0])     # 1.0: the C kernel
def test_elu(alpha):
    check(layers.ELU(alpha=alpha), rand(3, 8),
          lambda x: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))))


@pytest.mark.parametrize("layer", [
    lambda: layers.ReLU(), lambda: layers.ReLU(max_value=6.0),
    lambda: layers.LeakyReLU(negative_slope=0.2), lambda: layers.ELU()])
def test_kernel_activation_layers_match_their_numpy_path(layer):
    layer = layer()
    assert layer._kernel_name() is not None
    x = rand(5, 33) * np.float32(4.0)
    dy = rand(5, 33)
    y = layer(x, training=True)
    dx = layer.backward(dy)
    np.testing.assert_allclose(y, layer._forward(x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dx, dy * layer._derivative(x), rtol=1e-6,
                               atol=1e-6)
    x64 = x.astype(np.float64)   # not float32: the numpy path, same values
    np.testing.assert_allclose(layer(x64), y, rtol=1e-6, atol=1e-6)


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


# ---- spatial reshaping ------------------------------------------------------

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


# ---- wrappers ---------------------------------------------------------------

def test_time_distributed_dense(isa):
    layer = layers.TimeDistributed(layers.Dense(4, activation="tanh"))
    check(layer, rand(2, 3, 5), lambda x, k, b: np.tanh(x @ k + b))


def test_time_distributed_conv2d():
    layer = layers.TimeDistributed(layers.Conv2D(2, 2))

    def fn(x, k, b):
        n, t = x.shape[:2]
        y = ref.conv2d(x.reshape((n * t,) + x.shape[2:]), k, b)
        return y.reshape((n, t) + y.shape[1:])
    check(layer, rand(2, 3, 4, 3, 2), fn)


def test_time_distributed_batch_normalization_per_step():
    layer = layers.TimeDistributed(layers.BatchNormalization())

    def fn(x, gamma, beta):
        mean = x.mean(axis=0, keepdims=True)     # per timestep
        var = x.var(axis=0, keepdims=True)
        return gamma * (x - mean) / np.sqrt(var + 1e-3) + beta
    check(layer, rand(5, 3, 4), fn)


def _bidi_reference(kind, units, merge_mode, return_sequences, mask=None):
    def fn(x, kf, rf, bf, kb, rb, bb):
        zeros = [np.zeros((x.shape[0], units))] * (2 if kind == "lstm"
                                                   else 1)
        y, _ = ref.rnn(kind, x, kf, rf, bf, zeros, mask=mask,
                       return_sequences=return_sequences)
        y_rev, _ = ref.rnn(kind, x, kb, rb, bb, zeros, mask=mask,
                           go_backwards=True,
                           return_sequences=return_sequences)
        if return_sequences:
            y_rev = y_rev[:, ::-1]
            if mask is not None:
                y, y_rev = y * mask[..., None], y_rev * mask[..., None]
        return {"concat": lambda: np.concatenate([y, y_rev], -1),
                "sum": lambda: y + y_rev, "ave": lambda: (y + y_rev) / 2,
                "mul": lambda: y * y_rev,
                None: lambda: [y, y_rev]}[merge_mode]()
    return fn


@pytest.mark.parametrize("kind,merge_mode,return_sequences", [
    ("lstm", "concat", False), ("lstm", "sum", True), ("gru", "mul", True),
    ("gru", "ave", False), ("simple_rnn", None, True),
    ("simple_rnn", "concat", True)])
def test_bidirectional(kind, merge_mode, return_sequences, isa):
    cls = {"lstm": layers.LSTM, "gru": layers.GRU,
           "simple_rnn": layers.SimpleRNN}[kind]
    layer = layers.Bidirectional(cls(3, return_sequences=return_sequences),
                                 merge_mode=merge_mode)
    x = rand(2, 4, 3)
    layer.build(x.shape)
    for child in (layer.forward_layer, layer.backward_layer):
        child.bias.assign(rand(*child.bias.shape) * 0.5)
    check(layer, x, _bidi_reference(kind, 3, merge_mode, return_sequences))


@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_with_mask(return_sequences):
    layer = layers.Bidirectional(layers.LSTM(
        3, return_sequences=return_sequences))
    x = rand(3, 5, 2)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]],
                    bool)
    check(layer, x, _bidi_reference("lstm", 3, "concat", return_sequences,
                                    mask=mask), mask=mask)


def test_bidirectional_return_state_gradients_reach_every_state():
    layer = layers.Bidirectional(layers.GRU(2, return_state=True),
                                 merge_mode="sum")

    def fn(x, kf, rf, bf, kb, rb, bb):
        zeros = [np.zeros((x.shape[0], 2))]
        y, sf = ref.rnn("gru", x, kf, rf, bf, zeros)
        y_rev, sb = ref.rnn("gru", x, kb, rb, bb, zeros, go_backwards=True)
        return [y + y_rev] + sf + sb
    check(layer, rand(2, 4, 3), fn)
