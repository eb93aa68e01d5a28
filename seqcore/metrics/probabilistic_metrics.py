"""Probabilistic metrics (means of seqcore.losses' cross-entropies,
KL divergence and Poisson), and the focal cross-entropy functions that
keras.metrics exports (written here: seqcore/losses.py has none yet)."""
import warnings

import numpy as np

from seqcore import losses
from seqcore.engine import masking
from seqcore.metrics.metric import EPSILON, to_array
from seqcore.metrics.declare import mean_metric_class
from seqcore.metrics.reduction_metrics import Mean


def _float_pair(y_true, y_pred):
    y_pred = to_array(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(np.float32)
    return to_array(y_true, y_pred.dtype), y_pred


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype)


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False,
                              alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by (1 - p_t)^gamma (and by alpha /
    1 - alpha for positives / negatives with apply_class_balancing), mean
    over `axis`. (batch, d) -> (batch,)."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = _sigmoid(y_pred)
    out = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
    bce = -(y_true * np.log(out) + (1.0 - y_true) * np.log(1.0 - out))
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = np.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return np.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0,
                                   from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """Categorical cross-entropy of each class scaled by
    alpha * (1 - p)^gamma, summed over `axis`. (batch, classes) ->
    (batch,)."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: "
                         f"axis={axis} of type {type(axis)}")
    y_true, y_pred = _float_pair(y_true, y_pred)
    if y_pred.shape[-1] == 1:
        warnings.warn(f"In loss categorical_focal_crossentropy, expected "
                      f"y_pred.shape to be (batch_size, num_classes) with "
                      f"num_classes > 1. Received: y_pred.shape="
                      f"{y_pred.shape}. Consider using 'binary_crossentropy' "
                      f"if you only have 2 classes.", SyntaxWarning,
                      stacklevel=2)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + \
            label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = _softmax(y_pred, axis)
    out = y_pred / np.sum(y_pred, axis=axis, keepdims=True)
    out = np.clip(out, EPSILON, 1.0 - EPSILON)
    cce = -y_true * np.log(out)
    return np.sum(np.power(1.0 - out, gamma) * alpha * cce, axis=axis)


KLDivergence = mean_metric_class(
    "KLDivergence", losses.kl_divergence, "kl_divergence", module=__name__,
    doc="Mean of sum(y_true * log(y_true / y_pred)) (both clipped).")
Poisson = mean_metric_class(
    "Poisson", losses.poisson, "poisson", module=__name__,
    doc="Mean of mean(y_pred - y_true * log(y_pred + epsilon)).")
BinaryCrossentropy = mean_metric_class(
    "BinaryCrossentropy", losses.binary_crossentropy, "binary_crossentropy",
    (("from_logits", False), ("label_smoothing", 0)), module=__name__,
    doc="""Mean binary cross-entropy.

    Args:
        name, dtype: as every metric.
        from_logits: y_pred holds logits.
        label_smoothing: squeeze the labels towards 0.5.
    """)
CategoricalCrossentropy = mean_metric_class(
    "CategoricalCrossentropy", losses.categorical_crossentropy,
    "categorical_crossentropy",
    (("from_logits", False), ("label_smoothing", 0), ("axis", -1)),
    module=__name__,
    doc="""Mean categorical cross-entropy of one-hot labels.

    Args:
        name, dtype: as every metric.
        from_logits: y_pred holds logits.
        label_smoothing: squeeze the labels towards 1 / classes.
        axis: the class axis.
    """)


def _ignored_weights(self, y_true, y_pred, sample_weight):
    """Keras's values carry a mask of the labels not ignored; Mean
    applies it to sample weights (weights given: ignored labels weigh
    0; none given: their values count as 0)."""
    if self.ignore_class is None or sample_weight is None:
        return sample_weight
    labels = to_array(y_true)
    if labels.ndim == np.ndim(y_pred) and labels.shape[-1] == 1:
        labels = labels[..., 0]
    return masking.metric_weights(sample_weight,
                                  labels != self.ignore_class)


def _sparse_update_state(self, y_true, y_pred, sample_weight=None):
    values = self._fn(y_true, y_pred, **self._fn_kwargs)
    Mean.update_state(self, values, self._ignored_weights(
        y_true, y_pred, sample_weight))


def _sparse_update_masked(self, y_true, y_pred, sample_weight, mask):
    values = self._fn(y_true, y_pred, **self._fn_kwargs)
    weights = masking.metric_weights(sample_weight, mask)
    Mean.update_state(self, values, self._ignored_weights(
        y_true, y_pred, weights))


SparseCategoricalCrossentropy = mean_metric_class(
    "SparseCategoricalCrossentropy", losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    (("from_logits", False), ("ignore_class", None), ("axis", -1)),
    module=__name__,
    methods={"_ignored_weights": _ignored_weights,
             "update_state": _sparse_update_state,
             "_update_masked": _sparse_update_masked},
    doc="""Mean categorical cross-entropy of integer labels.

    Args:
        name, dtype: as every metric.
        from_logits: y_pred holds logits.
        ignore_class: a label whose values count as 0.
        axis: the class axis.
    """)
