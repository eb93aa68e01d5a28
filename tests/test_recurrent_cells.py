"""SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells and RNN(cell): forward
against Keras 3 fixtures (tests/fixtures/make_rnn_fixtures.py), configs,
weight paths, .keras files both ways, gradients against float64 finite
differences (user-written cells train through the tape), threads, errors."""
import json
import pathlib
import re

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests.conftest import same_bits_with_threads
from tests.fixtures.rnn_cases import CELL_CASES

HERE = pathlib.Path(__file__).resolve().parent / "fixtures"
DATA = np.load(HERE / "keras_rnn.npz")
CONFIGS = json.loads((HERE / "keras_rnn_configs.json").read_text())


class MinimalCell(layers.Layer):
    """The user-written cell of the fixtures (Keras's guide's minimal RNN
    cell, with a bias and two states), written against seqcore: the same
    cell tests/fixtures/make_rnn_fixtures.py ran on Keras."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, units]

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units), name="recurrent_kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias",
                                    initializer="zeros")

    def call(self, inputs, states):
        prev, total = states[0], states[1]
        h = keras.ops.matmul(inputs, self.kernel) + self.bias
        out = keras.ops.tanh(h + keras.ops.matmul(prev, self.recurrent_kernel))
        return out, [out, total + out * 0.5]


def _flat(out):
    flat = []
    for o in (out if isinstance(out, (list, tuple)) else [out]):
        flat += _flat(o) if isinstance(o, (list, tuple)) else [np.asarray(o)]
    return flat


def _case_layer(name):
    _, make, kwargs, shape, masked = next(c for c in CELL_CASES
                                          if c[0] == name)
    layer = layers.RNN(make(layers, MinimalCell), **kwargs)
    layer.build(shape)
    layer.set_weights([DATA[f"{name}/w{i}"]
                       for i in range(len(layer.weights))])
    mask = DATA[f"{name}/mask"] if masked else None
    return layer, DATA[f"{name}/x"], mask


@pytest.mark.parametrize("name", [c[0] for c in CELL_CASES])
def test_forward_matches_keras(name, isa):
    layer, x, mask = _case_layer(name)
    outs = _flat(layer(x, mask=mask))
    assert len(outs) == int(DATA[f"{name}/n_out"])
    for i, out in enumerate(outs):
        np.testing.assert_allclose(out, DATA[f"{name}/y{i}"], atol=1e-5,
                                   rtol=1e-5)


def _unnumbered(path):
    return re.sub(r"_\d+(?=/|$)", "", path)


@pytest.mark.parametrize("name", [c[0] for c in CELL_CASES])
def test_weight_paths_match_keras(name):
    layer, _, _ = _case_layer(name)
    ours = [_unnumbered(w.path) for w in layer.weights]
    theirs = [_unnumbered(str(p)) for p in DATA[f"{name}/paths"]]
    assert ours == theirs


@pytest.mark.parametrize("name", [c[0] for c in CELL_CASES[:7]])
def test_config_keys_match_keras(name):
    layer, _, _ = _case_layer(name)
    ours, theirs = layer.get_config(), CONFIGS[name]
    assert set(ours) == set(theirs)
    assert set(ours["cell"]["config"]) == set(theirs["cell"]["config"])
    again = layers.RNN.from_config(ours)
    assert again.get_config()["cell"]["config"].keys() == \
        ours["cell"]["config"].keys()


@pytest.mark.parametrize("cls", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
def test_cell_config_round_trip(cls):
    cell = getattr(layers, cls)(3)
    config = cell.get_config()
    assert set(config) == set(CONFIGS[cls])
    for key in ("units", "dropout", "recurrent_dropout", "use_bias"):
        assert config[key] == CONFIGS[cls][key]
    again = getattr(layers, cls).from_config(config)
    assert again.get_config() == config


def test_keras_saved_model_loads_and_predicts_the_same(tmp_path):
    model = keras.models.load_model(HERE / "saved" / "rnn_cells.keras")
    data = np.load(HERE / "saved" / "rnn_cells.npz")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0),
                               data["y"], atol=1e-5)
    path = tmp_path / "again.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(data["x"], verbose=0),
                               data["y"], atol=1e-5)
    import h5py
    import zipfile
    with zipfile.ZipFile(path) as z, h5py.File(
            __import__("io").BytesIO(z.read("model.weights.h5"))) as h5:
        assert h5["layers/rnn/cell/vars/0"].shape == (3, 20)
        assert h5["layers/rnn_1/cell/cells/gru_cell/vars/2"].shape == (2, 9)
        assert h5["layers/rnn_2/cell/cells/simple_rnn_cell/vars/0"].shape \
            == (3, 2)


def test_builtin_cell_runs_on_the_layer_kernels():
    """RNN(LSTMCell) and LSTM with the same weights: the same outputs and
    the same gradients (both on the C kernels)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 7, 3)).astype("float32")
    mask = rng.random((4, 7)) > 0.3
    rnn = layers.RNN(layers.LSTMCell(5), return_sequences=True)
    lstm = layers.LSTM(5, return_sequences=True)
    rnn.build(x.shape)
    lstm.build(x.shape)
    lstm.set_weights(rnn.get_weights())
    dy = rng.standard_normal((4, 7, 5)).astype("float32")
    grads = []
    for layer in (rnn, lstm):
        y = layer(x, mask=mask, training=True)
        for w in layer.weights:
            w.grad = np.zeros(w.shape, np.float32)
        dx = layer.backward(dy)
        grads.append([y, dx] + [w.grad.copy() for w in layer.weights])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


def _user_cell_reference(x, mask, k, r, b, go_backwards):
    """float64 numpy reference of rnn_cases' MinimalCell in RNN(
    return_sequences=True, return_state=True)."""
    n, t, _ = x.shape
    u = k.shape[1]
    h, total = np.zeros((n, u)), np.zeros((n, u))
    prev, outs = np.zeros((n, u)), []
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    for s in steps:
        out = np.tanh(x[:, s] @ k + b + h @ r)
        new_total = total + out * 0.5
        keep = mask[:, s][:, None]
        h = np.where(keep, out, h)
        total = np.where(keep, new_total, total)
        prev = np.where(keep, out, prev)
        outs.append(prev)
    return np.stack(outs, 1), h, total


@pytest.mark.parametrize("go_backwards", [False, True])
def test_user_cell_gradients_match_finite_differences(go_backwards):
    rng = np.random.default_rng(2)
    n, t, d, u = 3, 5, 4, 3
    x = rng.standard_normal((n, t, d)).astype("float32")
    mask = rng.random((n, t)) > 0.3
    layer = layers.RNN(MinimalCell(u), return_sequences=True, return_state=True,
                       go_backwards=go_backwards)
    layer.build(x.shape)
    layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32")
                       for w in layer.weights])
    dys = [rng.standard_normal(s).astype("float32")
           for s in ((n, t, u), (n, u), (n, u))]
    outs = layer(x, mask=mask, training=True)
    ref = _user_cell_reference(x.astype(np.float64), mask,
                               *[w.numpy().astype(np.float64)
                                 for w in layer.weights], go_backwards)
    for a, b in zip(outs, ref):
        np.testing.assert_allclose(a, b, atol=1e-5)
    for w in layer.weights:
        w.grad = np.zeros(w.shape, np.float32)
    dx = layer.backward(dys)

    def loss(values):
        seq, h, total = _user_cell_reference(values[0], mask, *values[1:],
                                             go_backwards)
        return sum(float(np.sum(o * g)) for o, g in
                   zip((seq, h, total), dys))

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
        np.testing.assert_allclose(g, num, atol=2e-4, rtol=1e-3)


def test_user_cell_trains_in_fit():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 6, 3)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None] * 0.1
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 3)), layers.RNN(MinimalCell(8)),
                              layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.05), "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=15, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.5 * before


def test_stacked_builtin_cells_same_bits_with_threads(threads, isa):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((9, 7, 33)).astype("float32")
    layer = layers.RNN([layers.LSTMCell(33), layers.GRUCell(7)],
                       return_sequences=True)
    layer.build(x.shape)
    dy = rng.standard_normal((9, 7, 7)).astype("float32")

    def run():
        y = layer(x, training=True)
        for w in layer.weights:
            w.grad = np.zeros(w.shape, np.float32)
        dx = layer.backward(dy)
        return [y, dx] + [w.grad.copy() for w in layer.weights]

    same_bits_with_threads(threads, run)


def test_stateful_rnn_carries_states():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 8, 3)).astype("float32")
    whole = layers.RNN(layers.GRUCell(4))
    whole.build(x.shape)
    halves = layers.RNN(layers.GRUCell(4), stateful=True)
    halves.build(x.shape)
    halves.set_weights(whole.get_weights())
    halves(x[:, :4])
    np.testing.assert_allclose(halves(x[:, 4:]), whole(x), atol=1e-6)
    halves.reset_states()
    np.testing.assert_allclose(halves(x[:, :4]), whole(x[:, :4]), atol=1e-6)


def test_bidirectional_wraps_rnn_cell():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 5, 3)).astype("float32")
    bi = layers.Bidirectional(layers.RNN(layers.LSTMCell(4),
                                         return_sequences=True))
    y = bi(x)
    fwd, bwd = bi.forward_layer, bi.backward_layer
    np.testing.assert_allclose(y[..., :4], fwd(x), atol=1e-6)
    np.testing.assert_allclose(y[..., 4:], bwd(x)[:, ::-1], atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="state_size"):
        layers.RNN(layers.Dense(3))
    with pytest.raises(ValueError, match="call"):
        layers.RNN(object())
    layer = layers.RNN(layers.LSTMCell(3))
    with pytest.raises(ValueError, match="min_ndim=3"):
        layer(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="initial state"):
        layers.RNN(layers.LSTMCell(3))(np.zeros((2, 4, 3), np.float32),
                                       initial_state=[np.zeros((2, 3))])
    with pytest.raises(ValueError, match="units"):
        layers.LSTMCell(0)
    with pytest.raises(TypeError, match="dropout"):
        layers.GRUCell(3, dropout=None)
    assert layers.GRUCell(3, dropout=1.5).dropout == 1.0  # Keras clips
    with pytest.raises(ValueError, match="batch size"):
        stateful = layers.RNN(layers.SimpleRNNCell(2), stateful=True)
        stateful.build((None, 4, 3))


def test_compute_output_shape_and_mask():
    layer = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)],
                       return_sequences=True, return_state=True)
    assert layer.compute_output_shape((None, 6, 2)) == \
        [(None, 6, 3), (None, 4), (None, 4), (None, 3)]
    mask = np.ones((2, 6), bool)
    assert layer.compute_mask(None, mask)[0] is mask
    model = keras.Sequential([keras.Input((6, 2)),
                              layers.RNN(layers.SimpleRNNCell(5))])
    assert model.output_shape == (None, 5)


@pytest.mark.parametrize("inner,kwargs", [
    (lambda: layers.LSTM(16, return_sequences=True), {}),
    (lambda: layers.GRU(7, return_state=True), {"merge_mode": "sum"}),
    (lambda: layers.RNN(layers.LSTMCell(9)), {"merge_mode": None})])
def test_bidirectional_two_threads_same_bits(threads, inner, kwargs):
    """Inference with the directions on two threads gives the bits of the
    sequential run, and restores the kernel thread count."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((33, 20, 31)).astype("float32")
    mask = rng.random((33, 20)) > 0.2
    mask[:, 0] = True
    bi = layers.Bidirectional(inner(), **kwargs)
    bi(x)
    threads(2)
    assert bi._parallel(x.shape)
    bi.parallel = True
    together = _flat(bi(x, mask=mask))
    assert keras.get_num_threads() == 2
    bi.parallel = False
    apart = _flat(bi(x, mask=mask))
    threads(1)
    assert not bi._parallel(x.shape)
    for a, b in zip(together, apart):
        np.testing.assert_array_equal(a, b)


def _stacked(**kwargs):
    return layers.RNN(layers.StackedRNNCells(
        [layers.LSTMCell(4), layers.GRUCell(2), layers.SimpleRNNCell(3)]),
        **kwargs)


def test_stacked_cells_return_states_nested_per_cell_as_keras():
    # Keras 3: one entry per cell, a list [h, c] for an LSTMCell and a
    # tensor for a single-state cell.
    x = np.random.default_rng(2).standard_normal((2, 5, 3)).astype("f4")
    rnn = _stacked(return_state=True)
    out, lstm_states, gru_state, simple_state = rnn(x)
    assert [s.shape for s in lstm_states] == [(2, 4), (2, 4)]
    assert (gru_state.shape, simple_state.shape) == ((2, 2), (2, 3))
    np.testing.assert_array_equal(out, simple_state)
    inp = keras.Input((5, 3))
    symbolic = rnn(inp)
    assert isinstance(symbolic[1], list) and len(symbolic) == 4
    model = keras.Model(inp, [symbolic[0], symbolic[1][1], symbolic[2]])
    got = model.predict(x, verbose=0)
    np.testing.assert_allclose(got[1], lstm_states[1], atol=1e-6)
    np.testing.assert_allclose(got[2], gru_state, atol=1e-6)
    # a plain cell's states stay flat
    assert len(layers.RNN(layers.LSTMCell(4), return_state=True)(x)) == 3


def test_nested_initial_states_train_as_the_flat_ones():
    x = np.random.default_rng(3).standard_normal((2, 5, 3)).astype("f4")
    y = np.ones((2, 3), np.float32)
    inp = keras.Input((5, 3))
    _, *states = _stacked(return_state=True)(inp)
    second = _stacked()
    nested = keras.Model(inp, second(inp, initial_state=states))
    flat = keras.Model(inp, second(inp, initial_state=keras.tree.flatten(
        states)))
    start = nested.get_weights()
    trained = []
    for model in (nested, flat):
        model.set_weights(start)
        model.compile(keras.optimizers.SGD(0.1), "mse")
        model.fit(x, y, epochs=2, shuffle=False, verbose=0)
        trained.append(model.get_weights())
    for a, b, w in zip(*trained, start):
        np.testing.assert_array_equal(a, b)
    # the first RNN learned through the states it hands over
    assert not np.allclose(trained[0][0], start[0])
