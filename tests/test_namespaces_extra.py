"""keras.ops.jvp, keras.utils.Config, keras.utils.legacy and
keras.saving.KerasFileEditor against Keras 3.15 (fixtures from
tests/fixtures/make_namespace_extra_fixtures.py) and numpy references."""
import json
import pathlib

import h5py
import numpy as np
import pytest

import seqcore as keras
from seqcore import ops

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
DATA = np.load(FIXTURES / "keras_namespace_extra.npz")


# ---- ops.jvp -------------------------------------------------------------------

def test_jvp_matches_keras():
    a = {k.split("/")[1]: DATA[k] for k in DATA.files
         if k.startswith("jvp/") and DATA[k].dtype == np.float32 and
         k.split("/")[1] in ("x", "w", "tx", "tw", "v", "tv")}
    p, t = ops.jvp(ops.sin, (0.1,), (0.2,))
    np.testing.assert_allclose([p, t], DATA["jvp/sin"], rtol=1e-6)

    p, t = ops.jvp(lambda x, w: ops.tanh(ops.matmul(x, w)),
                   (a["x"], a["w"]), (a["tx"], a["tw"]))
    np.testing.assert_allclose(p, DATA["jvp/layer_out"], rtol=1e-5)
    np.testing.assert_allclose(t, DATA["jvp/layer_tangent"], rtol=1e-4,
                               atol=1e-6)

    def with_aux(v):
        s = ops.sum(ops.square(v))
        return ops.softmax(v * s), s
    p, t, aux = ops.jvp(with_aux, (a["v"],), (a["tv"],), has_aux=True)
    np.testing.assert_allclose(p, DATA["jvp/aux_out"], rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(t, DATA["jvp/aux_tangent"], rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_allclose(aux, DATA["jvp/aux_aux"], rtol=1e-6)

    p, t = ops.jvp(lambda inp: {"a": ops.exp(inp["v"]) * 2.0,
                                "b": ops.mean(inp["v"] ** 3)},
                   ({"v": a["v"]},), ({"v": a["tv"]},))
    np.testing.assert_allclose(t["a"], DATA["jvp/dict_a"], rtol=1e-5)
    np.testing.assert_allclose(t["b"], DATA["jvp/dict_b"], rtol=1e-5)
    assert ops.linalg.jvp is ops.jvp


def test_jvp_against_float64_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 7)).astype(np.float64)
    tx = rng.normal(size=(2, 7)).astype(np.float64)

    def f(x):
        return ops.log_softmax(ops.sin(x) * x, axis=-1)
    _, t = ops.jvp(f, (x,), (tx,))
    h = 1e-6
    fd = (np.asarray(f(x + h * tx)) - np.asarray(f(x - h * tx))) / (2 * h)
    np.testing.assert_allclose(t, fd, rtol=1e-6, atol=1e-8)


def test_jvp_of_a_constant_output_is_zero_and_errors():
    _, t = ops.jvp(lambda x: ops.ones((2, 3)), (np.ones(3),),
                   (np.ones(3),))
    np.testing.assert_array_equal(t, np.zeros((2, 3)))
    with pytest.raises(TypeError, match="tuple or a list"):
        ops.jvp(ops.sin, np.ones(3), (np.ones(3),))
    with pytest.raises(ValueError, match="same length"):
        ops.jvp(ops.sin, (np.ones(3),), (np.ones(3), np.ones(3)))
    with pytest.raises(ValueError, match="tangent 0 has shape"):
        ops.jvp(ops.sin, (np.ones(3),), (np.ones(4),))
    with pytest.raises(ValueError, match="pair"):
        ops.jvp(ops.sin, (np.ones(3),), (np.ones(3),), has_aux=True)


def test_jvp_leaves_model_gradients_alone():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    kernel = layer.kernel
    kernel.grad = np.full(kernel.shape, 5.0, np.float32)
    ops.jvp(lambda x: ops.matmul(x, kernel), (np.ones((1, 3)),),
            (np.ones((1, 3)),))
    np.testing.assert_array_equal(kernel.grad, 5.0)


# ---- utils.Config ----------------------------------------------------------------

def test_config_as_keras():
    config = keras.utils.Config(learning_rate=0.1, momentum=0.9)
    config.use_ema = True
    config["seed"] = 123
    assert config.to_json() == str(DATA["config/json"])
    assert list(config) == list(DATA["config/keys"])
    assert config.learning_rate == 0.1 and config["seed"] == 123
    assert "seed" in config and len(config) == 4
    assert config.as_dict() == json.loads(config.to_json())
    config.freeze()
    assert config.frozen
    for change in (lambda: setattr(config, "foo", 1),
                   lambda: config.__setitem__("foo", 1),
                   lambda: config.pop("seed"),
                   lambda: config.update(a=1),
                   lambda: config.__delitem__("seed")):
        with pytest.raises(ValueError, match="frozen"):
            change()
    config.unfreeze()
    config.foo = 2
    assert config.get("foo") == 2 and config.get("bar", 7) == 7
    with pytest.raises(AttributeError, match="Did you mean 'momentum'"):
        config.momentun


# ---- utils.legacy ----------------------------------------------------------------

def test_legacy_serialization_as_keras():
    from seqcore.utils import legacy
    ours = legacy.serialize_keras_object(
        keras.initializers.RandomNormal(stddev=0.5, seed=3))
    assert ours == json.loads(str(DATA["legacy/initializer"]))
    assert legacy.serialize_keras_object(keras.activations.relu) == \
        json.loads(str(DATA["legacy/function"]))
    theirs = json.loads(str(DATA["legacy/dense"]))
    ours = legacy.serialize_keras_object(
        keras.layers.Dense(3, activation="relu", name="dense"))
    assert ours["class_name"] == theirs["class_name"] == "Dense"
    for key in ("name", "units", "activation", "use_bias", "trainable",
                "bias_initializer", "kernel_regularizer"):
        assert ours["config"][key] == theirs["config"][key], key
    # Keras's config deserializes here
    dense = legacy.deserialize_keras_object(
        theirs, module_objects={"Dense": keras.layers.Dense})
    assert dense.units == 3 and dense.get_config()["activation"] == "relu"
    init = legacy.deserialize_keras_object(
        json.loads(str(DATA["legacy/initializer"])),
        module_objects={"RandomNormal": keras.initializers.RandomNormal})
    assert init.get_config() == {"seed": 3, "mean": 0.0, "stddev": 0.5}
    assert legacy.deserialize_keras_object(
        "relu", module_objects={"relu": keras.activations.relu}) is \
        keras.activations.relu
    with pytest.raises(ValueError, match="Unknown layer: 'Nope'"):
        legacy.deserialize_keras_object({"class_name": "Nope", "config": {}},
                                        printable_module_name="layer")
    with pytest.raises(ValueError, match="Improper config format"):
        legacy.deserialize_keras_object({"config": {}})
    with pytest.raises(ValueError, match="doesn't implement"):
        legacy.serialize_keras_object(object())


# ---- saving.KerasFileEditor ------------------------------------------------------

def reference_model():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(5, activation="tanh")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2)(hidden))


def tree_of(path):
    found = {}
    with h5py.File(path, "r") as h5:
        h5.visititems(lambda name, obj: found.__setitem__(
            name, obj[()] if isinstance(obj, h5py.Dataset) else None))
    return found


def test_file_editor_edits_as_keras(tmp_path, capsys):
    editor = keras.saving.KerasFileEditor(FIXTURES / "keras_lso_adam.keras")
    assert editor.metadata["keras_version"] == "3.15.1"
    assert editor.config["class_name"] == "Functional"
    assert editor.weights_dict["layers"]["dense"]["0"].shape == (4, 5)
    assert editor.object_metadata["/layers/dense"] == {"name": "encoder"}
    model = reference_model()
    same = editor.compare(model)
    assert same["status"] == "error"     # the file also holds an optimizer
    assert same["error_count"] == DATA["editor/compare_same"][0]
    editor.delete_object("optimizer")
    editor.rename_object("dense_1", "dense_9")
    editor.add_weights("layers/dense", {"2": np.full((3,), 7.0, "float32")})
    editor.add_object("layers/extra", {"0": np.arange(6.0).reshape(2, 3)})
    editor.delete_weight("dense", "1")
    out = tmp_path / "edited.weights.h5"
    editor.save(out)
    ours, theirs = tree_of(out), tree_of(
        FIXTURES / "keras_file_editor_edited.weights.h5")
    assert sorted(ours) == sorted(theirs)
    for key, value in theirs.items():
        if value is not None:
            np.testing.assert_array_equal(ours[key], value)
    result = editor.compare(model)
    want = json.loads(str(DATA["editor/status"]))
    assert result["status"] == want["status"]
    assert result["error_count"] == want["error_count"]
    editor.summary()
    printed = capsys.readouterr().out
    assert "dense_9" in printed and "shape=(2, 3), dtype=float64" in printed


def test_file_editor_round_trip_and_errors(tmp_path):
    model = reference_model()
    model.compile(optimizer="adam", loss="mse")
    x = np.ones((4, 4), np.float32)
    model.fit(x, np.zeros((4, 2), np.float32), verbose=0)
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    editor = keras.saving.KerasFileEditor(path)
    assert editor.compare(model) == {"status": "success", "error_count": 0,
                                     "match_count": 4 + 2 + 8}
    again = tmp_path / "again.weights.h5"
    editor.resave_weights(again)
    other = reference_model()
    other.load_weights(again)
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="occurs more than once"):
        editor.rename_object("0", "x")     # every object has a "0"
    with pytest.raises(ValueError, match="does not appear"):
        editor.delete_object("nothing")
    with pytest.raises(ValueError, match="not found in model"):
        editor.delete_object("layers/nothing")
    with pytest.raises(ValueError, match="leaf name"):
        editor.rename_object("dense", "a/b")
    with pytest.raises(ValueError, match="Weight 7 not found"):
        editor.delete_weight("layers/dense", "7")
    with pytest.raises(ValueError, match="should be a dict"):
        editor.add_object("layers/x", [np.ones(2)])
    with pytest.raises(ValueError, match=r"expected a `\.weights\.h5`"):
        editor.save(tmp_path / "x.h5")
    with pytest.raises(ValueError, match="Invalid filename"):
        keras.saving.KerasFileEditor(tmp_path / "x.h5")
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot read"):
        keras.saving.KerasFileEditor(bad)


def test_keras_legacy_saving_is_utils_legacy():
    import seqcore
    from seqcore.legacy import saving
    from seqcore.utils import legacy
    assert saving.serialize_keras_object is legacy.serialize_keras_object
    config = saving.serialize_keras_object(seqcore.layers.Dense(3))
    assert config["class_name"] == "Dense" and "module" not in config
    assert saving.deserialize_keras_object(
        config, module_objects={"Dense": seqcore.layers.Dense}).units == 3
