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


def _probability_xent_reference(p, t, scale):
    """float64 numpy: Keras's clipped cross-entropy of probabilities and
    the softmax-input gradient p * sum(t) - t, rows times scale."""
    p, t = p.astype(np.float64), t.astype(np.float64)
    q = np.clip(p / p.sum(axis=1, keepdims=True), 1e-7, 1 - 1e-7)
    values = -np.sum(t * np.log(q), axis=1)
    dz = (p * t.sum(axis=1, keepdims=True) - t) * scale[:, np.newaxis]
    return values, dz


@pytest.mark.parametrize("n, c", [(1, 1), (1, 7), (7, 33), (33, 10),
                                  (5000, 33)])
def test_probability_cross_entropy_kernel(n, c, isa, threads):
    """Cross-entropy from a softmax layer's probabilities (fit's output
    head): values and gradient against float64 numpy, with labels and
    with probability targets, saturated rows clipped as Keras clips them,
    identical bits at 1 and 2 threads (5000 x 33 splits over threads)."""
    from seqcore import _kernels
    from tests.conftest import same_bits_with_threads
    rng = np.random.default_rng(n * 100 + c)
    p = rng.random((n, c)).astype(np.float32) + 1e-3
    p /= p.sum(axis=1, keepdims=True)
    p[0] = 0.0
    p[0, 0] = 1.0                       # saturated: q clipped at 1 - eps
    labels = rng.integers(0, c, n)
    if n > 1:
        labels[1] = 0 if c == 1 else c - 1
    targets = rng.random((n, c)).astype(np.float32)
    scale = rng.random(n).astype(np.float32)
    onehot = np.eye(c, dtype=np.float32)[labels]
    for kwargs, t in (({"labels": labels}, onehot),
                      ({"targets": targets}, targets)):
        values, dz = same_bits_with_threads(
            threads, lambda: list(_kernels.probability_cross_entropy(
                p, scale=scale, **kwargs)))
        want_values, want_dz = _probability_xent_reference(p, t, scale)
        np.testing.assert_allclose(values, want_values, rtol=2e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(dz, want_dz, rtol=1e-5, atol=1e-6)
    values, dz = _kernels.probability_cross_entropy(p, labels=labels)
    np.testing.assert_allclose(
        dz, _probability_xent_reference(p, onehot, np.ones(n))[1],
        rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=rf"labels must be in \[0, {c}\)"):
        _kernels.probability_cross_entropy(p, labels=labels + c)
    with pytest.raises(ValueError, match=r"targets must have shape"):
        _kernels.probability_cross_entropy(p, targets=targets[:, :0])


@pytest.mark.parametrize("loss_class, weighted", [
    ("SparseCategoricalCrossentropy", False),
    ("SparseCategoricalCrossentropy", True),
    ("CategoricalCrossentropy", True)])
def test_fused_softmax_head_matches_general_path(loss_class, weighted):
    """fit's fused gradient of softmax + cross-entropy (the kernel above)
    gives the loss value and, through the softmax's Jacobian, the
    gradient that the loss's general path gives for the probabilities."""
    from seqcore.losses.fused import fused_output_gradient
    rng = np.random.default_rng(5)
    z = rng.standard_normal((9, 6))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    labels = rng.integers(0, 6, 9)
    y = labels if loss_class.startswith("Sparse") else \
        np.eye(6, dtype=np.float32)[labels]
    sample_weight = rng.random(9) if weighted else None
    loss = getattr(losses, loss_class)()
    value, dz = fused_output_gradient(loss, "softmax", y,
                                      p.astype(np.float32), sample_weight)
    np.testing.assert_allclose(value, loss(y, p, sample_weight=sample_weight),
                               rtol=1e-5)
    dp = loss.gradient(y, p, sample_weight)
    want = p * (dp - np.sum(dp * p, axis=1, keepdims=True))
    np.testing.assert_allclose(dz, want, rtol=1e-4, atol=1e-7)
    if loss_class.startswith("Sparse"):   # the general path raises
        assert fused_output_gradient(loss, "softmax", labels + 6,
                                     p.astype(np.float32)) is None
