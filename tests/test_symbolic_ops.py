"""keras.ops applied to symbolic tensors between the layers of a
functional model (seqcore/engine/symbolic_ops.py): nodes named, saved,
loaded, summarised and trained as Keras 3 does. References from
tests/fixtures/make_symbolic_ops_fixtures.py."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers, ops
from tests.fixtures import symbolic_ops_cases as cases

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
RECORD = json.loads((FIXTURES / "keras_symbolic_ops.json").read_text())
ARRAYS = np.load(FIXTURES / "keras_symbolic_ops.npz")


def _reference(model, a, b):
    mix = model.get_layer("mix")
    kernel, bias = mix.get_weights()
    y = np.concatenate([a.reshape(-1, 6, 4).transpose(0, 2, 1), b], -1)
    z = (y @ kernel + bias).mean(1)
    top = -np.sort(-z, axis=-1)[:, :2]
    gated = np.where(z > 0, z, 0.1 * z)
    return top, (gated - z)[:, np.newaxis]


def test_ops_on_symbolic_tensors_compute_as_numpy():
    model = cases.ops_model(keras)
    a, b = cases.inputs(np)
    got = model.predict([a, b], verbose=0)
    for g, want in zip(got, _reference(model, a, b)):
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)
    assert [l.name for l in model.layers] == RECORD["layers"]


def test_saved_config_matches_keras():
    keras.backend.clear_session()
    ours = json.loads(cases.ops_model(keras).to_json())["config"]["layers"]
    theirs = RECORD["config"]["config"]["layers"]

    def key(entry):
        return (entry["module"], entry["class_name"], entry["name"],
                json.dumps(entry["config"], sort_keys=True)
                if entry["module"].startswith("keras.src.ops") else "",
                json.dumps(entry["inbound_nodes"], sort_keys=True))
    assert sorted(map(key, ours)) == sorted(map(key, theirs))


def test_summary_matches_keras(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    keras.backend.clear_session()
    lines = []
    cases.ops_model(keras).summary(print_fn=lines.append)
    assert lines[0].rstrip() == RECORD["summary"].rstrip()


def test_keras_saved_model_loads_and_predicts_the_same(tmp_path):
    model = keras.saving.load_model(FIXTURES / "saved" / "symbolic_ops.keras")
    top, diff = model.predict([ARRAYS["a"], ARRAYS["b"]], verbose=0)
    np.testing.assert_allclose(top, ARRAYS["top"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(diff, ARRAYS["diff"], rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "again.keras")
    again = keras.saving.load_model(tmp_path / "again.keras")
    np.testing.assert_array_equal(
        again.predict([ARRAYS["a"], ARRAYS["b"]], verbose=0)[1], diff)


def _layers_model():
    inputs = keras.Input((4, 6))
    x = layers.Dense(6, name="first")(inputs)
    x = layers.Reshape((6, 4))(x)
    x = layers.Permute((2, 1))(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(3, name="last")(x))


def _ops_model():
    inputs = keras.Input((4, 6))
    x = layers.Dense(6, name="first")(inputs)
    x = ops.transpose(ops.reshape(x, (-1, 6, 4)), axes=(0, 2, 1))
    x = ops.reshape(x, (-1, 24))
    return keras.Model(inputs, layers.Dense(3, name="last")(x))


def test_training_through_op_nodes_matches_the_layer_version():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 4, 6)).astype("float32")
    y = rng.normal(size=(8, 3)).astype("float32")
    a, b = _layers_model(), _ops_model()
    b.set_weights(a.get_weights())
    for model in (a, b):
        model.compile(keras.optimizers.SGD(0.1), "mse")
        model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-7)


def test_metadata_ops_answer_without_nodes():
    inputs = keras.Input((None, 3))
    assert ops.shape(inputs) == (None, None, 3)
    assert ops.convert_to_tensor(inputs) is inputs
    assert ops.dtype(inputs) == "float32"
    # an unknown axis stays unknown through an op
    assert ops.sum(inputs, axis=-1).shape == (None, None)
    with pytest.raises(TypeError, match="symbolic"):
        ops.convert_to_numpy(inputs)


# Keras writes these three with its own defaults where seqcore leaves the
# argument out (Max's `initial`, Pad's `constant_values`) or unresolved
# (OneHot's dtype None for float32); both files load in both libraries.
_DEFAULTS_DIFFER = {"Max", "OneHot", "Pad"}


def _op_entries(layers_config):
    return sorted(
        json.dumps({k: e[k] for k in ("module", "class_name", "config",
                                      "inbound_nodes")}, sort_keys=True)
        for e in layers_config if e["module"].startswith("keras.src.ops")
        and e["class_name"] not in _DEFAULTS_DIFFER)


def test_many_ops_compute_and_save_as_keras(tmp_path):
    keras.backend.clear_session()
    model = cases.many_ops_model(keras, np)
    outputs = model.predict(cases.many_ops_inputs(np), verbose=0)
    assert len(outputs) == len([f for f in ARRAYS.files
                                if f.startswith("many_")])
    for i, out in enumerate(outputs):
        np.testing.assert_allclose(out, ARRAYS[f"many_{i}"], rtol=1e-5,
                                   atol=1e-5, err_msg=f"output {i}")
    ours = json.loads(model.to_json())["config"]["layers"]
    assert _op_entries(ours) == _op_entries(RECORD["many_layers"])


def test_keras_file_with_many_ops_loads():
    model = keras.saving.load_model(FIXTURES / "saved" /
                                    "symbolic_ops_many.keras")
    for i, out in enumerate(model.predict(cases.many_ops_inputs(np),
                                          verbose=0)):
        np.testing.assert_allclose(out, ARRAYS[f"many_{i}"], rtol=1e-5,
                                   atol=1e-5, err_msg=f"output {i}")


def test_symbolic_tensor_operators():
    inputs = keras.Input((3,))
    with pytest.raises(TypeError, match="boolean"):
        bool(inputs > 0)
    model = keras.Model(inputs, [ops.cast((inputs >= 1) | (inputs < -1),
                                          "float32"), 2.0 ** inputs,
                                 abs(inputs) % 2.0, ~(inputs > 0)])
    x = np.array([[-2.0, 0.5, 3.0]], np.float32)
    a, b, c, d = model.predict(x, verbose=0)
    np.testing.assert_array_equal(a, [[1.0, 0.0, 1.0]])
    np.testing.assert_allclose(b, 2.0 ** x, rtol=1e-6)
    np.testing.assert_allclose(c, np.abs(x) % 2.0)
    np.testing.assert_array_equal(d, ~(x > 0))
