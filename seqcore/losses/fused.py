"""The fused output gradient: softmax or sigmoid output layer and its
matching cross-entropy differentiated in one pass (the trainer asks for it
before the general `Loss.gradient`)."""
import numpy as np

from seqcore import _kernels
from seqcore.losses.base import EPSILON
from seqcore.losses.probabilistic import (
    binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy)


def fused_output_gradient(loss, activation_name, y_true, y_pred,
                          sample_weight=None, mask=None):
    """(loss value, d loss / d z) for an output y_pred = softmax(z) or
    sigmoid(z) under the matching cross-entropy, in one pass: the softmax's
    and the loss's derivatives cancel to y - t (Keras's clipping of
    probabilities at 1e-7 only changes saturated outputs). None when the
    pair does not fuse (then the general path applies)."""
    options = getattr(loss, "_fn_kwargs", {})
    if options.get("from_logits") or options.get("label_smoothing") or \
            options.get("ignore_class") is not None or \
            options.get("axis", -1) not in (-1, y_pred.ndim - 1) or \
            loss.reduction in (None, "none") or y_pred.ndim != 2:
        return None
    fn = getattr(loss, "fn", None)
    p = y_pred
    if activation_name == "softmax" and fn in (
            sparse_categorical_crossentropy, categorical_crossentropy):
        return _softmax_cross_entropy(loss, fn, y_true, p, sample_weight,
                                      mask)
    if activation_name == "sigmoid" and fn is binary_crossentropy:
        t = np.asarray(y_true, np.float32)
        if t.shape != p.shape:
            return None
        q = np.clip(p, EPSILON, 1.0 - EPSILON)
        values = -np.mean(t * np.log(q) + (1.0 - t) * np.log(1.0 - q),
                          axis=1)
        dz = (p - t) / np.float32(p.shape[1])
    else:
        return None
    value = loss._reduce(values, sample_weight, mask)
    scale = loss._reduction_scale(values.shape, np.float32, sample_weight,
                                  mask)
    dz *= scale.astype(np.float32)[:, np.newaxis]
    return float(value), dz.astype(np.float32, copy=False)


def _softmax_cross_entropy(loss, fn, y_true, p, sample_weight, mask):
    """The softmax pair on the C kernel: per-sample values and the scaled
    gradient p * sum(t) - t in one pass over the probabilities."""
    targets = labels = None
    if fn is sparse_categorical_crossentropy:
        labels = np.asarray(y_true)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.shape != p.shape[:1]:
            return None
    else:
        targets = np.asarray(y_true, np.float32)
        if targets.shape != p.shape:
            return None
    scale = loss._reduction_scale(p.shape[:1], np.float32, sample_weight,
                                  mask)
    try:
        values, dz = _kernels.probability_cross_entropy(
            p, targets=targets, labels=labels, scale=scale)
    except ValueError:
        return None                 # labels out of range: the general path
                                    # raises Keras's error
    return float(loss._reduce(values, sample_weight, mask)), dz
