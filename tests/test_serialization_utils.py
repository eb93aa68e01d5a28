"""keras.saving / keras.utils serialization utilities, load_model's
custom_objects / safe_mode / compile, to_json, get_config round trips and
clone_model, against Keras 3 (fixtures from
tests/fixtures/make_serialization_fixtures.py)."""
import json
import pathlib
import sys
import warnings

import numpy as np
import pytest

import seqcore
import seqcore as keras
from seqcore import layers
from seqcore.saving import object_registration
from tests.fixtures import serialization_cases as cases

HERE = pathlib.Path(__file__).resolve().parent / "fixtures"
DATA = json.loads((HERE / "keras_serialization.json").read_text())
ARRAYS = np.load(HERE / "keras_serialization.npz")
# Keys of newer Keras releases that seqcore does not write.
NEWER_KERAS_KEYS = {"quantization_config"}
# Keras 3.15's Huber.get_config drops `delta` (so Keras cannot round-trip
# it); seqcore keeps it.
SEQCORE_EXTRA_KEYS = {"loss_huber": {"delta"}}


def _plain(obj):
    return json.loads(json.dumps(obj))


def _strip(obj, extra=()):
    if isinstance(obj, dict):
        return {k: _strip(v, extra) for k, v in obj.items()
                if k not in NEWER_KERAS_KEYS and k not in extra}
    if isinstance(obj, list):
        return [_strip(v, extra) for v in obj]
    return obj


def assert_same(ours, want, path="config"):
    """Equal structures; floats to float32 precision (Keras stores an
    optimizer's learning rate as a float32 variable)."""
    if isinstance(want, dict):
        assert isinstance(ours, dict), path
        assert sorted(ours) == sorted(want), (path, sorted(ours),
                                              sorted(want))
        for key in want:
            assert_same(ours[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert isinstance(ours, list) and len(ours) == len(want), path
        for i, (a, b) in enumerate(zip(ours, want)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert ours == pytest.approx(want, rel=1e-6), path
    else:
        assert ours == want, (path, ours, want)


@pytest.fixture(autouse=True)
def _registered():
    cases.custom_objects(seqcore)
    yield
    keras.config._SETTINGS["unsafe_deserialization"] = False
    object_registration.reset_scope()


# ---- serialize_keras_object / deserialize_keras_object -------------------------

@pytest.mark.parametrize("name", sorted(cases.OBJECTS))
def test_serialize_keras_object_matches_keras(name):
    ours = _plain(keras.saving.serialize_keras_object(
        cases.OBJECTS[name](seqcore)))
    extra = SEQCORE_EXTRA_KEYS.get(name, ())
    assert_same(_strip(ours, extra), _strip(DATA["objects"][name]))


@pytest.mark.parametrize("name", sorted(cases.OBJECTS))
def test_keras_serialized_object_deserializes(name):
    obj = keras.utils.deserialize_keras_object(DATA["objects"][name])
    again = _plain(keras.utils.serialize_keras_object(obj))
    extra = SEQCORE_EXTRA_KEYS.get(name, ())
    # Keras's build_config builds the layer again.
    assert_same(_strip(again, extra), _strip(DATA["objects"][name]))


def test_deserialized_objects_are_seqcore_objects():
    get = keras.saving.deserialize_keras_object
    objects = DATA["objects"]
    assert get(objects["activation_relu"]) is keras.activations.relu
    assert get(objects["loss_function_mse"]) is \
        keras.losses.mean_squared_error
    scale_cls, double = cases.custom_objects(seqcore)
    scale = get(objects["custom_layer"])
    assert type(scale) is scale_cls and scale.factor == 3.0
    np.testing.assert_array_equal(scale(np.ones((1, 2), np.float32)),
                                  [[3.0, 3.0]])
    assert get(objects["custom_function"]) is double
    adam = get(objects["optimizer_adam"])
    assert type(adam) is keras.optimizers.Adam
    assert float(adam.learning_rate) == pytest.approx(0.01, rel=1e-6)
    dense = get(objects["dense_built"])
    assert dense.built and dense.kernel.shape == (4, 3)
    assert get(objects["plain_dict"])["act"] is keras.activations.tanh
    assert get(objects["plain_list"]) == [1, "a", None, 2.5]
    assert get(None) is None and get("relu") == "relu"


def test_plain_values_and_numpy():
    s = keras.saving.serialize_keras_object
    assert s((1, 2)) == (1, 2)
    assert s(np.float32(0.5)) == 0.5
    packed = s(np.arange(3, dtype=np.int32))
    assert packed == {"class_name": "__numpy__",
                      "config": {"value": [0, 1, 2], "dtype": "int32"}}
    back = keras.saving.deserialize_keras_object(packed)
    assert back.dtype == np.int32 and back.tolist() == [0, 1, 2]
    assert keras.saving.deserialize_keras_object(s(slice(1, None, 2))) == \
        slice(1, None, 2)
    with pytest.raises(TypeError, match="get_config"):
        s(object())


def test_unknown_names_are_clear_errors():
    with pytest.raises(TypeError, match="Could not locate function 'nope'"):
        keras.saving.deserialize_keras_object(
            {"module": "builtins", "class_name": "function", "config": "nope",
             "registered_name": "function"})
    with pytest.raises(ValueError, match="Unknown layer class 'Nope'"):
        keras.saving.deserialize_keras_object(
            {"module": "keras.layers", "class_name": "Nope", "config": {},
             "registered_name": None})


# ---- registration and custom-object scopes ---------------------------------------------

def test_register_keras_serializable_names():
    @keras.saving.register_keras_serializable(package="Pkg", name="Named")
    class Thing(layers.Layer):
        pass

    @keras.utils.register_keras_serializable()
    def cube(x):
        return x ** 3

    assert keras.saving.get_registered_name(Thing) == "Pkg>Named"
    assert keras.utils.get_registered_name(cube) == "Custom>cube"
    assert keras.saving.get_registered_object("Pkg>Named") is Thing
    assert keras.saving.get_custom_objects()["Custom>cube"] is cube
    assert keras.utils.get_custom_objects() is \
        keras.saving.get_custom_objects()
    # Unregistered objects are known by their own name.
    assert keras.saving.get_registered_name(layers.Dense) == "Dense"
    assert keras.saving.get_registered_object("Pkg>Missing") is None
    assert keras.saving.get_registered_object(
        "x", custom_objects={"x": cube}) is cube
    config = keras.saving.serialize_keras_object(Thing(name="t"))
    assert config["registered_name"] == "Pkg>Named"
    assert config["module"] == __name__
    assert type(keras.saving.deserialize_keras_object(config)) is Thing

    class NoConfig:
        pass
    with pytest.raises(ValueError, match="get_config"):
        keras.saving.register_keras_serializable()(NoConfig)


class Unregistered(layers.Layer):
    def __init__(self, shift=1.0, **kwargs):
        super().__init__(**kwargs)
        self.shift = shift

    def call(self, inputs):
        return inputs + self.shift

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "shift": self.shift}


def test_custom_object_scope_is_temporary_and_nests():
    config = keras.saving.serialize_keras_object(Unregistered(shift=4.0))
    assert config["registered_name"] == "Unregistered"
    with pytest.raises(ValueError, match="Unknown layer class"):
        keras.saving.deserialize_keras_object(config)
    assert keras.utils.custom_object_scope is keras.saving.CustomObjectScope
    with keras.utils.custom_object_scope({"Unregistered": Unregistered}):
        layer = keras.saving.deserialize_keras_object(config)
        assert "Unregistered" not in keras.saving.get_custom_objects()
        with keras.saving.custom_object_scope({"other": len}):
            assert keras.saving.get_registered_object("other") is len
            assert keras.saving.get_registered_object("Unregistered") is None
        assert keras.saving.get_registered_object("Unregistered") is \
            Unregistered
    assert layer.shift == 4.0
    with pytest.raises(TypeError):
        keras.saving.deserialize_keras_object(config)


def test_clear_session_resets_names_scope_and_unsafe_mode():
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"
    with keras.saving.custom_object_scope({"Unregistered": Unregistered}):
        keras.config.enable_unsafe_deserialization()
        assert object_registration.in_safe_mode() is False
        keras.backend.clear_session()
        assert keras.saving.get_registered_object("Unregistered") is None
        assert object_registration.in_safe_mode() is None
    assert layers.Dense(1).name == "dense"
    # Registered objects stay.
    assert keras.saving.get_registered_object(
        f"{cases.CUSTOM_PACKAGE}>Scale") is not None


# ---- load_model: custom_objects, safe_mode, compile -------------------------------

def _custom_model():
    x = keras.Input((3,))
    return keras.Model(x, layers.Dense(2)(Unregistered(shift=0.5)(x)))


def test_load_model_custom_objects_and_scope(tmp_path):
    model = _custom_model()
    path = str(tmp_path / "custom.keras")
    model.save(path)
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    with pytest.raises(ValueError, match="Unknown layer class 'Unregistered'"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(
        path, custom_objects={"Unregistered": Unregistered})
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               model.predict(x, verbose=0), atol=1e-6)
    with keras.saving.custom_object_scope({"Unregistered": Unregistered}):
        scoped = keras.saving.load_model(path)
    assert type(scoped.layers[1]) is Unregistered


def test_keras_lambda_file_needs_safe_mode_off():
    path = HERE / "saved" / "serialization_lambda.keras"
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)
    if list(sys.version_info[:2]) != DATA["python"]:
        pytest.skip(f"the lambda was marshalled by Python {DATA['python']}")
    model = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(model.predict(ARRAYS["lambda/x"], verbose=0),
                               ARRAYS["lambda/keras"], rtol=1e-5, atol=1e-6)
    keras.config.enable_unsafe_deserialization()
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(ARRAYS["lambda/x"], verbose=0),
                               ARRAYS["lambda/keras"], rtol=1e-5, atol=1e-6)
    keras.backend.clear_session()
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)


def test_seqcore_lambda_round_trip(tmp_path):
    offset = 3.0
    x = keras.Input((2,))
    model = keras.Model(x, layers.Lambda(lambda t: t * offset - 1.0)(x))
    path = str(tmp_path / "lam.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.saving.load_model(path)
    loaded = keras.saving.load_model(path, safe_mode=False)
    data = np.array([[1.0, -2.0]], np.float32)
    np.testing.assert_allclose(loaded.predict(data, verbose=0),
                               [[2.0, -7.0]])


def test_deserialize_lambda_value():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = keras.saving.serialize_keras_object(lambda v: v + 5)
    assert any("lambda" in str(w.message) for w in caught)
    assert config["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.saving.deserialize_keras_object(config)
    fn = keras.saving.deserialize_keras_object(config, safe_mode=False)
    assert fn(2) == 7


def test_load_model_compile_false(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02),
                  loss="mse", metrics=["mae"])
    path = str(tmp_path / "compiled.keras")
    model.save(path)
    compiled = keras.models.load_model(path)
    assert type(compiled.optimizer) is keras.optimizers.Adam
    assert float(compiled.optimizer.learning_rate) == pytest.approx(0.02)
    bare = keras.models.load_model(path, compile=False)
    assert getattr(bare, "optimizer", None) is None
    np.testing.assert_array_equal(bare.get_weights()[0],
                                  model.get_weights()[0])


# ---- to_json / model_from_json ----------------------------------------------------------

def _weights(name):
    count = len([k for k in ARRAYS.files if k.startswith(f"{name}/weight_")])
    return [ARRAYS[f"{name}/weight_{i}"] for i in range(count)]


@pytest.mark.parametrize("name", sorted(cases.JSON_MODELS))
def test_keras_json_read_by_seqcore(name):
    model = keras.models.model_from_json(DATA["keras_json"][name])
    model.set_weights(_weights(name))
    np.testing.assert_allclose(model.predict(ARRAYS[f"{name}/x"], verbose=0),
                               ARRAYS[f"{name}/keras"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(cases.JSON_MODELS))
def test_seqcore_json_is_what_keras_read(name):
    keras.backend.clear_session()
    ours = cases.JSON_MODELS[name][0](seqcore)
    assert json.loads(ours.to_json()) == \
        json.loads(DATA["seqcore_json"][name])
    ours.set_weights(_weights(name))
    np.testing.assert_allclose(
        ours.predict(ARRAYS[f"{name}/x"], verbose=0),
        ARRAYS[f"{name}/keras_reads_seqcore"], rtol=1e-5, atol=1e-5)


def test_to_json_keeps_compile_settings():
    model = cases.sequential_model(seqcore)
    model.compile(optimizer="sgd", loss="mse")
    config = json.loads(model.to_json())
    assert config["compile_config"]["loss"] == "mse"
    again = keras.models.model_from_json(model.to_json())
    assert type(again.optimizer) is keras.optimizers.SGD


@pytest.mark.parametrize("name", sorted(cases.JSON_MODELS))
def test_get_config_from_config_round_trip(name):
    model = cases.JSON_MODELS[name][0](seqcore)
    cls = type(model)
    rebuilt = cls.from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config()
    rebuilt.set_weights(model.get_weights())
    x = cases.rng(9).standard_normal(cases.JSON_MODELS[name][1]).astype(
        np.float32)
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0),
                               model.predict(x, verbose=0), atol=1e-6)
    fresh = keras.Model.from_config(model.get_config()) \
        if cls is not keras.Sequential else None
    if fresh is not None:
        assert fresh.get_config() == model.get_config()


# ---- clone_model -------------------------------------------------------------------------

def _ids(model):
    return {id(w) for w in model.weights}


@pytest.mark.parametrize("name", sorted(cases.JSON_MODELS))
def test_clone_has_new_weights_and_same_function(name):
    model = cases.JSON_MODELS[name][0](seqcore)
    clone = keras.models.clone_model(model)
    assert type(clone) is type(model)
    assert clone.get_config() == model.get_config()
    assert not _ids(clone) & _ids(model)
    x = cases.rng(10).standard_normal(cases.JSON_MODELS[name][1]).astype(
        np.float32)
    before = clone.predict(x, verbose=0)
    assert not np.allclose(before, model.predict(x, verbose=0))
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_clone_keeps_shared_layers_shared():
    x = keras.Input((3,))
    shared = layers.Dense(3, name="shared")
    y = layers.Add()([shared(x), shared(shared(x))])
    model = keras.Model(x, y)
    clone = keras.models.clone_model(model)
    assert len(clone.weights) == 2
    assert len([l for l in clone.layers if l.name == "shared"]) == 1
    clone.set_weights(model.get_weights())
    data = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(clone.predict(data, verbose=0),
                               model.predict(data, verbose=0), atol=1e-6)


def test_clone_function_call_function_and_input_tensors():
    model = cases.nested_model(seqcore)
    keep = keras.models.clone_model(model, clone_function=lambda layer: layer)
    assert _ids(keep) == _ids(model)
    seen = []

    def rename(layer):
        config = layer.get_config()
        config["name"] = "copy_" + config["name"]
        return layer.__class__.from_config(config)
    renamed = keras.models.clone_model(model, clone_function=rename)
    assert [l.name for l in renamed.layers[1:]] == ["copy_inner",
                                                    "copy_outer_dense"]

    def call(layer, *args, **kwargs):
        seen.append(layer.name)
        return layer(*args, **kwargs)
    deep = keras.models.clone_model(model, clone_function=rename,
                                    call_function=call, recursive=True)
    assert seen == ["inner", "copy_outer_dense"]
    assert deep.layers[1].layers[0].name == "copy_inner_dense"
    assert not _ids(deep) & _ids(model)
    new_input = keras.Input((4,), name="other")
    on_input = keras.models.clone_model(model, input_tensors=new_input)
    assert on_input.inputs[0] is new_input
    seq = cases.sequential_model(seqcore)
    seq_input = keras.Input((5,), name="seq_in")
    seq_clone = keras.models.clone_model(seq, input_tensors=[seq_input])
    assert seq_clone.inputs[0] is seq_input


def test_clone_errors():
    seq = cases.sequential_model(seqcore)
    with pytest.raises(ValueError, match="call_function"):
        keras.models.clone_model(seq, call_function=lambda l, *a: l(*a))
    with pytest.raises(ValueError, match="callable"):
        keras.models.clone_model(seq, clone_function=3)
    with pytest.raises(ValueError, match="KerasTensor"):
        keras.models.clone_model(cases.functional_model(seqcore),
                                 input_tensors=[np.ones((1, 6))])
    with pytest.raises(ValueError, match="same structure"):
        keras.models.clone_model(cases.functional_model(seqcore),
                                 input_tensors=[keras.Input((6,)),
                                                keras.Input((6,))])


class Subclassed(keras.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units)

    def call(self, inputs):
        return self.dense(inputs)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_clone_subclassed_model_from_config():
    model = Subclassed(units=4, name="sub")
    data = np.ones((2, 3), np.float32)
    model(data)
    clone = keras.models.clone_model(model)
    assert type(clone) is Subclassed and clone.units == 4
    assert clone.name == "sub"
    clone(data)
    assert not _ids(clone) & _ids(model)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone(data), model(data))
    with pytest.raises(ValueError, match="only supported"):
        keras.models.clone_model(model, clone_function=lambda l: l)


def test_clone_of_compiled_model_is_compiled_alike():
    model = cases.sequential_model(seqcore)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.3),
                  loss="mse")
    clone = keras.models.clone_model(model)
    assert type(clone.optimizer) is keras.optimizers.SGD
    assert clone.optimizer is not model.optimizer
    assert float(clone.optimizer.learning_rate) == pytest.approx(0.3)


# ---- plot_model / model_to_dot -------------------------------------------------------

def _plot_model():
    inner = keras.Sequential([keras.Input((4,)),
                              layers.Dense(4, activation="relu", name="in_d")],
                             name="inner_seq")
    x = keras.Input((4,), name="px")
    y = layers.Dense(2, name="head")(inner(x))
    return keras.Model(x, y, name="plotted")


def test_model_graph_structure():
    from seqcore.utils.model_visualization import model_graph
    model = _plot_model()
    flat = model_graph(model)
    names = [layer.name for _, layer, _ in flat["nodes"]]
    assert names == ["px", "inner_seq", "head"]
    ids = {layer.name: node_id for node_id, layer, _ in flat["nodes"]}
    assert flat["edges"] == [(ids["px"], ids["inner_seq"]),
                             (ids["inner_seq"], ids["head"])]
    nested = model_graph(model, expand_nested=True, show_shapes=True,
                         show_layer_activations=True, show_trainable=True)
    sub = nested["subgraphs"][0]
    assert sub["name"] == "inner_seq"
    inner_dense = sub["nodes"][0][1]
    assert nested["edges"] == [(ids["px"], str(id(inner_dense))),
                               (str(id(inner_dense)), ids["head"])]
    label = sub["nodes"][0][2]
    assert "Activation: <b>relu</b>" in label
    assert "Input shape: <b>(None, 4)</b>" in label
    assert "Trainable" in label


def test_plot_model_without_pydot_is_a_clear_error(monkeypatch, tmp_path):
    from seqcore.utils import model_visualization
    monkeypatch.setattr(model_visualization, "_import_pydot", lambda: None)
    model = _plot_model()
    with pytest.raises(ImportError, match="pip install pydot"):
        keras.utils.plot_model(model, to_file=str(tmp_path / "m.png"))
    with pytest.raises(ImportError, match="pip install pydot"):
        keras.utils.model_to_dot(model)
    assert not (tmp_path / "m.png").exists()


def test_plot_model_without_graphviz_is_a_clear_error(monkeypatch, tmp_path):
    from seqcore.utils import model_visualization
    monkeypatch.setattr(model_visualization, "check_pydot", lambda: True)
    monkeypatch.setattr(model_visualization, "check_graphviz", lambda: False)
    with pytest.raises(ImportError, match="install graphviz"):
        keras.utils.plot_model(_plot_model(), to_file=str(tmp_path / "m.png"))


def test_plot_model_refuses_unbuilt_models_and_unknown_options():
    with pytest.raises(ValueError, match="not yet been built"):
        keras.utils.plot_model(keras.Sequential([layers.Dense(2)]))
    pytest.importorskip("pydot")
    with pytest.raises(ValueError, match="layer_range"):
        keras.utils.model_to_dot(_plot_model(), layer_range=["a", "b"])


def test_model_to_dot_with_pydot():
    pytest.importorskip("pydot")
    model = _plot_model()
    dot = keras.utils.model_to_dot(model, show_shapes=True, rankdir="LR",
                                   expand_nested=True, dpi=96)
    assert dot.get("rankdir") == "LR" and dot.get("dpi") == 96
    assert len(dot.get_edges()) == 2
    assert [s.get_name() for s in dot.get_subgraphs()] == \
        ["cluster_inner_seq"]
    text = dot.to_string()
    assert "Output shape: <b>(None, 2)</b>" in text and "head" in text


def test_plot_model_draws_a_file(tmp_path):
    from seqcore.utils.model_visualization import check_graphviz
    if not check_graphviz():
        pytest.skip("pydot and graphviz's `dot` are not installed")
    target = tmp_path / "model.svg"
    keras.utils.plot_model(_plot_model(), to_file=str(target),
                           show_shapes=True)
    assert target.read_text().lstrip().startswith(("<?xml", "<svg"))
