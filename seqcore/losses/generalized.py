"""Categorical generalized cross-entropy (Zhang & Sabuncu, 2018), as
Keras 3 computes it: (1 - p**q) / q with p the predicted probability of the
true class; hand-written gradient."""
import numpy as np

from seqcore.losses.base import float_pred
from seqcore.losses.declare import loss_class


def _true_class(y_true, y_pred):
    p = float_pred(y_pred)
    labels = np.asarray(y_true)
    if labels.ndim == p.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != p.shape[:-1]:
        raise ValueError(
            f"categorical_generalized_cross_entropy: y_true must hold one "
            f"integer class index per sample, shape {p.shape[:-1]}; "
            f"received {labels.shape}")
    labels = labels.astype(np.int64)
    classes = p.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(
            f"categorical_generalized_cross_entropy: class index {bad} is "
            f"out of range for {classes} classes")
    one_hot = np.eye(classes, dtype=p.dtype)[labels]
    return p, one_hot, np.sum(p * one_hot, axis=-1)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Generalized cross-entropy per sample.

    Args:
        y_true: integer class indices `(batch,)` or `(batch, 1)`.
        y_pred: class probabilities `(batch, classes)`.
        q: the noise parameter in (0, 1).

    Returns:
        Array `(batch,)`.
    """
    _, _, prob = _true_class(y_true, y_pred)
    return (1.0 - np.power(prob, q)) / q


def _generalized_vjp(y_true, y_pred, scale, q):
    p, one_hot, prob = _true_class(y_true, y_pred)
    with np.errstate(divide="ignore"):
        d_prob = -np.power(prob, q - 1.0)
    return one_hot * (d_prob * np.asarray(scale))[..., np.newaxis]


def _check_q(q):
    if not 0 < q < 1:
        raise ValueError(
            f"q must be in the interval (0, 1), received q={q}")


CategoricalGeneralizedCrossEntropy = loss_class(
    "CategoricalGeneralizedCrossEntropy",
    categorical_generalized_cross_entropy, _generalized_vjp,
    "categorical_generalized_cross_entropy", (("q", 0.5),),
    name="categorical_generalized_cross_entropy", vjp=True, check=_check_q,
    module=__name__,
    doc="Generalized cross-entropy "
        "(keras.losses.CategoricalGeneralizedCrossEntropy); hand-written "
        "gradient.")
