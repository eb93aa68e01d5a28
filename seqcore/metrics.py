"""Metrics (keras.metrics): functions giving per-sample values, and stateful
Metric objects that accumulate over batches (update_state / result /
reset_state), with Keras 3's semantics and defaults."""
import copy

import numpy as np

from seqcore import losses
from seqcore.engine import masking
from seqcore.saving.serialization import get_object

EPSILON = 1e-7


def _labels_and_predictions(y_true, y_pred):
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y_true = np.asarray(y_true, dtype=np.float64)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true, y_pred


# ---- per-sample functions ------------------------------------------------------

def accuracy(y_true, y_pred):
    y_true, y_pred = _labels_and_predictions(y_true, y_pred)
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred[..., 0]
    return (y_true == y_pred).astype(np.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _labels_and_predictions(y_true, y_pred)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., np.newaxis]
    return np.mean(y_true == (y_pred > threshold), axis=-1).astype(
        np.float32)


def categorical_accuracy(y_true, y_pred):
    y_true, y_pred = _labels_and_predictions(y_true, y_pred)
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(
        np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    y_true, y_pred = _labels_and_predictions(y_true, y_pred)
    return (y_true == np.argmax(y_pred, axis=-1)).astype(np.float32)


def _in_top_k(labels, y_pred, k):
    """Whether each label's score is among the k largest (ties count in)."""
    labels = labels.astype(np.int64)
    target = np.take_along_axis(y_pred, labels[..., np.newaxis], axis=-1)
    return (np.sum(y_pred > target, axis=-1) < k).astype(np.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = _labels_and_predictions(y_true, y_pred)
    return _in_top_k(np.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = _labels_and_predictions(y_true, y_pred)
    return _in_top_k(y_true, y_pred, k)


# ---- stateful metrics -------------------------------------------------------------

class Metric:
    """Accumulates over batches: update_state(), result(), reset_state()."""

    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__
        self.dtype = dtype or "float32"
        self.reset_state()

    def reset_state(self):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def _update_masked(self, y_true, y_pred, sample_weight, mask):
        """update_state for a prediction that carries `mask` (a model
        output's mask, or None). As in Keras, only mean metrics of
        per-sample values use it; the others ignore it."""
        self.update_state(y_true, y_pred, sample_weight)

    def __call__(self, *args, **kwargs):
        """The metric of this batch alone (the state is left untouched)."""
        fresh = copy.copy(self)
        fresh.reset_state()
        fresh.update_state(*args, **kwargs)
        return fresh.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Mean(Metric):
    """The (weighted) mean of every value seen: sum(v * w) / sum(w)."""

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def _accumulate(self, values, sample_weight):
        values = np.asarray(values, dtype=np.float64)
        if sample_weight is None:
            self.total += float(np.sum(values))
            self.count += values.size
            return
        w = np.asarray(sample_weight, dtype=np.float64)
        while w.ndim > values.ndim and w.shape[-1] == 1:
            w = w[..., 0]
        w = np.broadcast_to(w.reshape(w.shape + (1,) * (values.ndim - w.ndim)),
                            values.shape)
        self.total += float(np.sum(values * w))
        self.count += float(np.sum(w))

    def update_state(self, values, sample_weight=None):
        self._accumulate(values, sample_weight)

    def result(self):
        return np.float32(self.total / self.count if self.count else 0.0)


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over every sample."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name or fn.__name__, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(self._fn(y_true, y_pred, **self._fn_kwargs),
                         sample_weight)

    def _update_masked(self, y_true, y_pred, sample_weight, mask):
        # Padded steps weigh 0 (seqcore/engine/masking.py).
        self._accumulate(self._fn(y_true, y_pred, **self._fn_kwargs),
                         masking.metric_weights(sample_weight, mask))

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Accuracy(MeanMetricWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype,
                         threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype,
                         k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy",
                 dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name=name,
                         dtype=dtype, k=k)


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


class _ConfusionCounts(Metric):
    """True/false positive/negative counts at each threshold, over every
    element (predictions above a threshold count as positive)."""

    def __init__(self, thresholds, name=None, dtype=None):
        self._thresholds = np.asarray(thresholds, dtype=np.float64)
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        n = len(self._thresholds)
        self.true_positives = np.zeros(n)
        self.false_positives = np.zeros(n)
        self.true_negatives = np.zeros(n)
        self.false_negatives = np.zeros(n)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _labels_and_predictions(y_true, y_pred)
        if y_true.shape != y_pred.shape:
            y_true = np.broadcast_to(y_true.reshape(y_pred.shape), y_pred.shape)
        w = np.ones_like(y_pred) if sample_weight is None else np.broadcast_to(
            np.asarray(sample_weight, np.float64).reshape(
                (-1,) + (1,) * (y_pred.ndim - 1)), y_pred.shape)
        truth = y_true.reshape(-1) > 0
        pred = y_pred.reshape(-1)
        w = w.reshape(-1)
        above = pred[np.newaxis, :] > self._thresholds[:, np.newaxis]
        self.true_positives += (above & truth) @ w
        self.false_positives += (above & ~truth) @ w
        self.true_negatives += (~above & ~truth) @ w
        self.false_negatives += (~above & truth) @ w


def _divide(a, b):
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64),
                     where=b != 0)


class Precision(_ConfusionCounts):
    def __init__(self, thresholds=None, top_k=None, class_id=None,
                 name=None, dtype=None):
        if top_k is not None or class_id is not None:
            raise ValueError("Precision: top_k and class_id are not "
                             "supported by seqcore")
        self.thresholds = 0.5 if thresholds is None else thresholds
        super().__init__(np.atleast_1d(self.thresholds),
                         name=name or "precision", dtype=dtype)

    def result(self):
        value = _divide(self.true_positives,
                        self.true_positives + self.false_positives)
        return np.float32(value[0]) if np.ndim(self.thresholds) == 0 else \
            value.astype(np.float32)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds}


class Recall(Precision):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None,
                 dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name or "recall",
                         dtype=dtype)

    def result(self):
        value = _divide(self.true_positives,
                        self.true_positives + self.false_negatives)
        return np.float32(value[0]) if np.ndim(self.thresholds) == 0 else \
            value.astype(np.float32)


class AUC(_ConfusionCounts):
    """Area under the ROC or PR curve from confusion counts at
    num_thresholds thresholds, summed as Keras does ('interpolation':
    trapezoids for ROC, Davis & Goadrich's interpolation for PR)."""

    def __init__(self, num_thresholds=200, curve="ROC",
                 summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if num_thresholds <= 1:
            raise ValueError(f"Argument `num_thresholds` must be an integer "
                             f"> 1. Received: num_thresholds={num_thresholds}")
        curve = curve.upper()
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', received "
                             f"curve={curve!r}")
        summation_method = summation_method.lower()
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: invalid summation_method="
                             f"{summation_method!r}")
        if multi_label or label_weights is not None or thresholds is not None:
            raise ValueError("AUC: multi_label, label_weights and explicit "
                             "thresholds are not supported by seqcore")
        self.num_thresholds = num_thresholds
        self.curve, self.summation_method = curve, summation_method
        self.from_logits = from_logits
        inner = [(i + 1) / (num_thresholds - 1)
                 for i in range(num_thresholds - 2)]
        super().__init__([0.0 - EPSILON] + inner + [1.0 + EPSILON],
                         name=name or "auc", dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred, dtype=np.float64)
        if self.from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred))
        super().update_state(y_true, y_pred, sample_weight)

    def _pr_interpolation(self):
        tp, fp, fn = self.true_positives, self.false_positives, \
            self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0),
                         _divide(p[:-1], np.maximum(p[1:], 0)), 1.0)
        increments = _divide(slope * (dtp + intercept * np.log(ratio)),
                             np.maximum(tp[1:] + fn[1:], 0))
        return np.sum(increments)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return np.float32(self._pr_interpolation())
        tp, fp, tn, fn = (self.true_positives, self.false_positives,
                          self.true_negatives, self.false_negatives)
        recall = _divide(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide(fp, fp + tn), recall
        else:
            x, y = recall, _divide(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return np.float32(np.sum((x[:-1] - x[1:]) * heights))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve,
                "summation_method": self.summation_method,
                "from_logits": self.from_logits}


_CLASSES = {cls.__name__: cls for cls in (
    Mean, Accuracy, BinaryAccuracy, CategoricalAccuracy,
    SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
    Precision, Recall, AUC)}
_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy,
    sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy)}
_NAMES = {"mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
          "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
          "auc": AUC, "precision": Precision, "recall": Recall}


def get(identifier):
    """A metric from a name, a class name, a config dict, a Metric, or a
    function fn(y_true, y_pred) (wrapped, named after the function)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier in _FUNCTIONS:
        return MeanMetricWrapper(_FUNCTIONS[identifier])
    metric = get_object(identifier, _CLASSES, _NAMES, "metric")
    return metric if isinstance(metric, Metric) else MeanMetricWrapper(metric)
