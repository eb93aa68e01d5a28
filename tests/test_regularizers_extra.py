"""OrthogonalRegularizer (keras.regularizers.orthogonal_regularizer) and
keras.regularizers.deserialize: value and gradient against Keras 3.15
(make_funcs_fixtures.py), the gradient against float64 central
differences, configs, errors, and training with it."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import regularizers
from tests.numeric import central_difference

HERE = pathlib.Path(__file__).parent / "fixtures"
KERAS = np.load(HERE / "keras_funcs.npz")
CONFIGS = json.loads((HERE / "keras_funcs.json").read_text())


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_value_and_gradient_match_keras(mode):
    reg = regularizers.OrthogonalRegularizer(factor=0.3, mode=mode)
    w = KERAS["reg/w"]
    assert reg(w) == pytest.approx(float(KERAS[f"reg/{mode}"]), rel=1e-6)
    assert reg(KERAS["reg/w_zero_row"]) == pytest.approx(
        float(KERAS[f"reg/{mode}/zero_row"]), rel=1e-6)
    grad = reg.gradient(w)
    assert grad.dtype == np.float32 and grad.shape == w.shape
    np.testing.assert_allclose(grad, KERAS[f"reg/{mode}/grad"], rtol=1e-5,
                               atol=1e-8)


@pytest.mark.parametrize("mode", ["rows", "columns"])
@pytest.mark.parametrize("shape", [(5, 3), (3, 6)])
def test_gradient_matches_central_differences(mode, shape):
    reg = regularizers.orthogonal_regularizer(factor=0.7, mode=mode)
    w = np.random.default_rng(sum(shape)).normal(size=shape)
    want = central_difference(lambda: reg(w), w)
    np.testing.assert_allclose(reg.gradient(w), want, rtol=1e-6,
                               atol=1e-9)


def test_gradient_of_a_row_below_epsilon():
    """A row of norm below epsilon is divided by epsilon, a constant."""
    reg = regularizers.OrthogonalRegularizer(factor=1.0)
    w = np.random.default_rng(0).normal(size=(4, 3))
    w[1] = 1e-9
    got = reg.gradient(w)
    tiny = w[1]      # a view: perturbed in place, by steps below its norm
    want_tiny = central_difference(lambda: reg(w), tiny, eps=1e-11)
    np.testing.assert_allclose(got[1], want_tiny, rtol=1e-4)
    rest = w[[0, 2, 3]].copy()

    def rest_penalty():
        full = w.copy()
        full[[0, 2, 3]] = rest
        return reg(full)

    want_rest = central_difference(rest_penalty, rest)
    np.testing.assert_allclose(got[[0, 2, 3]], want_rest, rtol=1e-6,
                               atol=1e-9)


def test_orthogonal_rows_cost_nothing():
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(5, 5)))
    assert regularizers.OrthogonalRegularizer(1.0)(q[:3]) == \
        pytest.approx(0.0, abs=1e-7)
    same = np.ones((3, 4))
    # every pair has |cos| = 1: factor * 0.5 * 6 / 3
    assert regularizers.OrthogonalRegularizer(0.2)(same) == \
        pytest.approx(0.2)


def test_configs_and_deserialize_match_keras():
    assert regularizers.serialize(regularizers.orthogonal_regularizer()) \
        == CONFIGS["reg"]["default"]
    assert regularizers.serialize(regularizers.OrthogonalRegularizer(
        0.2, "columns")) == CONFIGS["reg"]["columns"]
    again = regularizers.deserialize(CONFIGS["reg"]["columns"])
    assert type(again) is regularizers.OrthogonalRegularizer
    assert again.get_config() == CONFIGS["reg"]["columns"]["config"]
    assert type(regularizers.deserialize("orthogonal_regularizer")) is \
        regularizers.OrthogonalRegularizer
    assert type(regularizers.deserialize("l2")) is regularizers.L2
    with pytest.raises(ValueError, match="nope"):
        regularizers.deserialize("nope")


def test_errors():
    with pytest.raises(ValueError, match="factor"):
        regularizers.OrthogonalRegularizer(factor=-1.0)
    with pytest.raises(ValueError, match="Received: mode=diag"):
        regularizers.OrthogonalRegularizer(mode="diag")
    with pytest.raises(ValueError, match="must have rank 2"):
        regularizers.OrthogonalRegularizer()(np.ones((2, 3, 4)))


def test_training_makes_kernel_columns_orthogonal():
    """A Dense kernel under a strong columns penalty and no data loss
    signal to speak of: fit lowers the penalty."""
    reg = regularizers.OrthogonalRegularizer(factor=5.0, mode="columns")
    model = keras.Sequential([
        keras.Input((6,)),
        keras.layers.Dense(4, kernel_regularizer=reg)])
    model.layers[0].kernel.assign(
        (np.ones((6, 4)) + 0.1 * np.random.default_rng(0).normal(
            size=(6, 4))).astype(np.float32))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    before = reg(model.layers[0].kernel.value)
    x = np.zeros((16, 6), np.float32)
    model.fit(x, np.zeros((16, 4), np.float32), epochs=30, verbose=0)
    after = reg(model.layers[0].kernel.value)
    assert after < 0.5 * before
    config = model.layers[0].get_config()["kernel_regularizer"]
    assert config["class_name"] == "OrthogonalRegularizer"
