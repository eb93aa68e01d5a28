"""The classic probabilistic and hinge losses of keras.losses (the
cross-entropies, hinge family, KL divergence), each a per-sample function
and its hand-written gradient `_<name>_grad`; the float32 softmax
cross-entropy gradient runs in the C kernel."""
import numpy as np

from seqcore import _kernels
from seqcore.losses.base import EPSILON, _arrays, _log_softmax, _sigmoid



def binary_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    t, p = _arrays(y_true, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        values = np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    else:
        o = np.clip(p, EPSILON, 1.0 - EPSILON)
        values = -(t * np.log(o) + (1.0 - t) * np.log(1.0 - o))
    return np.mean(values, axis=axis)


def _binary_crossentropy_grad(
    t, p, from_logits=False, label_smoothing=0.0, axis=-1
):
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        grad = _sigmoid(p) - t
    else:
        o = np.clip(p, EPSILON, 1.0 - EPSILON)
        inside = (p > EPSILON) & (p < 1.0 - EPSILON)
        grad = (-t / o + (1.0 - t) / (1.0 - o)) * inside
    return grad / p.shape[axis]


def categorical_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    t, p = _arrays(y_true, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[axis]
    if from_logits:
        return -np.sum(t * _log_softmax(p, axis), axis=axis)
    o = np.clip(
        p / np.sum(p, axis=axis, keepdims=True), EPSILON, 1.0 - EPSILON
    )
    return -np.sum(t * np.log(o), axis=axis)


def _categorical_crossentropy_grad(
    t, p, from_logits=False, label_smoothing=0.0, axis=-1
):
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[axis]
    if from_logits and p.dtype == np.float32 and axis in (-1, p.ndim - 1):
        # the fused softmax + cross-entropy gradient, in C
        classes = p.shape[-1]
        _, grad = _kernels.softmax_cross_entropy(
            p.reshape(-1, classes), targets=t.reshape(-1, classes))
        return grad.reshape(p.shape)
    if from_logits:
        softmax = np.exp(_log_softmax(p, axis))
        return softmax * np.sum(t, axis=axis, keepdims=True) - t
    total = np.sum(p, axis=axis, keepdims=True)
    o = p / total
    inside = (o > EPSILON) & (o < 1.0 - EPSILON)
    g = -t / np.clip(o, EPSILON, 1.0 - EPSILON) * inside  # d loss / d o
    return (g - np.sum(g * o, axis=axis, keepdims=True)) / total


def _one_hot_labels(y_true, y_pred, ignore_class=None, axis=-1):
    """(one-hot targets, valid mask or None) for sparse integer labels."""
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis=axis)
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"sparse_categorical_crossentropy: y_true must hold "
            f"one class index per sample, shape "
            f"{y_pred.shape[:-1]}; received {labels.shape}"
        )
    if labels.dtype.kind == "f" and not np.array_equal(
        labels, np.round(labels)
    ):
        raise ValueError(
            "sparse_categorical_crossentropy: y_true must hold "
            "integer class indices"
        )
    labels = labels.astype(np.int64)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    classes = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(
            f"sparse_categorical_crossentropy: class index {bad} "
            f"is out of range for {classes} classes"
        )
    return np.eye(classes, dtype=y_pred.dtype)[labels], valid


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    p = np.asarray(y_pred)
    p = p if p.dtype.kind == "f" else p.astype(np.float32)
    t, valid = _one_hot_labels(y_true, p, ignore_class, axis)
    if valid is None:
        return categorical_crossentropy(t, p, from_logits=from_logits,
                                        axis=axis)
    # Ignored labels' values are 0 (their zeroed probabilities would give
    # 0 / 0 under the normalisation: computed, then replaced, as in Keras).
    p = np.where(valid[..., np.newaxis], p, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = categorical_crossentropy(t, p, from_logits=from_logits,
                                          axis=axis)
    return np.where(valid, values, 0).astype(values.dtype, copy=False)


def _sparse_categorical_crossentropy_grad(
    y_true, p, from_logits=False, ignore_class=None, axis=-1
):
    t, valid = _one_hot_labels(y_true, p, ignore_class, axis)
    grad = _categorical_crossentropy_grad(
        t, p, from_logits=from_logits, axis=axis
    )
    return grad if valid is None else grad * valid[..., np.newaxis]


def _hinge_labels(t):
    """Keras turns {0, 1} labels into {-1, 1}; other labels stay."""
    return 2.0 * t - 1.0 if np.all((t == 0) | (t == 1)) else t


def hinge(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(np.maximum(1.0 - _hinge_labels(t) * p, 0.0), axis=-1)


def _hinge_grad(t, p):
    y = _hinge_labels(t)
    return -y * (1.0 - y * p > 0) / p.shape[-1]


def squared_hinge(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(
        np.square(np.maximum(1.0 - _hinge_labels(t) * p, 0.0)), axis=-1
    )


def _squared_hinge_grad(t, p):
    y = _hinge_labels(t)
    return -2.0 * y * np.maximum(1.0 - y * p, 0.0) / p.shape[-1]


def categorical_hinge(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    pos = np.sum(t * p, axis=-1)
    neg = np.max((1.0 - t) * p, axis=-1)
    return np.maximum(neg - pos + 1.0, 0.0)


def _categorical_hinge_grad(t, p):
    scores = (1.0 - t) * p
    k = np.argmax(scores, axis=-1)[..., np.newaxis]
    active = np.max(scores, axis=-1) - np.sum(t * p, axis=-1) + 1.0 > 0
    neg = np.zeros_like(p)
    np.put_along_axis(neg, k, np.take_along_axis(1.0 - t, k, axis=-1), axis=-1)
    return (neg - t) * active[..., np.newaxis]


def kl_divergence(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    t = np.clip(t, EPSILON, 1.0)
    return np.sum(t * np.log(t / np.clip(p, EPSILON, 1.0)), axis=-1)


def _kl_divergence_grad(t, p):
    t = np.clip(t, EPSILON, 1.0)
    inside = (p > EPSILON) & (p < 1.0)
    return -t / np.clip(p, EPSILON, 1.0) * inside
