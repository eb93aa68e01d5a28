"""The Python snippets of the Sequential guides (shared/seeds/), with seqcore
in place of keras and numpy arrays in place of tf.ones: the same shapes,
parameter counts, layer lists and errors."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers


def summary_text(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


def row(text, name):
    """The summary row of layer `name`, as its cells."""
    for line in text.splitlines():
        if line.startswith("│ ") and line[2:].startswith(name + " "):
            return [cell.strip() for cell in line.strip("│").split("│")]
    raise AssertionError(f"no row for {name} in\n{text}")


def test_sequential_equals_the_chain_of_layers():
    model = keras.Sequential([
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ])
    x = np.ones((3, 3))
    y = model(x)
    assert y.shape == (3, 4)
    layer1, layer2, layer3 = model.layers
    np.testing.assert_array_equal(layer3(layer2(layer1(x))), y)


def test_layers_add_and_pop():
    model = keras.Sequential([layers.Dense(2, activation="relu"),
                              layers.Dense(3, activation="relu"),
                              layers.Dense(4)])
    assert len(model.layers) == 3
    assert all(isinstance(l, layers.Dense) for l in model.layers)
    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))
    model.pop()
    assert len(model.layers) == 2
    model = keras.Sequential(name="my_sequential")
    model.add(layers.Dense(2, activation="relu", name="layer1"))
    assert model.name == "my_sequential"
    assert model.layers[0].name == "layer1"


def test_layer_creates_weights_on_first_call():
    layer = layers.Dense(3)
    assert layer.weights == []
    layer(np.ones((1, 4)))
    assert [w.shape for w in layer.weights] == [(4, 3), (3,)]
    assert [w.path.split("/")[-1] for w in layer.weights] == ["kernel", "bias"]
    np.testing.assert_array_equal(layer.weights[1].numpy(), np.zeros(3))


def test_deferred_build_then_summary():
    model = keras.Sequential([layers.Dense(2, activation="relu"),
                              layers.Dense(3, activation="relu"),
                              layers.Dense(4)])
    with pytest.raises(ValueError, match="not yet been built.*model.build"):
        model.weights
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    model(np.ones((1, 4)))
    assert len(model.weights) == 6
    text = summary_text(model)
    assert text.startswith(f'Model: "{model.name}"')
    names = [l.name for l in model.layers]
    assert row(text, names[0])[1:] == ["(1, 2)", "10"]
    assert row(text, names[1])[1:] == ["(1, 3)", "9"]
    assert row(text, names[2])[1:] == ["(1, 4)", "16"]
    assert " Total params: 35 (140.00 B)" in text
    assert " Trainable params: 35 (140.00 B)" in text
    assert " Non-trainable params: 0 (0.00 B)" in text


def test_input_object_then_summary():
    model = keras.Sequential()
    model.add(keras.Input(shape=(4,)))
    model.add(layers.Dense(2, activation="relu"))
    text = summary_text(model)
    assert row(text, model.layers[0].name)[1:] == ["(None, 2)", "10"]
    assert " Total params: 10 (40.00 B)" in text
    assert len(model.layers) == 1 and isinstance(model.layers[0],
                                                 layers.Dense)


def test_input_shape_argument():
    model = keras.Sequential()
    with pytest.warns(UserWarning, match="input_shape"):
        model.add(layers.Dense(2, activation="relu", input_shape=(4,)))
    assert model.built and len(model.weights) == 2
    assert row(summary_text(model), model.layers[0].name)[1:] == \
        ["(None, 2)", "10"]


def test_debugging_workflow_conv_stack():
    model = keras.Sequential()
    model.add(keras.Input(shape=(250, 250, 3)))
    model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    text = summary_text(model)
    c0, c1, p0 = (l.name for l in model.layers)
    assert row(text, c0)[1:] == ["(None, 123, 123, 32)", "2,432"]
    assert row(text, c1)[1:] == ["(None, 121, 121, 32)", "9,248"]
    assert row(text, p0)[1:] == ["(None, 40, 40, 32)", "0"]
    assert " Total params: 11,680 (45.62 KB)" in text
    for _ in range(2):
        model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    for _ in range(2):
        model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    text = summary_text(model)
    assert row(text, model.layers[-1].name)[1:] == ["(None, 4, 4, 32)", "0"]
    assert " Total params: 48,672 (190.12 KB)" in text
    model.add(layers.GlobalMaxPooling2D())
    model.add(layers.Dense(10))
    assert model.count_params() == 49002
    assert " Total params: 49,002 (191.41 KB)" in summary_text(model)
    assert model(np.ones((1, 250, 250, 3))).shape == (1, 10)


def test_seed_variant_320_pixels():
    model = keras.Sequential()
    model.add(keras.Input(shape=(320, 320, 3)))
    model.add(layers.Conv2D(32, 4, strides=2, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    text = summary_text(model)
    assert row(text, model.layers[0].name)[1:] == \
        ["(None, 159, 159, 32)", "1,568"]
    assert row(text, model.layers[2].name)[1:] == ["(None, 52, 52, 32)", "0"]
    assert " Total params: 10,816 " in text


def test_feature_extraction_all_layers():
    initial_model = keras.Sequential([
        keras.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
    ])
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=[layer.output for layer in initial_model.layers])
    x = np.ones((1, 250, 250, 3))
    features = feature_extractor(x)
    assert [f.shape for f in features] == [(1, 123, 123, 32),
                                           (1, 121, 121, 32),
                                           (1, 119, 119, 32)]
    np.testing.assert_allclose(features[-1], initial_model(x), rtol=1e-6)


def test_feature_extraction_one_layer():
    initial_model = keras.Sequential([
        keras.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
        layers.Conv2D(32, 3, activation="relu"),
    ])
    feature_extractor = keras.Model(
        inputs=initial_model.inputs,
        outputs=initial_model.get_layer(name="my_intermediate_layer").output)
    features = feature_extractor(np.ones((1, 250, 250, 3)))
    assert features.shape == (1, 121, 121, 32)


def test_transfer_learning_freeze_all_but_last():
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(10),
    ])
    for layer in model.layers[:-1]:
        layer.trainable = False
    assert model.trainable_weights == model.layers[-1].weights
    assert len(model.non_trainable_weights) == 6


def test_transfer_learning_frozen_base_model():
    base_model = keras.Sequential([keras.Input(shape=(16,)),
                                   layers.Dense(8, activation="relu")],
                                  name="base")
    base_model.trainable = False
    model = keras.Sequential([base_model, layers.Dense(1000)])
    assert model.built
    assert [w.shape for w in model.trainable_weights] == [(8, 1000), (1000,)]
    assert [w.shape for w in model.non_trainable_weights] == [(16, 8), (8,)]
    assert model(np.ones((2, 16))).shape == (2, 1000)


def test_input_shape_must_be_a_tuple():
    # The seed's `keras.Input(shape=(784))` passes an int: Keras 3 rejects it.
    with pytest.raises(ValueError, match="Cannot convert '784' to a shape"):
        keras.Input(shape=(784))


def test_r_guide_model_with_dropout():
    model = keras.Sequential([
        layers.Dense(256, input_shape=(784,)), layers.Dropout(0.4),
        layers.Dense(128), layers.Dropout(0.3), layers.Dense(10)])
    text = summary_text(model)
    assert row(text, model.layers[0].name)[1:] == ["(None, 256)", "200,960"]
    assert row(text, model.layers[2].name)[1:] == ["(None, 128)", "32,896"]
    assert row(text, model.layers[4].name)[1:] == ["(None, 10)", "1,290"]
    assert " Total params: 235,146 " in text
