"""keras.config.set_image_data_format: every layer with a `data_format`
argument resolves None to the setting at construction and records it in
its config; channels_first models match Keras 3 (fixtures from
tests/fixtures/make_serialization_fixtures.py) and match channels_last
models with the same weights on transposed inputs."""
import inspect
import pathlib

import numpy as np
import pytest

import seqcore
import seqcore as keras
from seqcore import layers
from tests.fixtures import serialization_cases as cases

HERE = pathlib.Path(__file__).resolve().parent / "fixtures"
ARRAYS = np.load(HERE / "keras_serialization.npz")


@pytest.fixture
def channels_first():
    keras.config.set_image_data_format("channels_first")
    yield
    keras.config.set_image_data_format("channels_last")


def _weights(name):
    count = len([k for k in ARRAYS.files if k.startswith(f"{name}/weight_")])
    return [ARRAYS[f"{name}/weight_{i}"] for i in range(count)]


def _layers_with_data_format(model):
    return [l for l in model.layers if hasattr(l, "data_format")]


@pytest.mark.parametrize("name", sorted(cases.DATA_FORMAT_MODELS))
def test_channels_first_model_matches_keras(name, channels_first):
    build, _ = cases.DATA_FORMAT_MODELS[name]
    model = build(seqcore, 1)
    found = _layers_with_data_format(model)
    assert len(found) >= 3
    for layer in found:
        assert layer.data_format == "channels_first", layer.name
        assert layer.get_config()["data_format"] == "channels_first"
    model.set_weights(_weights(name))
    np.testing.assert_allclose(model.predict(ARRAYS[f"{name}/x"], verbose=0),
                               ARRAYS[f"{name}/keras"], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", sorted(cases.DATA_FORMAT_MODELS))
def test_channels_first_equals_channels_last_on_transposed_input(name):
    build, _ = cases.DATA_FORMAT_MODELS[name]
    last = build(seqcore, -1)
    assert all(l.data_format == "channels_last"
               for l in _layers_with_data_format(last))
    last.set_weights(_weights(name))
    x = ARRAYS[f"{name}/x"]
    np.testing.assert_allclose(
        last.predict(cases.channels_last(x), verbose=0),
        ARRAYS[f"{name}/keras"], rtol=1e-4, atol=1e-4)
    keras.config.set_image_data_format("channels_first")
    try:
        first = build(seqcore, 1)
    finally:
        keras.config.set_image_data_format("channels_last")
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(first.predict(x, verbose=0),
                               last.predict(cases.channels_last(x),
                                            verbose=0),
                               rtol=1e-5, atol=1e-5)


def test_setting_is_read_at_construction_and_configs_keep_it():
    before = layers.Conv2D(2, 3)
    keras.config.set_image_data_format("channels_first")
    try:
        after = layers.Conv2D(2, 3)
        explicit = layers.Conv2D(2, 3, data_format="channels_last")
        restored = layers.Conv2D.from_config(before.get_config())
        norm = layers.BatchNormalization()
        assert keras.backend.image_data_format() == "channels_first"
    finally:
        keras.config.set_image_data_format("channels_last")
    assert before.data_format == "channels_last"
    assert after.data_format == "channels_first"
    assert explicit.data_format == "channels_last"
    assert restored.data_format == "channels_last"
    assert norm.axis == -1 or norm.axis == [-1]
    # The config recorded the value: it survives the setting's change.
    again = layers.Conv2D.from_config(after.get_config())
    assert again.data_format == "channels_first"


def test_bad_values_are_clear_errors():
    with pytest.raises(ValueError, match="data_format=.channels_middle."):
        keras.config.set_image_data_format("channels_middle")
    assert keras.config.image_data_format() == "channels_last"
    with pytest.raises(ValueError, match="MaxPooling2D: .*Received: "
                                         "data_format='NCHW'"):
        layers.MaxPooling2D(data_format="NCHW")
    assert keras.config.standardize_data_format("Channels_First") == \
        "channels_first"


# Required constructor arguments of the layers that take data_format.
REQUIRED = {"filters": 2, "kernel_size": 2, "rate": 0.25, "height": 4,
            "width": 4, "factor": 0.1, "height_factor": 0.1,
            "width_factor": 0.1, "padding": 1, "cropping": 1, "size": 2,
            "pool_size": 2, "scale": 1.0, "offset": 0.0, "value_range": (0, 1),
            "output_size": 2}
# Where a class needs another value than REQUIRED's.
REQUIRED_FOR = {"RandomPosterization": {"factor": 4}}   # bits in [1, 8]


def _data_format_layer_classes():
    found = []
    for name in sorted(dir(layers)):
        cls = getattr(layers, name)
        if not isinstance(cls, type) or not issubclass(cls, layers.Layer):
            continue
        try:
            params = inspect.signature(cls.__init__).parameters
        except (TypeError, ValueError):
            continue
        if "data_format" in params:
            found.append(cls)
    return found


def _construct(cls):
    params = inspect.signature(cls.__init__).parameters
    kwargs = {}
    for p in list(params.values())[1:]:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or \
                p.default is not p.empty:
            continue
        assert p.name in REQUIRED, \
            f"add a value for {cls.__name__}'s argument {p.name!r}"
        kwargs[p.name] = REQUIRED_FOR.get(cls.__name__, {}).get(
            p.name, REQUIRED[p.name])
    return cls(**kwargs)


def test_every_layer_with_data_format_follows_the_setting(channels_first):
    classes = _data_format_layer_classes()
    names = {cls.__name__ for cls in classes}
    # The families the issue names are all there.
    assert {"Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose",
            "SeparableConv2D", "DepthwiseConv2D", "MaxPooling2D",
            "AveragePooling1D", "GlobalAveragePooling2D", "UpSampling2D",
            "ZeroPadding2D", "Cropping2D", "Flatten"} <= names
    for cls in classes:
        layer = _construct(cls)
        assert layer.data_format == "channels_first", cls.__name__
        config = layer.get_config()
        assert config.get("data_format", "channels_first") == \
            "channels_first", cls.__name__
