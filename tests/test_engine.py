"""Models and layers as objects: naming, building, weights, trainable,
configs (checked against Keras 3's own), summary options, and the errors
bad arguments get."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from seqcore.saving import deserialize_keras_object, serialize_keras_object
from tests.fixtures.architectures import layer_zoo

KERAS_CONFIGS = json.loads((pathlib.Path(__file__).parent / "fixtures" /
                            "keras_layer_configs.json").read_text())
# Keys recent Keras versions add with a neutral value, which seqcore leaves
# out so that its configs also load in older Keras 3 releases.
NEWER_KERAS_KEYS = {"quantization_config"}


def normalized(obj):
    """Tuples as lists, as JSON stores them; newer-Keras-only keys dropped."""
    obj = json.loads(json.dumps(obj))

    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items()
                    if k not in NEWER_KERAS_KEYS}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o
    return strip(obj)


# ---- naming ----------------------------------------------------------------

def test_auto_names_are_unique_per_class():
    keras.utils.clear_session()
    assert [layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1",
                                                       "dense_2"]
    assert layers.MaxPooling2D().name == "max_pooling2d"
    assert layers.SimpleRNN(2).name == "simple_rnn"
    assert layers.GlobalAveragePooling1D().name == "global_average_pooling1d"
    assert keras.Sequential().name == "sequential"
    assert keras.Sequential().name == "sequential_1"


def test_duplicate_names_are_rejected():
    with pytest.raises(ValueError, match="Name 'a' is already the name"):
        keras.Sequential([layers.Dense(2, name="a"), layers.Dense(2, name="a")])
    inputs = keras.Input(shape=(3,))
    x = layers.Dense(2, name="b")(inputs)
    with pytest.raises(ValueError, match='"b" is used 2 times'):
        keras.Model(inputs, layers.Dense(2, name="b")(x))


# ---- Sequential mechanics -------------------------------------------------

def test_add_rejects_non_layers_and_second_input():
    model = keras.Sequential([keras.Input(shape=(3,))])
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        model.add("dense")
    with pytest.raises(ValueError, match="already been configured to use "
                                         r"input shape \(None, 3\)"):
        model.add(keras.Input(shape=(4,)))
    with pytest.raises(IndexError, match="no layers"):
        keras.Sequential().pop()


def test_pop_rebuilds_and_outputs_follow():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4),
                              layers.Dense(5)])
    assert model.output_shape == (None, 5)
    model.pop()
    assert model.output_shape == (None, 4)
    assert len(model.weights) == 2


def test_build_with_shape_and_conflicts():
    model = keras.Sequential([layers.Dense(4)])
    model.build((None, 7))
    assert model.input_shape == (None, 7) and model.built
    assert model.layers[0].kernel.shape == (7, 4)
    model2 = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="cannot build it with input_shape"):
        model2.build((None, 4))
    with pytest.raises(ValueError, match="has no layers"):
        keras.Sequential().build((None, 3))


def test_legacy_batch_input_shape_and_batch_size():
    with pytest.warns(UserWarning):
        model = keras.Sequential([layers.Dense(2, batch_input_shape=(8, 3))])
    assert model.input_shape == (8, 3)
    with pytest.warns(UserWarning):
        model = keras.Sequential([layers.Dense(2, input_shape=(3,),
                                               batch_size=4)])
    assert model.input_shape == (4, 3)
    with pytest.warns(UserWarning):
        model = keras.Sequential([layers.Dense(2, input_dim=5)])
    assert model.input_shape == (None, 5)


def test_get_layer():
    model = keras.Sequential([keras.Input(shape=(3,)),
                              layers.Dense(2, name="first"),
                              layers.Dense(1, name="second")])
    assert model.get_layer("second") is model.layers[1]
    assert model.get_layer(index=0).name == "first"
    with pytest.raises(ValueError, match="No such layer: third"):
        model.get_layer("third")
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=5)
    with pytest.raises(ValueError, match="only a layer name or a layer index"):
        model.get_layer("first", 0)


def test_nested_sequential_and_symbolic_attributes():
    inner = keras.Sequential([layers.Dense(4, activation="relu"),
                              layers.Dense(3)], name="inner")
    model = keras.Sequential([keras.Input(shape=(5,)), inner, layers.Dense(2)])
    assert inner.output.shape == (None, 3)
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    np.testing.assert_allclose(model(x), model.layers[1](inner(x)),
                               rtol=1e-6)
    assert len(model.weights) == 6
    assert model.inputs[0].shape == (None, 5)
    assert model.outputs[0].shape == (None, 2)
    assert model.layers[1].input.shape == (None, 3)
    with pytest.raises(AttributeError, match="never been called"):
        layers.Dense(2).output


def test_functional_graph_errors():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    out = layers.Dense(2)(b)
    with pytest.raises(ValueError, match="is not connected to `inputs`"):
        keras.Model(inputs=a, outputs=out)
    with pytest.raises(ValueError, match="must be symbolic tensors"):
        keras.Model(inputs=a, outputs=np.ones(3))


# ---- weights and trainable ---------------------------------------------

def test_set_weights_checks_count_and_shapes():
    layer = layers.Dense(3)
    layer.build((None, 2))
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"weight shape \(2, 3\) is not "
                                         r"compatible with provided weight "
                                         r"shape \(3, 2\)"):
        layer.set_weights([np.ones((3, 2)), np.ones(3)])
    layer.set_weights([np.full((2, 3), 2.0), np.arange(3.0)])
    np.testing.assert_array_equal(layer(np.ones((1, 2))), [[4, 5, 6]])


def test_trainable_moves_weights_between_lists():
    bn = layers.BatchNormalization()
    bn.build((None, 3))
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]
    bn.trainable = False
    assert bn.trainable_weights == []
    assert len(bn.non_trainable_weights) == 4
    bn.trainable = True
    assert len(bn.trainable_weights) == 2


def test_count_params_needs_a_build():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(2).count_params()


# ---- configs --------------------------------------------------------------

@pytest.mark.parametrize("name", list(KERAS_CONFIGS))
def test_layer_config_matches_keras(name):
    ours = {l.name: (l, s) for l, s in layer_zoo(keras)}[name]
    layer, shape = ours
    layer.build(shape)
    assert normalized(serialize_keras_object(layer)) == \
        normalized(KERAS_CONFIGS[name])


@pytest.mark.parametrize("name", list(KERAS_CONFIGS))
def test_keras_layer_config_loads(name):
    layer = deserialize_keras_object(KERAS_CONFIGS[name])
    assert layer.name == name and layer.built
    assert normalized(serialize_keras_object(layer)) == \
        normalized(KERAS_CONFIGS[name])


def test_sequential_config_round_trip():
    model = keras.Sequential([keras.Input(shape=(6, 2)),
                              layers.Conv1D(3, 2, activation="relu"),
                              layers.LSTM(4), layers.Dense(1)], name="seq")
    config = model.get_config()
    assert [l["class_name"] for l in config["layers"]] == [
        "InputLayer", "Conv1D", "LSTM", "Dense"]
    assert config["build_input_shape"] == (None, 6, 2)
    clone = keras.Sequential.from_config(config)
    assert clone.name == "seq" and clone.built
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(1).standard_normal((3, 6, 2)).astype(np.float32)
    np.testing.assert_array_equal(clone(x), model(x))


def test_unknown_and_lambda_classes_are_refused():
    with pytest.raises(ValueError, match="Unknown layer class 'Foo'"):
        deserialize_keras_object({"class_name": "Foo", "config": {}})
    # A Python lambda's bytecode would have to be executed: refused unless
    # safe_mode=False (tests/test_serialization_utils.py).
    with pytest.raises(ValueError, match="safe_mode=False"):
        deserialize_keras_object({"class_name": "Lambda", "config": {
            "name": "lambda", "function": {
                "class_name": "__lambda__",
                "config": {"code": "4wEAAAAA", "defaults": None,
                           "closure": None}}}})


def test_custom_layer_through_registration_and_custom_objects():
    @keras.register_keras_serializable(package="tests")
    class Doubler(layers.Layer):
        def call(self, inputs, training=None):
            return inputs * 2

        def compute_output_shape(self, input_shape):
            return input_shape

    config = serialize_keras_object(Doubler(name="doubler"))
    assert config["registered_name"] == "tests>Doubler"
    assert isinstance(deserialize_keras_object(config), Doubler)
    config["registered_name"] = None
    loaded = deserialize_keras_object(config, custom_objects={
        "Doubler": Doubler})
    np.testing.assert_array_equal(loaded(np.ones((1, 2))), [[2, 2]])


# ---- summary options ---------------------------------------------------------

def test_summary_options():
    model = keras.Sequential([keras.Input(shape=(3,)),
                              layers.Dense(2, name="frozen"),
                              layers.Dense(1)])
    model.layers[0].trainable = False
    lines = []
    model.summary(print_fn=lines.append, line_length=60, show_trainable=True)
    text = lines[0]
    assert all(len(line) <= 60 for line in text.splitlines())
    assert "Trainable" in text
    assert " Trainable params: 3 (12.00 B)" in text
    assert " Non-trainable params: 8 (32.00 B)" in text
    frozen_row = next(l for l in text.splitlines() if "frozen" in l)
    assert "│" in frozen_row and " N " in frozen_row
    with pytest.raises(ValueError, match="Insufficient console width"):
        model.summary(line_length=8)


def test_summary_positions_absolute():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    lines = []
    model.summary(print_fn=lines.append, positions=[30, 50, 65])
    assert max(len(l) for l in lines[0].splitlines()[1:-3]) == 65


# ---- the inference plan -----------------------------------------------------

def test_inference_plan_matches_the_checked_path_and_follows_changes():
    model = keras.Sequential([keras.Input(shape=(12,)),
                              layers.Dense(8, activation="relu"),
                              layers.Dropout(0.5),
                              layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(0).standard_normal((1, 12)).astype(np.float32)
    first = model(x)
    assert model._plan.inference is not None
    np.testing.assert_array_equal(model(x), first)
    # weights set in place are seen by the plan
    model.set_weights([w * 2 for w in model.get_weights()])
    fresh = keras.Sequential.from_config(model.get_config())
    fresh.set_weights(model.get_weights())
    np.testing.assert_array_equal(model(x), fresh(x))
    # editing the stack drops the plan
    model.add(layers.Dense(2))
    assert model._plan is None
    assert model(x).shape == (1, 2)
    # other shapes, dtypes and training calls take the checked path
    assert model(x.astype(np.float64)).shape == (1, 2)
    assert model(np.ones((4, 12), np.float32)).shape == (4, 2)
    with pytest.raises(ValueError, match="expected axis -1"):
        model(np.ones((1, 13), np.float32))
    y = model(np.ones((1, 12), np.float32), training=True)
    assert y.shape == (1, 2)


def test_no_plan_for_layers_without_a_lean_path():
    model = keras.Sequential([keras.Input(shape=(5, 5, 1)),
                              layers.Conv2D(2, 3), layers.Flatten(),
                              layers.Dense(2)])
    model(np.ones((1, 5, 5, 1), np.float32))
    assert model._plan.inference is None


def test_summary_layer_range_and_absolute_positions_with_trainable():
    model = keras.Sequential([keras.Input(shape=(3,)),
                              layers.Dense(2, name="first_dense"),
                              layers.Dense(2, name="second_dense"),
                              layers.Dense(1, name="head")])
    lines = []
    model.summary(print_fn=lines.append, layer_range=["second", "head"])
    assert "second_dense" in lines[0] and "head" in lines[0]
    assert "first_dense" not in lines[0]
    with pytest.raises(ValueError, match="do not match the layer names"):
        model.summary(layer_range=["nope", "head"])
    with pytest.raises(ValueError, match="two strings"):
        model.summary(layer_range=["head"])
    lines = []
    model.summary(print_fn=lines.append, positions=[30, 50, 65],
                  show_trainable=True)
    table = lines[0].splitlines()[1:-3]
    assert "Trainable" in lines[0]
    assert max(len(l) for l in table) == 77
