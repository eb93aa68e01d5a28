"""Image-segmentation losses: Dice and Tversky, as Keras 3 computes them,
with hand-written gradients.

dice:    1 - 2*sum(t*y) / (sum(t) + sum(y) + eps)
tversky: 1 - I / (I + alpha*FP + beta*FN + eps), I = sum(t*y),
         FP = sum((1-y)*t), FN = sum(y*(1-t))   (Keras's naming)

The sums run over `axis` (None: every axis, one scalar for the batch;
a tuple such as (1, 2, 3): one value per sample).
"""
import numpy as np

from seqcore.losses.base import (EPSILON, expand_reduced, keras_align,
                                 same_shape)
from seqcore.losses.declare import loss_class


def _inputs(name, y_true, y_pred):
    t, p = keras_align(y_true, y_pred)
    t = t.astype(p.dtype, copy=False)
    same_shape(name, t, p)
    return t, p


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def dice(y_true, y_pred, axis=None):
    """Dice loss.

    Args:
        y_true: targets in [0, 1], any shape.
        y_pred: predictions, y_true's shape.
        axis: the axes the sums run over (None: all).

    Returns:
        A scalar for axis=None, else an array without `axis`.
    """
    t, p = _inputs("dice", y_true, y_pred)
    axis = _axis(axis)
    inter = np.sum(t * p, axis=axis)
    return 1.0 - 2.0 * inter / (np.sum(t, axis=axis) + np.sum(p, axis=axis)
                                + EPSILON)


def _dice_vjp(y_true, y_pred, scale, axis=None):
    t, p = _inputs("dice", y_true, y_pred)
    axis = _axis(axis)
    inter = expand_reduced(np.sum(t * p, axis=axis), axis, p.ndim)
    denom = expand_reduced(np.sum(t, axis=axis) + np.sum(p, axis=axis) +
                           EPSILON, axis, p.ndim)
    scale = expand_reduced(np.asarray(scale), axis, p.ndim)
    return -2.0 * (t * denom - inter) / np.square(denom) * scale


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss (alpha weighs Keras's FP term, beta its FN term).

    Args:
        y_true: targets in [0, 1], any shape.
        y_pred: predictions, y_true's shape.
        alpha, beta: the weights of the two error terms.
        axis: the axes the sums run over (None: all).

    Returns:
        A scalar for axis=None, else an array without `axis`.
    """
    t, p = _inputs("tversky", y_true, y_pred)
    axis = _axis(axis)
    inter = np.sum(t * p, axis=axis)
    fp = np.sum((1.0 - p) * t, axis=axis)
    fn = np.sum(p * (1.0 - t), axis=axis)
    return 1.0 - inter / (inter + fp * alpha + fn * beta + EPSILON)


def _tversky_vjp(y_true, y_pred, scale, alpha=0.5, beta=0.5, axis=None):
    t, p = _inputs("tversky", y_true, y_pred)
    axis = _axis(axis)
    inter = np.sum(t * p, axis=axis)
    denom = inter + np.sum((1.0 - p) * t, axis=axis) * alpha + \
        np.sum(p * (1.0 - t), axis=axis) * beta + EPSILON
    inter = expand_reduced(inter, axis, p.ndim)
    denom = expand_reduced(denom, axis, p.ndim)
    d_denom = t - alpha * t + beta * (1.0 - t)
    scale = expand_reduced(np.asarray(scale), axis, p.ndim)
    return -(t * denom - inter * d_denom) / np.square(denom) * scale


Dice = loss_class(
    "Dice", dice, _dice_vjp, "dice", name="dice", after_name=(("axis", None),),
    vjp=True, module=__name__,
    doc="Dice loss (keras.losses.Dice); hand-written gradient.")
Tversky = loss_class(
    "Tversky", tversky, _tversky_vjp, "tversky",
    (("alpha", 0.5), ("beta", 0.5)), name="tversky",
    after_name=(("axis", None),), vjp=True, module=__name__,
    doc="Tversky loss (keras.losses.Tversky); hand-written gradient.")
