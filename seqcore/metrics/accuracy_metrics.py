"""Accuracy metrics: the per-sample functions and their mean metrics."""
import numpy as np

from seqcore.metrics.metric import same_rank, to_array
from seqcore.metrics.declare import mean_metric_class


def _float_pred(y_pred):
    y_pred = to_array(y_pred)
    return y_pred if y_pred.dtype.kind == "f" else y_pred.astype(np.float32)


def accuracy(y_true, y_pred):
    """1.0 where y_true == y_pred, elementwise (after rank matching)."""
    y_pred = _float_pred(y_pred)
    y_true = to_array(y_true, y_pred.dtype)
    y_true, y_pred = same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(np.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals y_true, elementwise."""
    y_pred = _float_pred(y_pred)
    y_true = to_array(y_true)
    y_true, y_pred = same_rank(y_true, y_pred)
    predicted = (y_pred > threshold).astype(y_true.dtype)
    return (y_true == predicted).astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_true) == argmax(y_pred) over the last axis.
    y_true, y_pred: (batch, ..., classes) -> (batch, ...)."""
    y_pred = _float_pred(y_pred)
    labels = np.argmax(to_array(y_true), axis=-1)
    original_shape = labels.shape
    reshape = False
    if labels.ndim == y_pred.ndim:
        labels = np.squeeze(labels, -1)
        reshape = True
    matches = (labels == np.argmax(y_pred, axis=-1)).astype(np.float32)
    return matches.reshape(original_shape) if reshape else matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals argmax(y_pred).
    y_true: (batch, ...) or (batch, ..., 1); y_pred: (batch, ..., classes).
    """
    y_pred = _float_pred(y_pred)
    y_true = to_array(y_true, y_pred.dtype)
    original_shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
        reshape = True
    matches = (y_true == np.argmax(y_pred, axis=-1).astype(y_true.dtype))
    matches = matches.astype(np.float32)
    if reshape:
        matches = matches.reshape(original_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return matches


def _in_top_k(labels, scores, k):
    """Whether each label's score is among the k largest of its row (ties
    with the k-th score count in, as ops.in_top_k). labels: (n,);
    scores: (n, classes)."""
    labels = labels.astype(np.int64)
    inside = (labels >= 0) & (labels < scores.shape[-1])
    target = np.take_along_axis(scores, np.where(inside, labels, 0)[:, None],
                                axis=-1)[:, 0]
    return inside & (np.sum(scores > target[:, None], axis=-1) < k)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is in the top k predictions.
    y_true, y_pred: (batch, ..., classes) -> (batch, ...)."""
    y_pred = _float_pred(y_pred)
    labels = np.argmax(to_array(y_true), axis=-1)
    shape = labels.shape
    matches = _in_top_k(labels.reshape(-1),
                        y_pred.reshape(-1, y_pred.shape[-1]), k)
    return matches.astype(np.float32).reshape(shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5,
                                      from_sorted_ids=False):
    """1.0 where the integer label is in the top k predictions; with
    from_sorted_ids, y_pred holds class ids sorted by score and the label
    is looked for among the first k. y_true: (batch, ...);
    y_pred: (batch, ..., classes)."""
    y_pred = _float_pred(y_pred)
    y_true = to_array(y_true)
    if not from_sorted_ids:
        y_true = y_true.astype(np.int32)
    shape = y_true.shape
    labels = y_true.reshape(-1)
    scores = y_pred.reshape(-1, y_pred.shape[-1]) if y_pred.ndim > 2 \
        else y_pred
    if from_sorted_ids:
        matches = np.any(labels[:, None] == scores[:, :k], axis=1)
    else:
        matches = _in_top_k(labels, scores, k)
    return matches.astype(np.float32).reshape(shape)


Accuracy = mean_metric_class(
    "Accuracy", accuracy, "accuracy", module=__name__,
    doc="How often predictions equal labels.")
BinaryAccuracy = mean_metric_class(
    "BinaryAccuracy", binary_accuracy, "binary_accuracy",
    (("threshold", 0.5),), module=__name__,
    doc="How often (y_pred > threshold) equals the binary label.")
CategoricalAccuracy = mean_metric_class(
    "CategoricalAccuracy", categorical_accuracy, "categorical_accuracy",
    module=__name__,
    doc="How often argmax(y_pred) equals argmax(one-hot y_true).")
SparseCategoricalAccuracy = mean_metric_class(
    "SparseCategoricalAccuracy", sparse_categorical_accuracy,
    "sparse_categorical_accuracy", module=__name__,
    doc="How often argmax(y_pred) equals the integer label.")
TopKCategoricalAccuracy = mean_metric_class(
    "TopKCategoricalAccuracy", top_k_categorical_accuracy,
    "top_k_categorical_accuracy", leading=(("k", 5),), module=__name__,
    doc="How often the one-hot label is in the top k predictions.")


def _sparse_top_k_config(self):
    """Keras reports from_sorted_ids only when it is set."""
    config = {"name": self.name, "dtype": self.dtype, "k": self.k}
    if self.from_sorted_ids:
        config["from_sorted_ids"] = True
    return config


SparseTopKCategoricalAccuracy = mean_metric_class(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", (("from_sorted_ids", False),),
    leading=(("k", 5),), module=__name__,
    methods={"get_config": _sparse_top_k_config},
    doc="How often the integer label is in the top k predictions.")
