"""ConvLSTM1D/2D: forward against Keras 3 fixtures (make_rnn_fixtures.py),
weight paths and config keys, a Keras-saved model, backward against
float64 finite differences of a numpy reference, threads, errors."""
import json
import pathlib
import re

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests.conftest import same_bits_with_threads
from tests.fixtures.rnn_cases import CONV_CASES

HERE = pathlib.Path(__file__).resolve().parent / "fixtures"
DATA = np.load(HERE / "keras_rnn.npz")
CONFIGS = json.loads((HERE / "keras_rnn_configs.json").read_text())


def _case(name):
    _, cls, kwargs, shape = next(c for c in CONV_CASES if c[0] == name)
    layer = getattr(layers, cls)(**kwargs)
    layer.build(shape)
    layer.set_weights([DATA[f"{name}/w{i}"] for i in range(3)])
    return layer, DATA[f"{name}/x"]


@pytest.mark.parametrize("name", [c[0] for c in CONV_CASES])
def test_forward_matches_keras(name, isa):
    layer, x = _case(name)
    out = layer(x)
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == int(DATA[f"{name}/n_out"])
    for i, o in enumerate(outs):
        np.testing.assert_allclose(o, DATA[f"{name}/y{i}"], atol=1e-5,
                                   rtol=1e-5)
    shapes = layer.compute_output_shape(x.shape)
    shapes = shapes if isinstance(shapes, list) else [shapes]
    assert [tuple(s) for s in shapes] == [o.shape for o in outs]


@pytest.mark.parametrize("name", [c[0] for c in CONV_CASES])
def test_weights_and_config_match_keras(name):
    layer, _ = _case(name)
    strip = lambda p: re.sub(r"_\d+(?=/|$)", "", str(p))  # noqa: E731
    assert [strip(w.path) for w in layer.weights] == \
        [strip(p) for p in DATA[f"{name}/paths"]]
    config = layer.get_config()
    assert set(config) == set(CONFIGS[name])
    for key in ("filters", "kernel_size", "strides", "padding",
                "dilation_rate", "return_sequences", "go_backwards"):
        assert tuple(np.atleast_1d(config[key])) == \
            tuple(np.atleast_1d(CONFIGS[name][key]))
    again = type(layer).from_config(config)
    assert again.get_config() == config


def test_keras_saved_model_loads_and_predicts_the_same(tmp_path):
    model = keras.models.load_model(HERE / "saved" / "conv_lstm.keras")
    data = np.load(HERE / "saved" / "conv_lstm.npz")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0),
                               data["y"], atol=1e-5)
    model.save(tmp_path / "again.keras")
    again = keras.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(data["x"], verbose=0),
                               data["y"], atol=1e-5)


def _conv(x, k, strides, dilation, pads, out):
    """float64 NDHWC convolution with zero padding (front, top, left)."""
    n, c = x.shape[0], x.shape[-1]
    big = np.zeros((n,) + tuple(
        s + 2 * kk * d + o * st for s, kk, d, o, st in
        zip(x.shape[1:4], k.shape[:3], dilation, out, strides)) + (c,))
    big[:, pads[0]:pads[0] + x.shape[1], pads[1]:pads[1] + x.shape[2],
        pads[2]:pads[2] + x.shape[3]] = x
    y = np.zeros((n,) + tuple(out) + (k.shape[-1],))
    for tap in np.ndindex(k.shape[:3]):
        idx = [tap[i] * dilation[i] + strides[i] * np.arange(out[i])
               for i in range(3)]
        patch = big[:, idx[0]][:, :, idx[1]][:, :, :, idx[2]]
        y += patch @ k[tap]
    return y


def _reference(layer, x, k, r, b, masks=(None, None)):
    """float64 ConvLSTM forward on the 3-D view: (sequence, h, c), each
    with the layer's spatial axes. masks: the per-gate dropout masks of
    the input and of h (4, n, ...) on the 3-D view, or None."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    lead = (1,) * (3 - layer.rank)
    x = x.reshape(x.shape[:2] + lead + x.shape[2:])
    k, r = k.reshape(lead + k.shape), r.reshape(lead + r.shape)
    n, t = x.shape[:2]
    strides, dil, pads, out, rpads = layer._geometry(x.shape[2:5])
    F = layer.filters
    hs = np.zeros((n,) + out + (F,))
    cs = np.zeros((n,) + out + (F,))
    seq = []
    steps = range(t - 1, -1, -1) if layer.go_backwards else range(t)
    in_masks, rec_masks = masks
    for s in steps:
        if in_masks is None and rec_masks is None:
            z = _conv(x[:, s], k, strides, dil, pads, out) + b + \
                _conv(hs, r, (1, 1, 1), (1, 1, 1), rpads, out)
        else:
            z = np.concatenate([
                _conv(x[:, s] * (1 if in_masks is None else in_masks[g]),
                      k[..., g * F:(g + 1) * F], strides, dil, pads, out) +
                _conv(hs * (1 if rec_masks is None else rec_masks[g]),
                      r[..., g * F:(g + 1) * F], (1, 1, 1), (1, 1, 1), rpads,
                      out) for g in range(4)], axis=-1) + b
        i, f = sig(z[..., :F]), sig(z[..., F:2 * F])
        g, o = np.tanh(z[..., 2 * F:3 * F]), sig(z[..., 3 * F:])
        cs = f * cs + i * g
        hs = o * np.tanh(cs)
        seq.append(hs)
    keep = (n,) + out[3 - layer.rank:] + (F,)
    return (np.stack(seq, 1).reshape((n, t) + keep[1:]), hs.reshape(keep),
            cs.reshape(keep))


@pytest.mark.parametrize("cls,shape,kwargs", [
    ("ConvLSTM2D", (2, 3, 5, 5, 2),
     {"padding": "same", "return_sequences": True}),
    ("ConvLSTM2D", (2, 3, 5, 5, 2),
     {"strides": 2, "return_state": True, "go_backwards": True}),
    ("ConvLSTM2D", (2, 3, 5, 5, 2), {"dilation_rate": 2, "padding": "same"}),
    ("ConvLSTM3D", (1, 3, 4, 3, 4, 2),
     {"padding": "same", "return_sequences": True}),
    ("ConvLSTM3D", (2, 2, 5, 3, 3, 1),
     {"strides": (2, 1, 1), "return_state": True}),
    ("ConvLSTM1D", (2, 3, 6, 2), {"padding": "same", "go_backwards": True})])
def test_backward_matches_float64_finite_differences(cls, shape, kwargs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype("float32")
    layer = getattr(layers, cls)(2, 3 if cls != "ConvLSTM3D" else 2,
                                 **kwargs)
    layer.build(x.shape)
    layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32")
                       for w in layer.weights])
    out = layer(x, training=True)
    outs = out if isinstance(out, list) else [out]
    dys = [rng.standard_normal(o.shape) for o in outs]
    for w in layer.weights:
        w.grad = np.zeros(w.shape, np.float32)
    dx = layer.backward([d.astype("float32") for d in dys]
                        if len(dys) > 1 else dys[0].astype("float32"))

    def loss(values):
        seq, h, c = _reference(layer, *values)
        got = [seq if layer.return_sequences else h]
        if layer.return_state:
            got += [h, c]
        return sum(float(np.sum(a * d)) for a, d in zip(got, dys))

    values = [x.astype(np.float64)] + [w.numpy().astype(np.float64)
                                       for w in layer.weights]
    np.testing.assert_allclose(_reference(layer, *values)[1],
                               outs[-2] if layer.return_state else
                               (outs[0] if not layer.return_sequences
                                else outs[0][:, -1]), atol=1e-5)
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


@pytest.mark.parametrize("cls,shape,kwargs", [
    ("ConvLSTM2D", (2, 3, 5, 5, 2),
     {"padding": "same", "return_sequences": True, "dropout": 0.4,
      "recurrent_dropout": 0.3}),
    ("ConvLSTM2D", (2, 3, 5, 5, 2),
     {"strides": 2, "return_state": True, "go_backwards": True,
      "recurrent_dropout": 0.5}),
    ("ConvLSTM1D", (2, 3, 6, 2), {"padding": "same", "dropout": 0.5}),
    ("ConvLSTM3D", (1, 2, 3, 3, 3, 2), {"padding": "same",
                                        "dropout": 0.3,
                                        "recurrent_dropout": 0.3})])
def test_dropout_gradients_match_float64_finite_differences(cls, shape,
                                                            kwargs):
    """Training with Keras 3's per-gate masks, fixed over the steps: the
    forward and the float32 backward against the float64 reference run
    with the masks the layer drew."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype("float32")
    layer = getattr(layers, cls)(2, 3 if cls != "ConvLSTM3D" else 2,
                                 seed=11, **kwargs)
    layer.build(x.shape)
    layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32")
                       for w in layer.weights])
    out = layer(x, training=True)
    outs = out if isinstance(out, list) else [out]
    in_masks, rec_masks = layer._last_dropout_masks
    for masks, rate in ((in_masks, kwargs.get("dropout", 0)),
                        (rec_masks, kwargs.get("recurrent_dropout", 0))):
        if rate:
            assert masks.shape[0] == 4
            assert set(np.unique(masks)) == {0.0, np.float32(1 / (1 - rate))}
            assert not np.array_equal(masks[0], masks[1])   # per gate
        else:
            assert masks is None
    masks = tuple(None if m is None else m.astype(np.float64)
                  for m in (in_masks, rec_masks))
    dys = [rng.standard_normal(o.shape) for o in outs]
    for w in layer.weights:
        w.grad = np.zeros(w.shape, np.float32)
    dx = layer.backward([d.astype("float32") for d in dys]
                        if len(dys) > 1 else dys[0].astype("float32"))

    def results(values):
        seq, h, c = _reference(layer, *values, masks=masks)
        got = [seq if layer.return_sequences else h]
        return got + [h, c] if layer.return_state else got

    values = [x.astype(np.float64)] + [w.numpy().astype(np.float64)
                                       for w in layer.weights]
    for got, want in zip(outs, results(values)):
        np.testing.assert_allclose(got, want, atol=1e-5)
    analytic = [dx] + [w.grad for w in layer.weights]
    for v, g in zip(values, analytic):
        num = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            old = v[idx]
            v[idx] = old + 1e-6
            up = sum(float(np.sum(a * d)) for a, d in zip(results(values),
                                                          dys))
            v[idx] = old - 1e-6
            down = sum(float(np.sum(a * d))
                       for a, d in zip(results(values), dys))
            v[idx] = old
            num[idx] = (up - down) / 2e-6
        np.testing.assert_allclose(g, num, atol=1e-4, rtol=1e-3)


def test_dropout_masks_follow_the_seed_and_only_apply_in_training():
    x = np.random.default_rng(4).standard_normal(
        (2, 3, 5, 5, 2)).astype("float32")

    def run(seed, training):
        layer = layers.ConvLSTM2D(2, 3, dropout=0.5, recurrent_dropout=0.5,
                                  seed=seed, kernel_initializer="ones",
                                  recurrent_initializer="ones")
        return layer(x, training=training)
    np.testing.assert_array_equal(run(5, True), run(5, True))
    assert not np.allclose(run(5, True), run(6, True))
    np.testing.assert_array_equal(run(5, False), run(6, False))


def test_conv_lstm1d_gradient_is_the_2d_one_of_height_1():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 7, 3)).astype("float32")
    one = layers.ConvLSTM1D(3, 2, return_sequences=True)
    two = layers.ConvLSTM2D(3, (1, 2), return_sequences=True)
    one.build(x.shape)
    two.build((2, 4, 1, 7, 3))
    two.set_weights([w[np.newaxis] if w.ndim > 1 else w
                     for w in one.get_weights()])
    dy = rng.standard_normal((2, 4, 6, 3)).astype("float32")
    res = []
    for layer, xi, d in ((one, x, dy), (two, x[:, :, None], dy[:, :, None])):
        y = layer(xi, training=True)
        for w in layer.weights:
            w.grad = np.zeros(w.shape, np.float32)
        dx = layer.backward(d)
        res.append([y.reshape(dy.shape), dx.reshape(x.shape)] +
                   [w.grad.reshape(-1) for w in layer.weights])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_same_bits_with_threads(threads, isa):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 9, 7, 5)).astype("float32")
    layer = layers.ConvLSTM2D(7, 3, padding="same", return_sequences=True)
    layer.build(x.shape)
    dy = rng.standard_normal((3, 4, 9, 7, 7)).astype("float32")

    def run():
        y = layer(x, training=True)
        for w in layer.weights:
            w.grad = np.zeros(w.shape, np.float32)
        dx = layer.backward(dy)
        return [y, dx] + [w.grad.copy() for w in layer.weights]

    same_bits_with_threads(threads, run)


def test_trains_in_fit():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 3, 6, 6, 1)).astype("float32")
    y = x.mean(axis=(1, 2, 3))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3, 6, 6, 1)),
                              layers.ConvLSTM2D(4, 3, padding="same"),
                              layers.GlobalAveragePooling2D(),
                              layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.02), "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=4, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.7 * before


def test_errors():
    with pytest.raises(ValueError, match="filters"):
        layers.ConvLSTM2D(0, 3)
    with pytest.raises(ValueError, match="padding"):
        layers.ConvLSTM2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="ndim=5"):
        layers.ConvLSTM2D(2, 3)(np.zeros((2, 3, 4, 4), np.float32))
    with pytest.raises(ValueError, match="non-positive"):
        layers.ConvLSTM2D(2, 5)(np.zeros((1, 2, 3, 3, 1), np.float32))


def test_channels_first_is_channels_last_transposed():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 6, 5, 2)).astype("float32")
    last = layers.ConvLSTM2D(3, 3, return_sequences=True, return_state=True)
    first = layers.ConvLSTM2D(3, 3, return_sequences=True, return_state=True,
                              data_format="channels_first")
    xf = np.ascontiguousarray(np.moveaxis(x, -1, 2))
    last.build(x.shape)
    first.build(xf.shape)
    first.set_weights(last.get_weights())
    a, b = last(x, training=True), first(xf, training=True)
    np.testing.assert_allclose(np.moveaxis(b[0], 2, -1), a[0], atol=1e-6)
    np.testing.assert_allclose(np.moveaxis(b[1], 1, -1), a[1], atol=1e-6)
    assert first.compute_output_shape(xf.shape)[0] == b[0].shape
    dys = [rng.standard_normal(o.shape).astype("float32") for o in a]
    for layer in (last, first):
        for w in layer.weights:
            w.grad = np.zeros(w.shape, np.float32)
    dx_last = last.backward(dys)
    dx_first = first.backward([np.ascontiguousarray(np.moveaxis(dys[0], -1,
                                                                2))] +
                              [np.ascontiguousarray(np.moveaxis(d, -1, 1))
                               for d in dys[1:]])
    np.testing.assert_allclose(np.moveaxis(dx_first, 2, -1), dx_last,
                               atol=1e-5)
    for u, v in zip(last.weights, first.weights):
        np.testing.assert_allclose(u.grad, v.grad, atol=1e-5)
