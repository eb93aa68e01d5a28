"""The issue-16 convolution and pooling layers against Keras 3 fixtures
(tests/fixtures/make_conv_fixtures.py): forward outputs at 1e-5 with
Keras's weights, compute_output_shape, get_config keys and values, the
weight shapes and order, a config round trip, and a Keras .keras model of
these layers loaded and run."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests.fixtures.conv_cases import CASES, MODELS

HERE = pathlib.Path(__file__).resolve().parent / "fixtures"
FIXTURES = np.load(HERE / "keras_convs.npz")
CONFIGS = json.loads((HERE / "keras_conv_configs.json").read_text())
IDS = [case[0] for case in CASES]


def _layer(case):
    name, class_name, kwargs, shape = case
    layer = getattr(layers, class_name)(**kwargs)
    layer.build(shape)
    weights = [FIXTURES[f"{name}/w{i}"] for i in range(len(layer.weights))]
    assert f"{name}/w{len(weights)}" not in FIXTURES
    layer.set_weights(weights)
    return layer


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_matches_keras(case):
    layer = _layer(case)
    x = FIXTURES[f"{case[0]}/x"]
    y = layer(x)
    expected = FIXTURES[f"{case[0]}/y"]
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_training_forward_matches_inference(case):
    layer = _layer(case)
    x = FIXTURES[f"{case[0]}/x"]
    np.testing.assert_allclose(layer(x, training=True), layer(x),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_output_shape_matches_keras(case):
    name, class_name, kwargs, shape = case
    layer = getattr(layers, class_name)(**kwargs)
    expected = tuple(None if s < 0 else int(s)
                     for s in FIXTURES[f"{name}/out_shape"])
    assert tuple(layer.compute_output_shape((None,) + shape[1:])) == \
        expected


def _plain(value):
    return json.loads(json.dumps(value))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_matches_keras(case):
    name, class_name, kwargs, shape = case
    keras_config = CONFIGS[name]
    config = _plain(_layer(case).get_config())
    assert set(config) == set(keras_config)
    for key, value in keras_config.items():
        if key in ("name", "dtype"):
            continue
        if isinstance(value, dict):
            assert config[key]["class_name"] == value["class_name"], key
        else:
            assert config[key] == value, key


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_from_config_round_trip(case):
    layer = _layer(case)
    clone = layer.__class__.from_config(layer.get_config())
    clone.build(case[3])
    clone.set_weights(layer.get_weights())
    x = FIXTURES[f"{case[0]}/x"]
    np.testing.assert_array_equal(clone(x), layer(x))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_model_file_loads_and_matches(name):
    model = keras.saving.load_model(HERE / "saved" / f"{name}.keras")
    arrays = np.load(HERE / "saved" / f"{name}.npz")
    expected = [layer.__class__.__name__
                for layer in MODELS[name][1](layers)]
    assert [layer.__class__.__name__ for layer in model.layers] == expected
    np.testing.assert_allclose(model.predict(arrays["x"], verbose=0),
                               arrays["y"], rtol=1e-5, atol=1e-5)
