"""Every layer's backward() against float64 central differences of an
independent numpy reference of its forward pass (tests/references.py).

The loss is L = sum(y * w) for a fixed random w, so dL/dy = w. The float32
analytic gradients must match the float64 numerical ones to ~1e-3 of their
scale."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests import references as ref
from tests.numeric import central_difference

RNG = np.random.default_rng(7)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def analytic(layer, x, w, mask=None, training=True):
    """(dx, [d weight]) from the layer's backward (the layer is built)."""
    for v in layer.trainable_weights:
        v.grad = np.full(v.shape, np.nan, np.float32)
        v._grad_fresh = True
    kwargs = {"training": training}
    if mask is not None:
        kwargs["mask"] = mask
    y = layer(x, **kwargs)
    dy = [w_.astype(np.float32) for w_ in w] if isinstance(y, list) \
        else w.astype(np.float32)
    dx = layer.backward(dy)
    grads = [v.grad.copy() for v in layer.trainable_weights]
    for v in layer.trainable_weights:
        v.grad = None
    return dx, grads


def numeric(fn, arrays, index, w, eps=1e-6):
    """d sum(fn(*arrays) * w) / d arrays[index], central differences."""
    arrays = [a.astype(np.float64).copy() for a in arrays]
    target = arrays[index]

    def loss():
        out = fn(*arrays)
        if isinstance(out, list):
            return sum(np.sum(o * w_) for o, w_ in zip(out, w))
        return np.sum(out * w)

    return central_difference(loss, target, eps)


def check(layer, x, fn, mask=None, out_shape=None, wrt_input=True):
    """Compare every gradient of `layer` on x with the reference fn(x, *w)."""
    y = layer(x, training=True, **({} if mask is None else {"mask": mask}))
    w = [RNG.standard_normal(o.shape) for o in y] if isinstance(y, list) \
        else RNG.standard_normal(y.shape)
    dx, grads = analytic(layer, x, w, mask=mask)
    weights = [v.numpy() for v in layer.trainable_weights]
    arrays = [x] + weights
    for index, got in enumerate(([dx] if wrt_input else [None]) + grads):
        if index == 0 and not wrt_input:
            continue
        want = numeric(fn, arrays, index, w)
        scale = max(np.abs(want).max(), 1e-3)
        np.testing.assert_allclose(got, want, atol=2e-3 * scale, rtol=2e-3,
                                   err_msg=f"gradient {index} of {layer.name}")


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# ---- core ---------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["linear", "relu", "tanh", "sigmoid",
                                        "softmax", "gelu", "elu", "swish"])
def test_dense(activation):
    layer = layers.Dense(7, activation=activation)
    x = rand(5, 3)
    act = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0),
           "tanh": np.tanh, "sigmoid": _sigmoid,
           "softmax": lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True),
           "gelu": lambda z: keras.activations.gelu(z),
           "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
           "swish": lambda z: z * _sigmoid(z)}[activation]
    check(layer, x, lambda x, k, b: act(x @ k + b))


def test_dense_on_3d_input_without_bias():
    layer = layers.Dense(4, use_bias=False)
    check(layer, rand(2, 3, 5), lambda x, k: x @ k)


def test_activation_layer():
    check(layers.Activation("tanh"), rand(4, 6), lambda x: np.tanh(x))


def test_embedding_gradient_accumulates_repeated_ids():
    layer = layers.Embedding(6, 3)
    ids = np.array([[0, 2, 2], [5, 0, 2]])
    layer(ids)
    layer.embeddings.grad = np.zeros((6, 3), np.float32)
    layer.embeddings._grad_fresh = True
    layer(ids, training=True)
    dy = RNG.standard_normal((2, 3, 3)).astype(np.float32)
    assert layer.backward(dy) is None
    want = np.zeros((6, 3))
    for i, token in enumerate(ids.reshape(-1)):
        want[token] += dy.reshape(-1, 3)[i]
    np.testing.assert_allclose(layer.embeddings.grad, want, rtol=1e-6)


# ---- convolution and pooling -----------------------------------------------------

@pytest.mark.parametrize("kernel,strides,padding,dilation", [
    (3, 1, "valid", 1), (3, 2, "same", 1), ((2, 3), (2, 1), "valid", 1),
    (3, 1, "same", 2), (1, 1, "valid", 1), (1, 2, "same", 1)])
def test_conv2d(kernel, strides, padding, dilation, isa):
    layer = layers.Conv2D(4, kernel, strides=strides, padding=padding,
                          dilation_rate=dilation, activation="relu")
    x = rand(2, 7, 6, 3)
    s = (strides,) * 2 if isinstance(strides, int) else strides
    d = (dilation,) * 2

    def fn(x, k, b):
        return np.maximum(ref.conv2d(x, k, b, s, d, padding), 0)
    check(layer, x, fn)


@pytest.mark.parametrize("padding,strides,dilation", [
    ("valid", 1, 1), ("same", 2, 1), ("causal", 1, 2)])
def test_conv1d(padding, strides, dilation):
    layer = layers.Conv1D(3, 3, strides=strides, padding=padding,
                          dilation_rate=dilation, activation="tanh")
    x = rand(2, 9, 2)

    def fn(x, k, b):
        y = ref.conv2d(x[:, None], k[None], b, (1, strides), (1, dilation),
                       padding)
        return np.tanh(y[:, 0])
    check(layer, x, fn)


def test_conv2d_channels_first():
    layer = layers.Conv2D(3, 2, data_format="channels_first")
    x = rand(2, 2, 5, 4)

    def fn(x, k, b):
        y = ref.conv2d(np.moveaxis(x, 1, -1), k, b)
        return np.moveaxis(y, -1, 1)
    check(layer, x, fn)


@pytest.mark.parametrize("cls,mode", [(layers.MaxPooling2D, "max"),
                                      (layers.AveragePooling2D, "avg")])
@pytest.mark.parametrize("pool,strides,padding", [
    ((2, 2), None, "valid"), ((3, 3), (2, 2), "same"), ((2, 3), (1, 2),
                                                        "valid")])
def test_pooling2d(cls, mode, pool, strides, padding, isa):
    layer = cls(pool, strides=strides, padding=padding)
    x = rand(2, 7, 6, 3)
    s = strides or pool
    check(layer, x, lambda x: ref.pool2d(x, pool, s, padding, mode))


@pytest.mark.parametrize("cls,mode", [(layers.MaxPooling1D, "max"),
                                      (layers.AveragePooling1D, "avg")])
def test_pooling1d(cls, mode):
    layer = cls(3, strides=2, padding="same")
    x = rand(2, 8, 3)
    check(layer, x, lambda x: ref.pool2d(x[:, None], (1, 3), (1, 2), "same",
                                         mode)[:, 0])


@pytest.mark.parametrize("cls,reduce", [
    (layers.GlobalMaxPooling1D, np.max), (layers.GlobalAveragePooling1D,
                                          np.mean),
    (layers.GlobalMaxPooling2D, np.max), (layers.GlobalAveragePooling2D,
                                          np.mean)])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_pooling(cls, reduce, data_format):
    layer = cls(data_format=data_format)
    x = rand(2, 5, 4, 3) if "2D" in cls.__name__ else rand(2, 5, 3)
    axes = layer._axes()
    check(layer, x, lambda x: reduce(x, axis=axes))


# ---- reshaping and regularization -------------------------------------------------

@pytest.mark.parametrize("layer,fn", [
    (layers.Flatten(), lambda x: x.reshape(2, -1)),
    (layers.Flatten(data_format="channels_first"),
     lambda x: np.moveaxis(x, 1, -1).reshape(2, -1)),
    (layers.Reshape((4, -1)), lambda x: x.reshape(2, 4, -1)),
    (layers.Permute((2, 1, 3)), lambda x: np.transpose(x, (0, 2, 1, 3))),
])
def test_reshaping(layer, fn):
    check(layer, rand(2, 3, 4, 2), fn)


def test_repeat_vector():
    check(layers.RepeatVector(3), rand(2, 4),
          lambda x: np.repeat(x[:, None], 3, axis=1))


def test_dropout_backward_uses_the_forward_mask():
    layer = layers.Dropout(0.5, seed=3)
    x = np.ones((4, 50), np.float32)
    y = layer(x, training=True)
    dy = rand(4, 50)
    np.testing.assert_array_equal(layer.backward(dy), dy * y)
    assert set(np.unique(y)) == {0.0, 2.0}


# ---- normalization ------------------------------------------------------------

def test_batch_normalization_training():
    layer = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = rand(6, 3, 4) * 2 + 1

    def fn(x, gamma, beta):
        mean = x.mean(axis=(0, 1))
        var = x.var(axis=(0, 1))
        return (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    layer.build(x.shape)
    layer.gamma.assign(rand(4) + 1.5)
    moving = layer.moving_mean.numpy()
    check(layer, x, fn)
    # Each training call moved the statistics toward the batch's (momentum).
    assert not np.allclose(layer.moving_mean.numpy(), moving)


def test_batch_normalization_moving_statistics_update():
    layer = layers.BatchNormalization(momentum=0.9)
    x = rand(8, 3) * 3 + 2
    layer(x, training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(),
                               0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(),
                               0.9 + 0.1 * x.var(0), rtol=1e-5)


def test_frozen_batch_normalization_is_an_affine_map():
    layer = layers.BatchNormalization()
    x = rand(5, 3)
    layer.build(x.shape)
    layer.moving_mean.assign(rand(3))
    layer.moving_variance.assign(rand(3) ** 2 + 0.5)
    layer.trainable = False
    mean, var = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    layer(x, training=True)
    dy = rand(5, 3)
    np.testing.assert_allclose(layer.backward(dy),
                               dy * gamma / np.sqrt(var + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), mean)
    del beta


@pytest.mark.parametrize("axis,rms", [(-1, False), ([1, 2], False),
                                      (-1, True)])
def test_layer_normalization(axis, rms):
    layer = layers.LayerNormalization(axis=axis, rms_scaling=rms)
    x = rand(3, 4, 5) + 0.5
    axes = (2,) if axis == -1 else (1, 2)
    layer.build(x.shape)
    layer.gamma.assign(rand(*layer.gamma.shape) + 1.0)

    def fn(x, gamma, beta=None):
        if rms:   # Keras 3's rms_scaling divides by the variance's root
            y = x / np.sqrt(x.var(axis=axes, keepdims=True) + 1e-3)
            return y * gamma
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        shape = [1, 1, 1]
        for a, dim in zip(axes, gamma.shape):
            shape[a] = dim
        return (x - mean) / np.sqrt(var + 1e-3) * gamma.reshape(shape) + \
            beta.reshape(shape)
    check(layer, x, fn)


# ---- recurrent layers ----------------------------------------------------------

RNN_CASES = [
    ("lstm", {}), ("lstm", {"return_sequences": True}),
    ("lstm", {"go_backwards": True, "return_sequences": True}),
    # not Keras's default activations: the cell's general backward path
    ("lstm", {"activation": "relu", "return_sequences": True}),
    ("gru", {}), ("gru", {"reset_after": False, "return_sequences": True}),
    ("gru", {"activation": "relu"}),    # reset after, the general path
    ("gru", {"go_backwards": True}),
    ("simple_rnn", {}), ("simple_rnn", {"return_sequences": True,
                                        "activation": "relu"}),
]


def _rnn_layer(kind, units, **options):
    cls = {"lstm": layers.LSTM, "gru": layers.GRU,
           "simple_rnn": layers.SimpleRNN}[kind]
    return cls(units, **options)


def _rnn_reference(kind, layer, mask=None):
    act = np.tanh if layer.activation is keras.activations.tanh else \
        (lambda z: np.maximum(z, 0))

    def fn(x, kernel, rkernel, bias):
        states = [np.zeros((x.shape[0], layer.units))] * layer.state_count
        out, _ = ref.rnn(kind, x, kernel, rkernel, bias, states, mask=mask,
                         go_backwards=layer.go_backwards,
                         return_sequences=layer.return_sequences,
                         reset_after=getattr(layer, "reset_after", True),
                         act=act)
        return out
    return fn


@pytest.mark.parametrize("kind,options", RNN_CASES)
def test_recurrent(kind, options, isa):
    layer = _rnn_layer(kind, 5, **options)
    x = rand(3, 4, 2)
    layer.build(x.shape)
    layer.bias.assign(rand(*layer.bias.shape) * 0.5)
    check(layer, x, _rnn_reference(kind, layer))


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
def test_recurrent_with_mask(kind):
    layer = _rnn_layer(kind, 4, return_sequences=True)
    x = rand(3, 5, 2)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    check(layer, x, _rnn_reference(kind, layer, mask=mask), mask=mask)


def test_lstm_return_state_gradients_reach_every_state():
    layer = layers.LSTM(3, return_state=True)
    x = rand(2, 4, 2)

    def fn(x, kernel, rkernel, bias):
        states = [np.zeros((2, 3))] * 2
        out, final = ref.rnn("lstm", x, kernel, rkernel, bias, states)
        return [out] + final
    check(layer, x, fn)


def test_stateful_lstm_gradient_stops_at_the_batch_boundary():
    layer = layers.LSTM(3, stateful=True)
    x = rand(2, 4, 2)
    layer.build((2, 4, 2))
    layer(x)                      # carry a state into the next call
    carried = [s.copy() for s in layer.states]

    def fn(x, kernel, rkernel, bias):
        out, _ = ref.rnn("lstm", x, kernel, rkernel, bias,
                         [c.astype(np.float64) for c in carried])
        return out

    y = layer(x, training=True)
    w = RNG.standard_normal(y.shape)
    layer.states = [c.copy() for c in carried]
    dx, grads = analytic(layer, x, w)
    want = numeric(fn, [x] + [v.numpy() for v in layer.weights], 1, w)
    np.testing.assert_allclose(grads[0], want, atol=2e-3 * np.abs(want).max())
    del dx


# ---- the same bits at any thread count ------------------------------------------

@pytest.mark.parametrize("make,shape", [
    (lambda: layers.Conv2D(16, 3, padding="same", activation="relu"),
     (9, 33, 17, 7)),
    (lambda: layers.MaxPooling2D(3, strides=2, padding="same"),
     (9, 33, 17, 40)),
    (lambda: layers.LSTM(33, return_sequences=True), (7, 5, 9)),
    (lambda: layers.GRU(17, reset_after=False), (7, 5, 9)),
    (lambda: layers.SimpleRNN(33), (7, 5, 9)),
])
def test_backward_is_bitwise_identical_at_1_and_2_threads(make, shape,
                                                           threads):
    x = rand(*shape)
    results = []
    for n in (1, 2, 1):
        threads(n)
        layer = make()
        layer.build(x.shape)
        for i, v in enumerate(layer.weights):
            v.assign(np.random.default_rng(i).standard_normal(v.shape)
                     .astype(np.float32) * 0.3)
        y = layer(x, training=True)
        w = np.random.default_rng(3).standard_normal(y.shape)
        results.append(analytic(layer, x, w))
    for dx, grads in results[1:]:
        np.testing.assert_array_equal(dx, results[0][0])
        for a, b in zip(grads, results[0][1]):
            np.testing.assert_array_equal(a, b)
