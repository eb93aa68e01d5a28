"""dropout and recurrent_dropout of SimpleRNN, LSTM and GRU in training:
Keras 3's masks (one per gate with recurrent_dropout, fixed over time),
outputs against Keras fixtures run with the same masks, gradients against
float64 finite differences with fixed masks, seeds, and the C path kept
when both rates are 0."""
import pathlib

import numpy as np
import pytest

from seqcore import layers
from seqcore.layers import _rnn_dropout
from tests.fixtures.rnn_cases import DROPOUT_CASES

HERE = pathlib.Path(__file__).resolve().parent / "fixtures"
DATA = np.load(HERE / "keras_rnn.npz")


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _fixed_masks(monkeypatch, name):
    """Make draw_masks hand out the fixture's masks (input, then
    recurrent), as Keras was given them."""
    order = ["in", "rec"]       # the layer draws input masks first

    def draw(rng, rate, count, shape, dtype=np.float32):
        key = order.pop(0)
        if not 0.0 < rate < 1.0:
            return None
        masks = DATA[f"{name}/{key}_masks"]
        assert masks.shape == (count,) + tuple(shape)
        return masks.astype(dtype)

    monkeypatch.setattr(_rnn_dropout, "draw_masks", draw)


def _layer(name):
    _, cls, kwargs, shape, masked = next(c for c in DROPOUT_CASES
                                         if c[0] == name)
    layer = getattr(layers, cls)(**kwargs)
    layer.build(shape)
    layer.set_weights([DATA[f"{name}/w{i}"]
                       for i in range(len(layer.weights))])
    mask = DATA[f"{name}/mask"] if masked else None
    return layer, DATA[f"{name}/x"], mask


@pytest.mark.parametrize("name", [c[0] for c in DROPOUT_CASES])
def test_training_output_matches_keras_with_the_same_masks(monkeypatch, isa,
                                                          name):
    layer, x, mask = _layer(name)
    _fixed_masks(monkeypatch, name)
    outs = _flat(layer(x, mask=mask, training=True))
    assert len(outs) == int(DATA[f"{name}/n_out"])
    for i, out in enumerate(outs):
        np.testing.assert_allclose(out, DATA[f"{name}/y{i}"], atol=1e-5,
                                   rtol=1e-5)


def test_fast_path_kept_without_recurrent_dropout():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 2)).astype("float32")
    for kwargs, how in (({}, "kernels"), ({"dropout": 0.5}, "kernels"),
                        ({"recurrent_dropout": 0.5}, "numpy")):
        layer = layers.LSTM(3, **kwargs)
        layer(x, training=True)
        assert layer._saved[0] == how


@pytest.mark.parametrize("kind,extra", [
    ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
    ("SimpleRNN", {}), ("LSTM", {"go_backwards": True}),
    ("GRU", {"use_bias": False})])
def test_gradients_match_float64_finite_differences(kind, extra):
    """The layer's float32 backward against central differences of the
    float64 forward with the masks the layer drew."""
    rng = np.random.default_rng(1)
    n, t, d, u = 3, 5, 4, 3
    x = rng.standard_normal((n, t, d)).astype("float32")
    mask = rng.random((n, t)) > 0.3
    layer = getattr(layers, kind)(u, dropout=0.3, recurrent_dropout=0.4,
                                  return_sequences=True, return_state=True,
                                  seed=7, **extra)
    layer.build(x.shape)
    layer.set_weights([rng.uniform(-0.6, 0.6, w.shape).astype("float32")
                       for w in layer.weights])
    outs = layer(x, mask=mask, training=True)
    in_masks, rec_masks = layer._last_dropout_masks
    assert in_masks.shape == (_rnn_dropout.GATES[layer.kind], n, d)
    assert rec_masks.shape == (_rnn_dropout.GATES[layer.kind], n, u)
    dys = [rng.standard_normal(o.shape).astype("float32") for o in outs]
    for w in layer.weights:
        w.grad = np.zeros(w.shape, np.float32)
    dx = layer.backward(dys)
    go_back = layer.go_backwards
    step_mask = (mask[:, ::-1] if go_back else mask).T
    reset_after = getattr(layer, "reset_after", True)

    def loss(values):
        xv, weights = values[0], values[1:]
        bias = weights[2] if len(weights) == 3 else None
        xs = (xv[:, ::-1] if go_back else xv).transpose(1, 0, 2)
        states = [np.zeros((n, u))] * layer.state_count
        seq, _ = _rnn_dropout.forward(
            layer.kind, xs, weights[0], weights[1], bias, states, step_mask,
            in_masks.astype(np.float64), rec_masks.astype(np.float64),
            layer._act, layer._ract, reset_after)
        total = float(np.sum(seq.transpose(1, 0, 2) * dys[0]))
        return total + sum(float(np.sum(s * g))
                           for s, g in zip(states, dys[1:]))

    values = [x.astype(np.float64)] + [w.numpy().astype(np.float64)
                                       for w in layer.weights]
    analytic = [dx] + [w.grad for w in layer.weights]
    for v, g in zip(values, analytic):
        num = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            old = v[idx]
            v[idx] = old + 1e-6
            up = loss(values)
            v[idx] = old - 1e-6
            down = loss(values)
            v[idx] = old
            num[idx] = (up - down) / 2e-6
        np.testing.assert_allclose(g, num, atol=1e-4, rtol=1e-3)


def test_input_dropout_only_gradient_matches_finite_differences():
    """The C path with Keras's single input mask: dx is masked."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    layer = layers.GRU(3, dropout=0.5, seed=3)
    y = layer(x, training=True)
    scale = layer._saved[2]
    assert scale.shape == (2, 1, 3)
    assert set(np.unique(scale)) <= {0.0, 2.0}
    np.testing.assert_allclose(y, layer(x * scale), atol=1e-6)
    dy = np.ones_like(y)
    for w in layer.weights:
        w.grad = np.zeros(w.shape, np.float32)
    dx = layer.backward(dy)
    assert np.all(dx[np.broadcast_to(scale == 0, dx.shape)] == 0)


def test_seeded_masks_are_reproducible_and_new_each_call():
    x = np.ones((4, 5, 3), np.float32)

    def two_calls():
        layer = layers.SimpleRNN(6, dropout=0.4, recurrent_dropout=0.4,
                                 seed=11, kernel_initializer="ones",
                                 recurrent_initializer="ones")
        first = layer(x, training=True)
        masks = layer._last_dropout_masks
        second = layer(x, training=True)
        return first, second, masks

    a1, a2, masks = two_calls()
    b1, b2, _ = two_calls()
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)
    keep = masks[1] > 0
    assert 0.3 < 1 - keep.mean() < 0.5 or keep.size < 30
    assert set(np.unique(masks[1])) <= {0.0, np.float32(1 / 0.6)}


def test_inference_ignores_dropout():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 3)).astype("float32")
    layer = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5)
    plain = layers.LSTM(4)
    layer.build(x.shape)
    plain.build(x.shape)
    plain.set_weights(layer.get_weights())
    np.testing.assert_array_equal(layer(x), plain(x))
    np.testing.assert_array_equal(layer(x, training=False), plain(x))


def test_rate_one_applies_no_dropout_as_keras():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 5, 3)).astype("float32")
    layer = layers.GRU(4, dropout=1.0, recurrent_dropout=1.0)
    y = layer(x, training=True)
    np.testing.assert_allclose(y, layer(x), atol=1e-6)


def test_lstm_with_recurrent_dropout_trains_in_fit():
    import seqcore as keras
    rng = np.random.default_rng(6)
    x = rng.standard_normal((32, 6, 3)).astype("float32")
    y = (x[:, :, 0].sum(axis=1, keepdims=True) > 0).astype("float32")
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((6, 3)),
        layers.LSTM(8, dropout=0.1, recurrent_dropout=0.2, seed=2),
        layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.7 * before


def test_cell_in_rnn_step_loop_uses_fixed_masks():
    """A built-in cell stepped next to a user cell keeps one set of masks
    over the sequence (the generic RNN path)."""
    cell = layers.SimpleRNNCell(3, dropout=0.5, recurrent_dropout=0.5,
                                seed=1)
    inp, rec = cell.draw_step_masks(2, 4)
    assert inp.shape == (1, 2, 4) and rec.shape == (1, 2, 3)
    lstm_cell = layers.LSTMCell(3, dropout=0.5, seed=1)
    inp, rec = lstm_cell.draw_step_masks(2, 4)
    assert inp.shape == (4, 2, 4) and rec is None
    np.testing.assert_array_equal(inp[0], inp[3])   # one shared mask
