"""keras.constraints: the projections against numpy and Keras 3
(tests/fixtures/keras_names.*, made by make_names_fixtures.py), their
serialization, and their application after every optimizer step."""
import json
import os
import sys

import numpy as np
import pytest

import seqcore as keras
from seqcore import constraints

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "fixtures"))
import names_cases as cases  # noqa: E402

with open(os.path.join(HERE, "fixtures", "keras_names.json")) as f:
    FIXTURE = json.load(f)
ARRAYS = np.load(os.path.join(HERE, "fixtures", "keras_names.npz"))


def _norms(w, axis):
    axis = tuple(axis) if isinstance(axis, list) else axis
    return np.sqrt((w.astype(np.float64) ** 2).sum(axis=axis, keepdims=True))


def test_max_norm_against_numpy_over_filter_axes():
    w = cases.constraint_weight((3, 3, 2, 4), 7)
    out = constraints.MaxNorm(1.0, axis=[0, 1, 2])(w)
    norms = _norms(w, [0, 1, 2])
    want = w * (np.minimum(norms, 1.0) / (1e-7 + norms))
    np.testing.assert_allclose(out, want, rtol=1e-5)
    per_filter = _norms(out, [0, 1, 2]).reshape(-1)
    assert np.all(per_filter <= 1.0 + 1e-5)
    # a slice already within the bound is left as it is
    small = np.full((4, 2), 0.1, np.float32)
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(small), small,
                               rtol=1e-5)


def test_unit_norm_min_max_norm_non_neg_against_numpy():
    w = cases.constraint_weight((5, 4), 3)
    n0 = _norms(w, 0)
    np.testing.assert_allclose(constraints.UnitNorm()(w), w / (1e-7 + n0),
                               rtol=1e-5)
    desired = 0.25 * np.clip(n0, 1.0, 1.5) + 0.75 * n0
    np.testing.assert_allclose(
        constraints.MinMaxNorm(1.0, 1.5, rate=0.25)(w),
        w * desired / (1e-7 + n0), rtol=1e-5)
    np.testing.assert_array_equal(constraints.NonNeg()(w), np.maximum(w, 0))
    np.testing.assert_array_equal(constraints.Constraint()(w), w)


@pytest.mark.parametrize("case", cases.CONSTRAINT_CASES, ids=lambda c: c[0])
def test_against_keras(case):
    name, cls, config, shape = case
    constraint = getattr(constraints, cls)(**config)
    out = constraint(cases.constraint_weight(shape, len(name)))
    np.testing.assert_allclose(out, ARRAYS[f"constraint_{name}"], rtol=1e-5,
                               atol=1e-6)
    assert constraints.serialize(constraint) == FIXTURE["constraints"][name]
    again = constraints.deserialize(constraints.serialize(constraint))
    assert type(again) is type(constraint)
    assert again.get_config() == constraint.get_config()


def test_get_names_aliases_and_errors():
    assert constraints.max_norm is constraints.MaxNorm
    assert constraints.min_max_norm is constraints.MinMaxNorm
    assert constraints.non_neg is constraints.NonNeg
    assert constraints.unit_norm is constraints.UnitNorm
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert isinstance(constraints.get("NonNeg"), constraints.NonNeg)
    assert constraints.get(None) is None
    fn = lambda w: w  # noqa: E731
    assert constraints.get(fn) is fn
    with pytest.raises(ValueError, match="constraint"):
        constraints.get("no_such_constraint")


def test_layers_store_and_serialize_their_constraints():
    layer = keras.layers.Dense(3, kernel_constraint="max_norm",
                               bias_constraint=constraints.NonNeg())
    layer.build((None, 4))
    assert isinstance(layer.kernel.constraint, constraints.MaxNorm)
    assert isinstance(layer.bias.constraint, constraints.NonNeg)
    config = layer.get_config()
    assert config["kernel_constraint"] == {
        "module": "keras.constraints", "class_name": "MaxNorm",
        "config": {"max_value": 2, "axis": 0}, "registered_name": None}
    rebuilt = keras.layers.Dense.from_config(config)
    assert isinstance(rebuilt.kernel_constraint, constraints.MaxNorm)
    # Keras's config of the same kind of layer
    want = FIXTURE["training"]["dense_layer_config"]["kernel_constraint"]
    model = cases.conv_model(keras)
    assert model.layers[-1].get_config()["kernel_constraint"] == want


def _train_dense():
    x, y, _, _ = cases.training_data()
    model = cases.dense_model(keras)
    model.set_weights(cases.initial_weights(model, 1))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return model


def test_sgd_training_applies_constraints_like_keras():
    model = _train_dense()
    weights = model.get_weights()
    for i, w in enumerate(weights):
        np.testing.assert_allclose(w, ARRAYS[f"dense_trained_{i}"],
                                   atol=1e-4)
    assert np.all(_norms(weights[0], 0) <= 0.8 + 1e-5)
    assert np.all(weights[1] >= 0)
    np.testing.assert_allclose(_norms(weights[2], 0), 1.0, rtol=1e-5)


def test_adam_conv_training_applies_constraints_like_keras():
    _, _, images, labels = cases.training_data()
    model = cases.conv_model(keras)
    model.set_weights(cases.initial_weights(model, 2))
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True))
    model.fit(images, labels, batch_size=4, epochs=2, shuffle=False,
              verbose=0)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ARRAYS[f"conv_trained_{i}"],
                                   atol=1e-4)


def test_without_the_constraint_the_weights_differ():
    """The fixture is only matched because the constraint is applied."""
    model = _train_dense()
    for layer in model.layers:
        for v in layer.weights:
            v.constraint = None
    x, y, _, _ = cases.training_data()
    model.set_weights(cases.initial_weights(model, 1))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert not np.allclose(model.get_weights()[0], ARRAYS["dense_trained_0"],
                           atol=1e-4)


def test_apply_gradients_projects_the_variable():
    layer = keras.layers.Dense(2, kernel_constraint=constraints.NonNeg(),
                               use_bias=False)
    layer.build((None, 2))
    layer.kernel.assign(np.full((2, 2), 0.5, np.float32))
    opt = keras.optimizers.SGD(1.0)
    opt.apply_gradients([(np.array([[1.0, 0.0], [0.0, 1.0]], np.float32),
                          layer.kernel)])
    np.testing.assert_allclose(layer.kernel.numpy(),
                               [[0.0, 0.5], [0.5, 0.0]])


def test_keras_file_round_trip_keeps_the_constraint(tmp_path):
    model = _train_dense()
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    kernel = loaded.layers[0].kernel
    assert isinstance(kernel.constraint, constraints.MaxNorm)
    assert kernel.constraint.max_value == 0.8
    assert isinstance(loaded.layers[1].kernel.constraint,
                      constraints.UnitNorm)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_custom_constraint_subclass():
    class Clip(keras.constraints.Constraint):
        def __call__(self, w):
            return keras.ops.clip(w, -0.1, 0.1)

    layer = keras.layers.Dense(2, kernel_constraint=Clip(), use_bias=False)
    layer.build((None, 3))
    layer.kernel.assign(np.full((3, 2), 0.5, np.float32))
    grad = np.ones((3, 2), np.float32)
    grad[0, 0] = 0.45          # 0.5 - 0.45 = 0.05 is inside the bounds
    keras.optimizers.SGD(1.0).apply_gradients([(grad, layer.kernel)])
    want = np.full((3, 2), -0.1, np.float32)
    want[0, 0] = 0.05
    np.testing.assert_allclose(layer.kernel.numpy(), want, rtol=1e-5)
