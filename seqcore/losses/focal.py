"""Focal cross-entropies (Lin et al., 2018): binary and categorical, as
Keras 3 computes them, with hand-written gradients.

binary:      mean over `axis` of w * (1 - p_t)**gamma * bce(t, y)
             p_t = t*y + (1-t)*(1-y); w = alpha for t=1, 1-alpha for t=0
             (only with apply_class_balancing); bce clips y to [eps, 1-eps]
categorical: sum over `axis` of alpha * (1 - o)**gamma * (-t * log o),
             o = clip(y / sum(y), eps, 1 - eps)
"""
import warnings

import numpy as np

from seqcore.losses.base import (EPSILON, check_axis, float_pred, keras_align,
                                 log_softmax, same_shape, sigmoid)
from seqcore.losses.declare import loss_class


def _power(base, exponent):
    """base**exponent for base >= 0, with 0**0 = 1 and the derivative's
    0**(negative) terms kept finite (they multiply a zero)."""
    return np.power(np.maximum(base, 0.0), exponent)


def _binary_inputs(y_true, y_pred, label_smoothing):
    t, p = keras_align(y_true, y_pred)
    t = t.astype(p.dtype, copy=False)
    same_shape("binary_focal_crossentropy", t, p)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return t, p


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False,
                              alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    """Binary focal cross-entropy per sample.

    Args:
        y_true: labels in [0, 1], shape `(batch, d0, .., dN)`.
        y_pred: probabilities (or logits with `from_logits`), same shape.
        apply_class_balancing: weigh class 1 by `alpha`, class 0 by
            `1 - alpha`.
        alpha: the class-1 weight of the balancing.
        gamma: the focusing exponent (0 gives binary cross-entropy).
        from_logits: y_pred holds logits.
        label_smoothing: squeeze labels towards 0.5 by this amount.
        axis: the axis the mean runs over.

    Returns:
        Array of shape `(batch, d0, .., dN-1)`.
    """
    t, p = _binary_inputs(y_true, y_pred, label_smoothing)
    y = sigmoid(p) if from_logits else p
    c = np.clip(y, EPSILON, 1.0 - EPSILON)
    bce = -(t * np.log(c) + (1.0 - t) * np.log(1.0 - c))
    p_t = t * y + (1.0 - t) * (1.0 - y)
    focal = _power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (t * alpha + (1.0 - t) * (1.0 - alpha)) * focal
    return np.mean(focal, axis=axis)


def _binary_focal_vjp(y_true, y_pred, scale, apply_class_balancing=False,
                      alpha=0.25, gamma=2.0, from_logits=False,
                      label_smoothing=0.0, axis=-1):
    t, p = _binary_inputs(y_true, y_pred, label_smoothing)
    y = sigmoid(p) if from_logits else p
    c = np.clip(y, EPSILON, 1.0 - EPSILON)
    inside = (y > EPSILON) & (y < 1.0 - EPSILON)
    bce = -(t * np.log(c) + (1.0 - t) * np.log(1.0 - c))
    d_bce = (-t / c + (1.0 - t) / (1.0 - c)) * inside
    q = 1.0 - (t * y + (1.0 - t) * (1.0 - y))       # 1 - p_t
    factor = _power(q, gamma)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_factor = np.where(q > 0, gamma * _power(q, gamma - 1.0), 0.0) \
            if gamma != 1 else np.ones_like(q)
    d_factor = d_factor * -(2.0 * t - 1.0)           # d(1 - p_t)/dy
    grad = d_factor * bce + factor * d_bce
    if apply_class_balancing:
        grad = (t * alpha + (1.0 - t) * (1.0 - alpha)) * grad
    if from_logits:
        grad = grad * y * (1.0 - y)
    scale = np.expand_dims(scale, axis) / p.shape[axis]
    return grad * scale


def _categorical_inputs(y_true, y_pred, label_smoothing, axis):
    check_axis("categorical_focal_crossentropy", axis)
    p = float_pred(y_pred)
    t = np.asarray(y_true).astype(p.dtype, copy=False)
    same_shape("categorical_focal_crossentropy", t, p)
    if p.shape[-1] == 1:
        warnings.warn(
            f"In loss categorical_focal_crossentropy, expected y_pred.shape "
            f"to be (batch_size, num_classes) with num_classes > 1. "
            f"Received: y_pred.shape={p.shape}. Consider using "
            f"'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning, stacklevel=3)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[-1]
    return t, p


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0,
                                   from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """Categorical focal cross-entropy per sample.

    Args:
        y_true: one-hot targets, shape `(batch, .., classes)`.
        y_pred: probabilities (or logits with `from_logits`), same shape.
        alpha: class weight, a float or one per class.
        gamma: the focusing exponent (0 gives alpha * cross-entropy).
        from_logits: y_pred holds logits.
        label_smoothing: mix the targets with the uniform distribution.
        axis: the class axis.

    Returns:
        Array of y_pred's shape without `axis`.
    """
    t, p = _categorical_inputs(y_true, y_pred, label_smoothing, axis)
    y = np.exp(log_softmax(p, axis)) if from_logits else p
    o = np.clip(y / np.sum(y, axis=axis, keepdims=True), EPSILON,
                1.0 - EPSILON)
    values = alpha * _power(1.0 - o, gamma) * (-t * np.log(o))
    return np.sum(values, axis=axis)


def _categorical_focal_vjp(y_true, y_pred, scale, alpha=0.25, gamma=2.0,
                           from_logits=False, label_smoothing=0.0, axis=-1):
    t, p = _categorical_inputs(y_true, y_pred, label_smoothing, axis)
    y = np.exp(log_softmax(p, axis)) if from_logits else p
    total = np.sum(y, axis=axis, keepdims=True)
    ratio = y / total
    o = np.clip(ratio, EPSILON, 1.0 - EPSILON)
    inside = (ratio > EPSILON) & (ratio < 1.0 - EPSILON)
    q = 1.0 - o
    with np.errstate(divide="ignore", invalid="ignore"):
        d_factor = np.where(q > 0, gamma * _power(q, gamma - 1.0), 0.0) \
            if gamma != 1 else np.ones_like(q)
    # d/do of alpha * q**gamma * (-t log o)
    g_o = alpha * (d_factor * t * np.log(o) - _power(q, gamma) * t / o)
    g_o = g_o * inside * np.expand_dims(scale, axis)
    g_y = (g_o - np.sum(g_o * ratio, axis=axis, keepdims=True)) / total
    if from_logits:
        g_y = y * (g_y - np.sum(g_y * y, axis=axis, keepdims=True))
    return g_y


_FOCAL = (("alpha", 0.25), ("gamma", 2.0), ("from_logits", False),
          ("label_smoothing", 0.0), ("axis", -1))

BinaryFocalCrossentropy = loss_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, _binary_focal_vjp,
    "binary_focal_crossentropy",
    (("apply_class_balancing", False),) + _FOCAL,
    name="binary_focal_crossentropy", vjp=True, module=__name__,
    doc="Binary focal cross-entropy (keras.losses.BinaryFocalCrossentropy);"
        " hand-written gradient.")
CategoricalFocalCrossentropy = loss_class(
    "CategoricalFocalCrossentropy", categorical_focal_crossentropy,
    _categorical_focal_vjp, "categorical_focal_crossentropy", _FOCAL,
    name="categorical_focal_crossentropy", vjp=True, module=__name__,
    doc="Categorical focal cross-entropy "
        "(keras.losses.CategoricalFocalCrossentropy); hand-written "
        "gradient.")
