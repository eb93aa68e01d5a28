"""Each layer's forward pass against the plain numpy references, on every
ISA path and thread count: odd sizes, strides, padding, dilation, masks,
states."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests import references as ref
from tests.conftest import same_bits_with_threads


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(
        np.float32)


# ---- Dense and activations -------------------------------------------------

@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "tanh",
                                        "softmax", "gelu", "selu"])
def test_dense(isa, threads, activation):
    for batch, d_in, units in [(1, 1, 1), (7, 33, 17), (64, 100, 257)]:
        layer = layers.Dense(units, activation=activation)
        x = rand(batch, d_in)
        y = same_bits_with_threads(threads, lambda: layer(x))
        pre = x.astype(np.float64) @ layer.kernel.value + layer.bias.value
        fn = keras.activations.get(activation)
        np.testing.assert_allclose(y, fn(pre), rtol=2e-5, atol=2e-5)


def test_dense_on_3d_input():
    layer = layers.Dense(5)
    x = rand(2, 3, 4)
    y = layer(x)
    assert y.shape == (2, 3, 5)
    np.testing.assert_allclose(y, x @ layer.kernel.value + layer.bias.value,
                               rtol=1e-5, atol=1e-6)


def test_activation_layer_and_functions_on_float64():
    x = np.linspace(-4, 4, 33)
    for name in ["relu", "sigmoid", "tanh", "elu", "selu", "softplus",
                 "softsign", "gelu", "swish", "leaky_relu", "hard_sigmoid",
                 "exponential", "relu6"]:
        fn = keras.activations.get(name)
        got32 = layers.Activation(name)(x.astype(np.float32))
        np.testing.assert_allclose(got32, fn(x), rtol=2e-6, atol=2e-6,
                                   err_msg=name)


# ---- convolution and pooling ------------------------------------------------

CONV2D_CASES = [
    # (input shape, filters, kernel, strides, dilation, padding)
    ((1, 1, 1, 1), 1, (1, 1), (1, 1), (1, 1), "valid"),
    ((2, 7, 9, 3), 5, (3, 3), (1, 1), (1, 1), "same"),
    ((2, 8, 7, 4), 3, (3, 2), (2, 3), (1, 1), "same"),
    ((1, 9, 10, 2), 4, (2, 3), (2, 2), (1, 1), "valid"),
    ((2, 11, 13, 3), 6, (3, 3), (1, 1), (2, 3), "same"),
    ((1, 12, 11, 5), 2, (3, 2), (1, 1), (3, 2), "valid"),
    ((3, 5, 5, 33), 7, (1, 1), (1, 1), (1, 1), "valid"),
    ((1, 6, 6, 2), 3, (5, 5), (3, 3), (1, 1), "same"),
    # thin inputs (direct loop) large enough for two threads; then im2col
    ((8, 28, 27, 1), 33, (3, 3), (1, 1), (1, 1), "same"),
    ((2, 9, 8, 17), 7, (3, 3), (1, 1), (1, 1), "same"),
]


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d(isa, threads, case):
    shape, filters, kernel, strides, dilation, padding = case
    layer = layers.Conv2D(filters, kernel, strides=strides,
                          dilation_rate=dilation, padding=padding,
                          activation="relu", bias_initializer="random_normal")
    x = rand(*shape)
    y = same_bits_with_threads(threads, lambda: layer(x))
    want = np.maximum(ref.conv2d(x, layer.kernel.value, layer.bias.value,
                                 strides, dilation, padding), 0)
    assert y.shape == want.shape == layer.compute_output_shape(shape)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding,strides,dilation", [
    ("valid", 1, 1), ("same", 2, 1), ("causal", 1, 3), ("same", 1, 2),
    ("valid", 3, 1)])
def test_conv1d(isa, threads, padding, strides, dilation):
    layer = layers.Conv1D(4, 3, strides=strides, dilation_rate=dilation,
                          padding=padding)
    x = rand(3, 17, 5)
    y = same_bits_with_threads(threads, lambda: layer(x))
    want = ref.conv2d(x[:, None], layer.kernel.value[None], layer.bias.value,
                      (1, strides), (1, dilation), padding)[:, 0]
    assert y.shape == want.shape == layer.compute_output_shape(x.shape)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)


def test_conv_channels_first():
    layer = layers.Conv2D(3, 3, padding="same", data_format="channels_first")
    x = rand(2, 4, 6, 5)
    y = layer(x)
    assert layer.kernel.shape == (3, 3, 4, 3)
    want = ref.conv2d(np.moveaxis(x, 1, -1), layer.kernel.value,
                      layer.bias.value, padding="same")
    np.testing.assert_allclose(y, np.moveaxis(want, -1, 1), rtol=1e-5,
                               atol=1e-5)


POOL_CASES = [((2, 2), None, "valid", (2, 7, 9, 3)),
              ((3, 3), (2, 2), "same", (1, 9, 8, 5)),
              ((2, 3), (1, 2), "valid", (2, 6, 7, 33)),
              ((3, 2), (3, 1), "same", (1, 7, 5, 2)),
              ((1, 1), None, "valid", (1, 1, 1, 1))]


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_pool2d(isa, threads, mode, case):
    pool, strides, padding, shape = case
    cls = layers.MaxPooling2D if mode == "max" else layers.AveragePooling2D
    layer = cls(pool, strides=strides, padding=padding)
    x = rand(*shape)
    y = same_bits_with_threads(threads, lambda: layer(x))
    want = ref.pool2d(x, pool, strides or pool, padding, mode)
    assert y.shape == want.shape == layer.compute_output_shape(shape)
    np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool1d(mode):
    cls = layers.MaxPooling1D if mode == "max" else layers.AveragePooling1D
    layer = cls(3, strides=2, padding="same")
    x = rand(2, 10, 4)
    want = ref.pool2d(x[:, None], (1, 3), (1, 2), "same", mode)[:, 0]
    np.testing.assert_allclose(layer(x), want, rtol=1e-6, atol=1e-6)


def test_large_pooling_uses_threads_identically(threads):
    x = rand(8, 64, 64, 16)
    layer = layers.MaxPooling2D(3, strides=2, padding="same")
    same_bits_with_threads(threads, lambda: layer(x))


def test_global_pooling():
    x = rand(2, 5, 6, 3)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(x),
                               x.max(axis=(1, 2)))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D(keepdims=True)(x),
                               x.mean(axis=(1, 2), keepdims=True), rtol=1e-6)
    x1 = rand(2, 7, 3)
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(x1),
                               x1.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalMaxPooling1D()(x1),
                               x1.max(axis=1))


# ---- core, reshaping, regularization, normalization ----------------------

def test_embedding():
    layer = layers.Embedding(10, 3)
    ids = np.array([[0, 9, 4], [1, 1, 2]])
    y = layer(ids)
    np.testing.assert_array_equal(y, layer.embeddings.value[ids])
    np.testing.assert_array_equal(layer(ids.astype(np.float32)), y)


def test_reshaping_layers():
    x = rand(2, 3, 4)
    np.testing.assert_array_equal(layers.Flatten()(x), x.reshape(2, 12))
    np.testing.assert_array_equal(layers.Reshape((4, -1))(x),
                                  x.reshape(2, 4, 3))
    np.testing.assert_array_equal(layers.Permute((2, 1))(x),
                                  x.transpose(0, 2, 1))
    v = rand(2, 5)
    y = layers.RepeatVector(3)(v)
    assert y.shape == (2, 3, 5)
    np.testing.assert_array_equal(y[:, 1], v)
    np.testing.assert_array_equal(
        layers.Flatten(data_format="channels_first")(x),
        x.transpose(0, 2, 1).reshape(2, 12))


def test_dropout_identity_at_inference_and_scaled_in_training():
    layer = layers.Dropout(0.25, seed=3)
    x = np.ones((200, 50), np.float32)
    np.testing.assert_array_equal(layer(x), x)
    y = layer(x, training=True)
    kept = y != 0
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(y[kept], 1 / 0.75)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_dropout_mask_kernel(threads, rate):
    """Masks hold 0 and 1 / (1 - rate) in the right proportion, depend only
    on their key (not on the thread count), and look independent."""
    from seqcore import _kernels
    masks = []
    for n in (1, 2):
        threads(n)
        masks.append(_kernels.dropout_mask(
            12345, rate, np.empty((300, 1001), np.float32)))
    np.testing.assert_array_equal(masks[0], masks[1])
    mask = masks[0]
    scale = np.float32(1 / (1 - rate))
    assert set(np.unique(mask)) == {0.0, scale}
    kept = (mask != 0).ravel()
    assert abs(kept.mean() - (1 - rate)) < 0.005
    # neighbours and rows are uncorrelated
    k = kept.astype(np.float64) - kept.mean()
    assert abs(np.mean(k[1:] * k[:-1])) / k.var() < 0.01
    assert abs(np.mean(k[1001:] * k[:-1001])) / k.var() < 0.01
    other = _kernels.dropout_mask(12346, rate, np.empty_like(mask))
    assert (other != mask).mean() > 0.1
    with pytest.raises(ValueError, match="rate must be in"):
        _kernels.dropout_mask(1, 1.0, np.empty(3, np.float32))
    with pytest.raises(ValueError, match="float32"):
        _kernels.dropout_mask(1, 0.5, np.empty(3))


def test_dropout_masks_follow_the_seed():
    x = np.ones((64, 40), np.float32)
    first = layers.Dropout(0.5, seed=7)(x, training=True)
    again = layers.Dropout(0.5, seed=7)(x, training=True)
    np.testing.assert_array_equal(first, again)
    keras.utils.set_random_seed(3)
    a = layers.Dropout(0.5)(x, training=True)
    b = layers.Dropout(0.5)(x, training=True)
    keras.utils.set_random_seed(3)
    np.testing.assert_array_equal(layers.Dropout(0.5)(x, training=True), a)
    assert (a != b).any()


def test_batch_normalization_inference_and_training():
    layer = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = rand(16, 3, 4) * 2 + 1
    layer.build(x.shape)
    gamma, beta, mean, var = (rand(4, seed=s) for s in (1, 2, 3, 4))
    var = np.abs(var) + 0.5
    layer.set_weights([gamma, beta, mean, var])
    want = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(layer(x), want, rtol=1e-5, atol=1e-5)
    y = layer(x, training=True)
    bm, bv = x.mean(axis=(0, 1)), x.var(axis=(0, 1))
    np.testing.assert_allclose(y, (x - bm) / np.sqrt(bv + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.value, mean * 0.9 + bm * 0.1,
                               rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.value,
                               var * 0.9 + bv * 0.1, rtol=1e-5)
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean",
                                               "moving_variance"]
    assert len(layer.trainable_weights) == 2


def test_layer_normalization():
    layer = layers.LayerNormalization(epsilon=1e-3)
    x = rand(3, 5, 7)
    layer.build(x.shape)
    layer.set_weights([rand(7, seed=1), rand(7, seed=2)])
    m, v = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    want = (x - m) / np.sqrt(v + 1e-3) * layer.gamma.value + layer.beta.value
    np.testing.assert_allclose(layer(x), want, rtol=1e-5, atol=1e-5)


# ---- recurrent -------------------------------------------------------------

RNN_CLASSES = {"lstm": layers.LSTM, "gru": layers.GRU,
               "simple_rnn": layers.SimpleRNN}


def run_reference(layer, kind, x, states, mask=None, **kw):
    bias = None if layer.bias is None else layer.bias.value
    return ref.rnn(kind, x, layer.kernel.value, layer.recurrent_kernel.value,
                   bias, states, mask=mask, go_backwards=layer.go_backwards,
                   return_sequences=layer.return_sequences, **kw)


@pytest.mark.parametrize("kind", list(RNN_CLASSES))
@pytest.mark.parametrize("options", [
    {}, {"return_sequences": True}, {"go_backwards": True},
    {"return_sequences": True, "go_backwards": True},
    {"use_bias": False}])
def test_recurrent_forward(isa, threads, kind, options):
    for batch, steps, features, units in [(1, 1, 1, 1), (3, 7, 5, 6),
                                          (33, 9, 17, 33)]:
        layer = RNN_CLASSES[kind](units, bias_initializer="random_normal",
                                  **options)
        x = rand(batch, steps, features)
        y = same_bits_with_threads(threads, lambda: layer(x))
        zeros = [np.zeros((batch, units))] * (2 if kind == "lstm" else 1)
        want, _ = run_reference(layer, kind, x, zeros)
        assert y.shape == want.shape == layer.compute_output_shape(x.shape)
        np.testing.assert_allclose(y, want, rtol=2e-5, atol=2e-5)


def test_gru_reset_before():
    layer = layers.GRU(4, reset_after=False, return_sequences=True,
                       bias_initializer="random_normal")
    x = rand(2, 5, 3)
    y = layer(x)
    assert layer.bias.shape == (12,)
    want, _ = run_reference(layer, "gru", x, [np.zeros((2, 4))],
                            reset_after=False)
    np.testing.assert_allclose(y, want, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("kind", list(RNN_CLASSES))
def test_return_state_and_initial_state(kind):
    layer = RNN_CLASSES[kind](4, return_state=True, return_sequences=True)
    x = rand(2, 6, 3)
    count = 2 if kind == "lstm" else 1
    init = [rand(2, 4, seed=10 + i) for i in range(count)]
    out = layer(x, initial_state=init)
    assert len(out) == 1 + count
    want_seq, want_states = run_reference(layer, kind, x, init)
    np.testing.assert_allclose(out[0], want_seq, rtol=2e-5, atol=2e-5)
    for got, want in zip(out[1:], want_states):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5)
    assert layer.compute_output_shape((2, 6, 3)) == \
        [(2, 6, 4)] + [(2, 4)] * count


@pytest.mark.parametrize("kind", list(RNN_CLASSES))
def test_mask_skips_steps(kind):
    layer = RNN_CLASSES[kind](5, return_sequences=True)
    x = rand(3, 6, 4)
    mask = np.ones((3, 6), bool)
    mask[0, 4:] = False
    mask[2, 1:3] = False
    y = layer(x, mask=mask)
    zeros = [np.zeros((3, 5))] * (2 if kind == "lstm" else 1)
    want, _ = run_reference(layer, kind, x, zeros, mask=mask)
    np.testing.assert_allclose(y, want, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("kind", list(RNN_CLASSES))
def test_stateful_carries_states_until_reset(kind):
    layer = RNN_CLASSES[kind](3, stateful=True)
    stateless = RNN_CLASSES[kind](3)
    x1, x2 = rand(2, 4, 5, seed=1), rand(2, 4, 5, seed=2)
    layer(x1)
    stateless.build(x1.shape)
    stateless.set_weights(layer.get_weights())
    y2 = layer(x2)
    np.testing.assert_allclose(y2, stateless(np.concatenate([x1, x2], 1)),
                               rtol=1e-5, atol=1e-6)
    layer.reset_states()
    np.testing.assert_allclose(layer(x2), stateless(x2), rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="same batch size"):
        layer(rand(3, 4, 5))


def test_stateful_needs_a_batch_size():
    with pytest.raises(ValueError, match="stateful, it needs to know its "
                                         "batch size"):
        keras.Sequential([keras.Input(shape=(4, 3)),
                          layers.LSTM(2, stateful=True)])
    model = keras.Sequential([keras.Input(batch_shape=(2, 4, 3)),
                              layers.LSTM(2, stateful=True)])
    assert model(rand(2, 4, 3)).shape == (2, 2)


def test_lstm_unit_forget_bias_and_weight_layout():
    layer = layers.LSTM(3)
    layer.build((None, 5, 2))
    assert [w.shape for w in layer.weights] == [(2, 12), (3, 12), (12,)]
    np.testing.assert_array_equal(layer.bias.value,
                                  [0] * 3 + [1] * 3 + [0] * 6)
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/lstm_cell/kernel",
        f"{layer.name}/lstm_cell/recurrent_kernel",
        f"{layer.name}/lstm_cell/bias"]


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
def test_kernel_keeps_every_steps_gates_on_request(threads, kind):
    """keep_gates (for backpropagation) changes the workspace, not results."""
    from seqcore import _kernels
    groups = {"lstm": 4, "gru": 3, "simple_rnn": 1}[kind]
    n, t, d, u = 5, 6, 7, 33
    x = rand(n, t, d)
    kernel, rkernel = rand(d, groups * u, seed=1), rand(u, groups * u, seed=2)
    bias = rand(2, groups * u, seed=3) if kind == "gru" else \
        rand(groups * u, seed=3)
    outs = []
    for keep in (False, True):
        for nthreads in (1, 2):
            threads(nthreads)
            h = np.zeros((n, u), np.float32)
            c = np.zeros((n, u), np.float32) if kind == "lstm" else None
            ws = np.empty(n * groups * u * (t if keep else 1), np.float32)
            seq = _kernels.rnn_forward(kind, x, kernel, rkernel, bias, h, c,
                                       return_sequences=True, workspace=ws,
                                       keep_gates=keep)
            outs.append((seq, h))
    for seq, h in outs[1:]:
        np.testing.assert_array_equal(seq, outs[0][0])
        np.testing.assert_array_equal(h, outs[0][1])
    with pytest.raises(ValueError, match="workspace must be"):
        _kernels.rnn_forward(kind, x, kernel, rkernel, bias,
                             np.zeros((n, u), np.float32),
                             np.zeros((n, u), np.float32),
                             workspace=np.empty(3, np.float32))


def test_recurrent_layer_used_from_several_python_threads():
    """The kernels run without the GIL: concurrent calls of one layer must
    not share scratch memory."""
    import threading
    layer = layers.LSTM(64, return_sequences=True)
    inputs = [rand(16, 50, 8, seed=s) for s in range(4)]
    want = [layer(x) for x in inputs]
    mismatches = []

    def work(i):
        for _ in range(30):
            if not np.array_equal(layer(inputs[i]), want[i]):
                mismatches.append(i)

    workers = [threading.Thread(target=work, args=(i,))
               for i in range(len(inputs))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert mismatches == []
