"""The activations Keras 3 added (celu ... threshold) and
keras.activations.deserialize: values against Keras 3.15 (fixtures of
make_funcs_fixtures.py), gradients on the tape against float64 central
differences, and their use by name in layers (training, configs)."""
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import activations
from seqcore.engine.tape import Tape, recording
from tests.fixtures.funcs_cases import ACTIVATIONS
from tests.numeric import central_difference

KERAS = np.load(pathlib.Path(__file__).parent / "fixtures" /
                "keras_funcs.npz")
NEW = ["celu", "glu", "hard_shrink", "hard_tanh", "log_sigmoid",
       "soft_shrink", "sparse_plus", "sparse_sigmoid", "sparsemax",
       "squareplus", "tanh_shrink", "threshold"]


def _kwargs(case):
    return {k: v for k, v in case[1].items() if k != "scale"}


@pytest.mark.parametrize("index", range(len(ACTIVATIONS)),
                         ids=[f"{i}-{c[0]}" for i, c in enumerate(ACTIVATIONS)])
def test_values_match_keras(index):
    name, _ = ACTIVATIONS[index]
    key = f"act/{index}/{name}"
    x = KERAS[key + "/x"]
    got = getattr(activations, name)(x, **_kwargs(ACTIVATIONS[index]))
    assert got.dtype == np.float32 and got.shape == KERAS[key + "/y"].shape
    np.testing.assert_allclose(got, KERAS[key + "/y"], rtol=1e-6,
                               atol=1e-6)


def _away_from_kinks(x, kinks):
    for k in kinks:
        x = np.where(np.abs(x - k) < 2e-3, x + 1e-2, x)
    return x


KINKS = {"hard_shrink": (0.5, -0.5, 1.2, -1.2), "soft_shrink": (
    0.5, -0.5, 0.9, -0.9), "hard_tanh": (1, -1), "sparse_plus": (1, -1),
    "sparse_sigmoid": (1, -1), "threshold": (0.3,), "celu": (0,)}


@pytest.mark.parametrize("index", range(len(ACTIVATIONS)),
                         ids=[f"{i}-{c[0]}" for i, c in enumerate(ACTIVATIONS)])
def test_gradient_matches_central_differences(index):
    name, _ = ACTIVATIONS[index]
    kwargs = _kwargs(ACTIVATIONS[index])
    fn = getattr(activations, name)
    x = np.random.default_rng(index).uniform(-2.5, 2.5, (4, 6))
    x = _away_from_kinks(x, KINKS.get(name, ()))
    r = np.random.default_rng(100 + index).normal(size=np.shape(
        fn(x, **kwargs)))
    tape = Tape("test")
    with recording(tape):
        traced = tape.watch(x)
        out = fn(traced, **kwargs)
    assert type(out).__name__ == "Traced", name
    got = tape.backward([(out.node, r)])[traced.node]
    want = central_difference(
        lambda: float(np.sum(fn(x, **kwargs) * r)), x)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_names_serialize_and_resolve():
    for name in NEW:
        fn = activations.get(name)
        assert fn is getattr(activations, name)
        assert activations.serialize(fn) == name
        assert activations.deserialize(name) is fn


def test_deserialize_forms_and_errors():
    assert activations.deserialize("relu") is activations.relu
    assert activations.deserialize({
        "module": "builtins", "class_name": "function", "config": "celu",
        "registered_name": "function"}) is activations.celu

    def mine(x):
        return x * 2

    assert activations.deserialize("mine", custom_objects={"mine": mine}) \
        is mine
    with pytest.raises(ValueError, match="nope"):
        activations.deserialize("nope")
    with pytest.raises(ValueError, match="expected a name or a dict"):
        activations.deserialize(3)


def test_glu_needs_an_even_axis():
    with pytest.raises(ValueError, match="even size, received 3"):
        activations.glu(np.ones((2, 3), np.float32))


@pytest.mark.parametrize("name", [n for n in NEW if n not in
                                  ("glu", "threshold")])
def test_dense_backward_through_the_activation(name):
    """Dense(activation=name): the layer's input gradient against central
    differences of the float64 forward pass."""
    layer = keras.layers.Dense(5, activation=name)
    x = np.random.default_rng(1).uniform(-1, 1, (4, 3)).astype(np.float32)
    layer.build(x.shape)
    w = layer.kernel.value.astype(np.float64)
    b = np.random.default_rng(2).uniform(-0.3, 0.3, 5)
    layer.bias.assign(b.astype(np.float32))
    z = x.astype(np.float64) @ w + b.astype(np.float32)
    z = _away_from_kinks(z, KINKS.get(name, ()))
    x = ((z - b.astype(np.float32)) @ np.linalg.pinv(w)).astype(np.float32)
    dy = np.random.default_rng(3).normal(size=(4, 5)).astype(np.float32)
    y = layer(x, training=True)
    fn = getattr(activations, name)
    z64 = x.astype(np.float64) @ w + b.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(y, fn(z64), rtol=1e-4, atol=1e-5)
    dx = layer.backward(dy)
    dz = central_difference(lambda: float(np.sum(fn(z64) * dy)), z64)
    np.testing.assert_allclose(dx, dz @ w.T, rtol=1e-3, atol=1e-4)


def test_layers_train_and_round_trip_with_new_activations():
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="celu"),
        keras.layers.Dense(8, activation="squareplus"),
        keras.layers.Activation("tanh_shrink"),
        keras.layers.Dense(1, activation="sparse_plus")])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = np.abs(x[:, :1]) + 0.5
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.3 * losses[0]
    config = model.get_config()
    names = [layer["config"]["activation"] for layer in config["layers"]
             if "activation" in layer["config"]]
    assert names == ["celu", "squareplus", "tanh_shrink", "sparse_plus"]
    clone = keras.Sequential.from_config(config)
    assert clone.layers[0].activation is activations.celu
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)
