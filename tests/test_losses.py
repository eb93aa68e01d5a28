"""Losses: values against Keras 3 (fixtures from make_keras_fixtures.py),
gradients against float64 central finite differences, lookup and errors."""
import pathlib

import numpy as np
import pytest

from seqcore import losses
from tests.fixtures.loss_cases import CASES, SAMPLE_WEIGHT, make

KERAS = np.load(pathlib.Path(__file__).parent / "fixtures" /
                "keras_losses.npz")


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_match_keras(case, reduction):
    name, class_name, options, true_kind, pred_kind = case
    y_true, y_pred = make(true_kind, 1), make(pred_kind, 2)
    loss = getattr(losses, class_name)(reduction=reduction, **options)
    np.testing.assert_allclose(loss(y_true, y_pred),
                               KERAS[f"{name}/{reduction}"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        loss(y_true, y_pred, sample_weight=SAMPLE_WEIGHT),
        KERAS[f"{name}/{reduction}/weighted"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(case, weighted):
    name, class_name, options, true_kind, pred_kind = case
    y_true, y_pred = make(true_kind, 1), make(pred_kind, 2)
    sw = SAMPLE_WEIGHT if weighted else None
    loss = getattr(losses, class_name)(**options)
    grad = loss.gradient(y_true, y_pred, sample_weight=sw)
    assert grad.shape == y_pred.shape
    step = 1e-6
    numeric = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        up, down = y_pred.copy(), y_pred.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (loss(y_true, up, sw) - loss(y_true, down, sw)) / \
            (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-6)


def test_mean_with_sample_weight_and_sum_gradients():
    y_true, y_pred = make("real", 1), make("real", 2)
    for reduction in ("sum", "mean_with_sample_weight"):
        loss = losses.MeanSquaredError(reduction=reduction)
        value = loss(y_true, y_pred, sample_weight=SAMPLE_WEIGHT)
        per_sample = losses.mean_squared_error(y_true, y_pred) * SAMPLE_WEIGHT
        want = per_sample.sum() if reduction == "sum" else \
            per_sample.sum() / SAMPLE_WEIGHT.sum()
        np.testing.assert_allclose(value, want, rtol=1e-12)
        grad = loss.gradient(y_true, y_pred, sample_weight=SAMPLE_WEIGHT)
        scale = 1.0 if reduction == "sum" else 1.0 / SAMPLE_WEIGHT.sum()
        np.testing.assert_allclose(
            grad, 2 * (y_pred - y_true) / y_pred.shape[1] *
            SAMPLE_WEIGHT[:, None] * scale, rtol=1e-12)


def test_get_resolves_names_classes_and_functions():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("categorical_crossentropy") is \
        losses.categorical_crossentropy
    assert isinstance(losses.get("BinaryCrossentropy"),
                      losses.BinaryCrossentropy)
    config = {"class_name": "Huber", "config": {"delta": 2.0}}
    assert losses.get(config).get_config()["delta"] == 2.0
    assert isinstance(losses.as_loss("mae"), losses.MeanAbsoluteError)
    custom = lambda t, p: np.mean(p - t, axis=-1)  # noqa: E731
    assert losses.get(custom) is custom
    with pytest.raises(ValueError, match="Could not interpret loss "
                                         "identifier: 'mean_squarred_error'"):
        losses.get("mean_squarred_error")


def test_bad_arguments():
    with pytest.raises(ValueError, match="must have the same shape"):
        losses.mean_squared_error(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="Invalid value for argument "
                                         "`reduction`"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match="class index 5 is out of range for "
                                         "5 classes"):
        losses.sparse_categorical_crossentropy(np.array([5]),
                                               np.ones((1, 5)) / 5)
    with pytest.raises(ValueError, match="integer class indices"):
        losses.sparse_categorical_crossentropy(np.array([0.5]),
                                               np.ones((1, 5)) / 5)
    with pytest.raises(TypeError, match="unexpected keyword argument "
                                        "'from_logits'"):
        losses.MeanSquaredError(from_logits=True)


def test_fused_softmax_cross_entropy_kernel(threads):
    """The float32 from_logits gradient runs on the C kernel: it matches the
    float64 formula and gives identical bits at 1 and 2 threads."""
    from seqcore import _kernels
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((5000, 33)).astype(np.float32)
    labels = rng.integers(0, 33, 5000)
    onehot = np.eye(33, dtype=np.float32)[labels]
    for loss in (losses.CategoricalCrossentropy(from_logits=True,
                                                label_smoothing=0.1),
                 losses.SparseCategoricalCrossentropy(from_logits=True)):
        y_true = labels if isinstance(
            loss, losses.SparseCategoricalCrossentropy) else onehot
        threads(1)
        one = loss.gradient(y_true, logits)
        threads(2)
        two = loss.gradient(y_true, logits)
        np.testing.assert_array_equal(one, two)
        want = loss.gradient(y_true.astype(np.float64),
                             logits.astype(np.float64))
        np.testing.assert_allclose(one, want, rtol=1e-4, atol=1e-9)
    values, _ = _kernels.softmax_cross_entropy(logits, labels=labels)
    np.testing.assert_allclose(
        values, losses.sparse_categorical_crossentropy(
            labels, logits.astype(np.float64), from_logits=True),
        rtol=1e-5)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 33\)"):
        _kernels.softmax_cross_entropy(logits, labels=labels + 1)
    with pytest.raises(ValueError, match="give targets or labels"):
        _kernels.softmax_cross_entropy(logits)
