"""Subclassed models (build on first call, summary, fit, weights files,
compute_loss overrides) and the functional API's structures (models used
as layers, dicts of inputs and outputs, per-output logs)."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers, ops
from tests.test_custom_layers import _numeric_gradient, _sgd_gradient


class TwoLayer(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(5, activation="tanh")
        self.out = layers.Dense(1)

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def _data(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, 4)).astype(np.float32),
            rng.normal(size=(n, 1)).astype(np.float32))


def test_subclassed_model_builds_on_first_call_and_summarises():
    x, _ = _data()
    model = TwoLayer(name="two_layer")
    assert not model.built
    model(x[:1])
    assert [w.shape for w in model.weights] == [(4, 5), (5,), (5, 1), (1,)]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "two_layer"' in text and "(Dense)" in text
    assert "Total params: 31" in text


def test_subclassed_model_weights_files_round_trip(tmp_path):
    x, y = _data()
    model = TwoLayer()
    model.compile("adam", "mse")
    model.fit(x, y, epochs=2, verbose=0)
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    again = TwoLayer()
    again(x[:1])
    again.load_weights(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0),
                                  model.predict(x, verbose=0))


class TenTimesMAE(TwoLayer):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        return 10.0 * ops.mean(ops.abs(y - y_pred))


def test_compute_loss_override_is_what_fit_minimises():
    x, y = _data()
    custom = TenTimesMAE()
    plain = TwoLayer()
    custom(x[:1])
    plain(x[:1])
    plain.set_weights(custom.get_weights())
    custom.compile(keras.optimizers.SGD(0.01))
    plain.compile(keras.optimizers.SGD(0.1), "mae")
    h1 = custom.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    h2 = plain.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"],
                               10 * np.array(h2.history["loss"]), rtol=1e-5)
    for a, b in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


class PenalisedLoss(TwoLayer):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        base = super().compute_loss(x, y, y_pred, sample_weight, training)
        return base + 0.1 * ops.sum(ops.square(self.hidden.kernel))


def test_compute_loss_override_with_super_and_a_weight_penalty():
    x, y = _data(n=6)
    model = PenalisedLoss()
    model(x[:1])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    found = _sgd_gradient(model, x, y)
    expected = _numeric_gradient(model, x, y)
    for f, e in zip(found, expected):
        np.testing.assert_allclose(f, e, rtol=2e-2, atol=3e-4)


@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_model_used_twice_as_a_layer_gets_both_gradients(kind):
    if kind == "functional":
        inner_in = keras.Input((4,))
        inner = keras.Model(inner_in, layers.Dense(3, activation="tanh")(
            inner_in))
    else:
        inner = keras.Sequential([keras.Input((4,)),
                                  layers.Dense(3, activation="tanh")])
    a, b = keras.Input((4,)), keras.Input((4,))
    out = layers.Dense(1)(layers.concatenate([inner(a), inner(b)]))
    model = keras.Model([a, b], out)
    rng = np.random.default_rng(3)
    xa, xb = (rng.normal(size=(5, 4)).astype(np.float32) for _ in range(2))
    y = rng.normal(size=(5, 1)).astype(np.float32)
    model.compile(keras.optimizers.SGD(1.0), "mse")
    found = _sgd_gradient(model, [xa, xb], y)
    expected = _numeric_gradient(model, [xa, xb], y)
    for f, e in zip(found, expected):
        np.testing.assert_allclose(f, e, rtol=2e-2, atol=3e-4)


def test_dict_inputs_and_outputs_with_per_output_losses_and_logs():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    h = layers.concatenate([a, b])
    model = keras.Model({"a": a, "b": b},
                        {"p": layers.Dense(2, name="p")(h),
                         "q": layers.Dense(1, name="q")(h)})
    rng = np.random.default_rng(0)
    x = {"a": rng.normal(size=(8, 3)), "b": rng.normal(size=(8, 2))}
    y = {"p": rng.normal(size=(8, 2)), "q": rng.normal(size=(8, 1))}
    model.compile("sgd", loss={"p": "mse", "q": "mae"},
                  loss_weights={"p": 1.0, "q": 2.0}, metrics={"q": ["mae"]})
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["loss", "p_loss", "q_loss", "q_mae"]
    pred = model.predict(x, verbose=0)
    assert sorted(pred) == ["p", "q"]
    p_loss = np.mean((pred["p"] - y["p"]) ** 2)
    q_loss = np.mean(np.abs(pred["q"] - y["q"]))
    np.testing.assert_allclose(logs["p_loss"], p_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["q_loss"], q_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["loss"], p_loss + 2 * q_loss, rtol=1e-5)
    history = model.fit(x, y, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "p_loss", "q_loss", "q_mae"]
    with pytest.raises(ValueError, match=r"expected keys \['a', 'b'\]"):
        model.predict({"a": x["a"]}, verbose=0)


def test_subclassed_model_build_creates_the_weights():
    model = TwoLayer()
    model.build((None, 4))
    assert model.built
    assert [w.shape for w in model.weights] == [(4, 5), (5,), (5, 1), (1,)]
    assert model.count_params() == 31
