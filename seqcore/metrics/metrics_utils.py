"""Confusion counts at thresholds, shared by the confusion metrics and AUC
(Keras's update_confusion_matrix_variables), and the confusion matrix of
the IoU metrics. Counts are computed in float32, as Keras's state is."""
import numpy as np

from seqcore.metrics.metric import EPSILON, check_broadcast, same_rank, \
    to_array

NEG_INF = -1e10
TP, FP, TN, FN = "true_positives", "false_positives", "true_negatives", \
    "false_negatives"


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """A list of thresholds, each in [0, 1] (Keras's error otherwise)."""
    if thresholds is not None:
        values = list(thresholds) if isinstance(thresholds, (list, tuple,
                                                             np.ndarray)) \
            else [thresholds]
        bad = [t for t in values if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. "
                             f"Received: {bad}")
    chosen = default_threshold if thresholds is None else thresholds
    return list(chosen) if isinstance(chosen, (list, tuple, np.ndarray)) \
        else [chosen]


def is_evenly_distributed_thresholds(thresholds):
    """Whether thresholds are i / (n - 1) for i in 0..n-1 (n >= 3)."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=EPSILON))


def filter_top_k(x, k):
    """x where it is among the k largest of its last axis, NEG_INF
    elsewhere (equal values: the lower index first)."""
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(x.shape, dtype=x.dtype)
    np.put_along_axis(keep, order, 1, axis=-1)
    return x * keep + np.float32(NEG_INF) * (1 - keep)


def _bucket_counts(labels, buckets, count):
    """Sum of `labels` per bucket id in [0, count) (others dropped)."""
    inside = (buckets >= 0) & (buckets < count)
    return np.bincount(buckets[inside], weights=labels[inside],
                       minlength=count)


def _update_evenly(variables, y_true, y_pred, thresholds, multi_label,
                   sample_weight, label_weights, with_epsilon):
    """Bucket each prediction by the thresholds i / (n - 1) instead of
    comparing it with every threshold (Keras's optimized path)."""
    n = len(thresholds)
    weights = np.float32(1.0)
    if sample_weight is not None:
        weights = check_broadcast("sample_weight", sample_weight,
                                  y_pred.shape)
        if not multi_label:
            weights = weights.reshape(-1)
    if label_weights is not None:
        lw = check_broadcast("label_weights",
                             np.asarray(label_weights, np.float32)[None],
                             y_pred.shape)
        weights = weights * (lw if multi_label else lw.reshape(-1))
    y_pred = np.clip(y_pred, 0.0, 1.0)
    y_true = (y_true != 0).astype(np.float32)
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    true_labels = (y_true * weights).astype(np.float32)
    false_labels = ((1.0 - y_true) * weights).astype(np.float32)
    buckets = np.ceil(y_pred * np.float32(n - 1)) - 1
    if with_epsilon:
        buckets = np.maximum(buckets, 0)
    buckets = buckets.astype(np.int64)
    true_labels = np.broadcast_to(true_labels, buckets.shape)
    false_labels = np.broadcast_to(false_labels, buckets.shape)
    if multi_label:
        tp_b = np.stack([_bucket_counts(true_labels[:, j], buckets[:, j], n)
                         for j in range(buckets.shape[1])], axis=1)
        fp_b = np.stack([_bucket_counts(false_labels[:, j], buckets[:, j], n)
                         for j in range(buckets.shape[1])], axis=1)
        total_true = np.sum(true_labels, axis=0, dtype=np.float64)
        total_false = np.sum(false_labels, axis=0, dtype=np.float64)
    else:
        tp_b = _bucket_counts(true_labels, buckets, n)
        fp_b = _bucket_counts(false_labels, buckets, n)
        total_true = np.sum(true_labels, dtype=np.float64)
        total_false = np.sum(false_labels, dtype=np.float64)
    tp = np.cumsum(tp_b[::-1], axis=0)[::-1]
    fp = np.cumsum(fp_b[::-1], axis=0)[::-1]
    counts = {TP: tp, FP: fp, TN: total_false - fp, FN: total_true - tp}
    for key, variable in variables.items():
        variable.assign(variable.numpy() + counts[key].astype(np.float32))


def _update_compared(variables, y_true, y_pred, thresholds, multi_label,
                     sample_weight, label_weights):
    """Compare every prediction with every threshold."""
    t = np.asarray(thresholds, dtype=np.float32)
    if multi_label:
        preds = y_pred[np.newaxis]
        labels = (y_true != 0)[np.newaxis]
        t = t.reshape(-1, 1, 1)
        axis = 1
    else:
        preds = y_pred.reshape(1, -1)
        labels = (y_true != 0).reshape(1, -1)
        t = t.reshape(-1, 1)
        axis = 1
    if labels.shape[1:] != preds.shape[1:]:
        labels = check_broadcast("y_true", labels, preds.shape)
    pred_pos = preds > t
    weights = None
    if sample_weight is not None:
        weights = check_broadcast("sample_weight", sample_weight,
                                  y_pred.shape)
        weights = weights[np.newaxis] if multi_label else \
            weights.reshape(1, -1)
    if label_weights is not None and not multi_label:
        lw = check_broadcast("label_weights",
                             np.asarray(label_weights, np.float32)[None],
                             y_pred.shape).reshape(1, -1)
        weights = lw if weights is None else weights * lw
    conditions = {TP: (labels, pred_pos), FN: (labels, ~pred_pos),
                  FP: (~labels, pred_pos), TN: (~labels, ~pred_pos)}
    for key, variable in variables.items():
        label, pred = conditions[key]
        both = label & pred
        if weights is None:
            added = np.sum(both, axis=axis, dtype=np.float64)
        else:
            added = np.sum(np.where(both, weights, np.float32(0)), axis=axis,
                           dtype=np.float64)
        variable.assign(variable.numpy() + added.astype(np.float32))


def update_confusion_matrix_variables(variables, y_true, y_pred,
                                      thresholds, top_k=None, class_id=None,
                                      sample_weight=None, multi_label=False,
                                      label_weights=None,
                                      thresholds_distributed_evenly=False):
    """Add a batch's weighted confusion counts to `variables`.

    Args:
        variables: {"true_positives"|"false_positives"|"true_negatives"|
            "false_negatives": Variable of shape (len(thresholds),), or
            (len(thresholds), labels) with multi_label}.
        y_true: labels (nonzero is positive), any shape matching y_pred up
            to a trailing 1.
        y_pred: scores, e.g. (batch, classes).
        thresholds: a prediction above a threshold counts as positive.
        top_k: keep only the k largest predictions of each row.
        class_id: look at that column of (batch, classes) only.
        sample_weight: None or broadcastable to y_true.
        multi_label: count each column of (batch, labels) on its own.
        label_weights: per-label weights (single-label case).
        thresholds_distributed_evenly: the thresholds are i / (n - 1)
            (with a -epsilon / 1 + epsilon pair at the ends for AUC).
    """
    y_true = to_array(y_true, np.float32)
    y_pred = to_array(y_pred, np.float32)
    y_pred, y_true = same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, np.float32)[..., np.newaxis]
        _, sample_weight = same_rank(y_true, sample_weight,
                                     expand_rank_1=False)
    if top_k is not None:
        if y_pred.ndim < 1 or y_pred.shape[-1] < top_k:
            raise ValueError(f"top_k={top_k} needs at least {top_k} "
                             f"predictions on the last axis; received "
                             f"y_pred.shape={y_pred.shape}")
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"When class_id is provided, y_pred must be a 2D "
                             f"array with shape (num_samples, num_classes), "
                             f"found shape: {y_pred.shape}")
        if not -y_pred.shape[-1] <= class_id < y_pred.shape[-1]:
            raise ValueError(f"class_id={class_id} is out of range for "
                             f"y_pred.shape={y_pred.shape}")
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if y_true.shape != y_pred.shape and y_true.size != y_pred.size:
        raise ValueError(f"y_true and y_pred must have the same shape, "
                         f"received y_true.shape={y_true.shape} and "
                         f"y_pred.shape={y_pred.shape}")
    if y_true.shape != y_pred.shape:
        y_true = y_true.reshape(y_pred.shape)
    if thresholds_distributed_evenly:
        with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        return _update_evenly(variables, y_true, y_pred, thresholds,
                              multi_label, sample_weight, label_weights,
                              with_epsilon)
    return _update_compared(variables, y_true, y_pred, thresholds,
                            multi_label, sample_weight, label_weights)


def confusion_matrix(labels, predictions, num_classes, weights, dtype):
    """(num_classes, num_classes) counts: rows are labels, columns
    predictions; each pair adds its weight. labels, predictions, weights:
    (n,) in range."""
    cm = np.zeros((num_classes, num_classes), dtype=dtype)
    np.add.at(cm, (labels.astype(np.int64), predictions.astype(np.int64)),
              weights.astype(dtype))
    return cm
