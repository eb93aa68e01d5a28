"""Intersection-over-union metrics from an accumulated confusion matrix:
IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU."""
import warnings

import numpy as np

from seqcore.metrics.metric import EPSILON, Metric, to_array
from seqcore.metrics.metrics_utils import confusion_matrix


class _IoUBase(Metric):
    """The (num_classes, num_classes) confusion matrix of every sample
    seen (rows: labels, columns: predictions), in the metric's dtype
    (int32 by default, as Keras: float labels, predictions and weights are
    truncated to integers then).

    Args:
        num_classes: the number of classes.
        name, dtype: as every metric (dtype default "int").
        ignore_class: a label whose samples are left out.
        sparse_y_true / sparse_y_pred: False when that side holds scores
            over classes on `axis` (its argmax is used).
        axis: the class axis of non-sparse inputs.
    State: total_confusion_matrix.
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            shape=(num_classes, num_classes), name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = np.argmax(to_array(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(to_array(y_pred), axis=self.axis)
        y_true = to_array(y_true, self.dtype).reshape(-1)
        y_pred = to_array(y_pred, self.dtype).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"{type(self).__name__}: y_true and y_pred must "
                             f"hold as many values, received {y_true.size} "
                             f"and {y_pred.size}")
        if sample_weight is None:
            weight = np.ones(y_true.shape, dtype=self.dtype)
        else:
            weight = to_array(sample_weight)
            if weight.dtype.kind == "f" and "int" in self.dtype:
                warnings.warn("You are passing weight as `float`, but dtype "
                              "is `int`. This may result in an incorrect "
                              "weight due to type casting Consider using "
                              "integer weights.")
            weight = np.broadcast_to(weight.astype(self.dtype).reshape(-1)
                                     if weight.ndim > 1 else
                                     weight.astype(self.dtype), y_true.shape)
        n = self.num_classes
        inside = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            inside &= y_true != self.ignore_class
        y_true = np.where(inside, y_true, 0)
        y_pred = np.where(inside, y_pred, 0)
        weight = np.where(inside, weight, 0)
        self.total_cm.assign(self.total_cm.numpy() + confusion_matrix(
            y_true, y_pred, n, weight, self.dtype))

    def reset_state(self):
        self.total_cm.assign(np.zeros(self.total_cm.shape,
                                      dtype=self.total_cm.dtype))


class IoU(_IoUBase):
    """Mean IoU = TP / (TP + FP + FN) over `target_class_ids` (classes
    never seen are left out of the mean).

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes to average over.
        name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: as
            _IoUBase.
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
                 axis=-1):
        super().__init__(name=name, num_classes=num_classes,
                         ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis, dtype=dtype)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out "
                             f"of range, which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm.numpy()
        ids = np.asarray(self.target_class_ids, dtype=np.int64)
        true_positives = np.diag(cm)
        denominator = np.sum(cm, axis=0) + np.sum(cm, axis=1) - \
            true_positives
        denominator = denominator[ids].astype(np.float32)
        true_positives = true_positives[ids].astype(np.float32)
        valid = denominator > 1e-9
        iou = np.where(valid, true_positives /
                       (denominator + np.float32(EPSILON)), np.float32(0))
        return np.float32(np.sum(iou, axis=self.axis) /
                          (np.sum(valid.astype(np.float32)) +
                           np.float32(EPSILON)))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of the two classes given by y_pred >= threshold.

    Args:
        target_class_ids: (0, 1) by default.
        threshold: predictions at or above it are class 1.
        name, dtype: as every metric.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None,
                 dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids,
                         name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = to_array(y_true, self.dtype)
        y_pred = (to_array(y_pred, np.float32) >= self.threshold).astype(
            self.dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids,
                "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over every class."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, num_classes=num_classes,
                         target_class_ids=list(range(num_classes)),
                         axis=axis, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU for one-hot labels (and, by default, scores over classes)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes,
                         target_class_ids=target_class_ids, name=name,
                         dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred,
                         axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU for one-hot labels (and, by default, scores over classes)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, axis=axis, name=name,
                         dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name,
                "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}

