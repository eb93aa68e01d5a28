"""Pearson and concordance correlation along an axis, and their means."""
import numpy as np

from seqcore.metrics.metric import EPSILON, same_rank, to_array
from seqcore.metrics.declare import mean_metric_class


def _pair(y_true, y_pred):
    y_pred = to_array(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(np.float32)
    return same_rank(to_array(y_true, y_pred.dtype), y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation of y_true and y_pred along `axis`.
    (batch, d) -> (batch,)."""
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true - np.mean(y_true, axis=axis, keepdims=True)
    p = y_pred - np.mean(y_pred, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = t / np.std(t, axis=axis, keepdims=True)
        p = p / np.std(p, axis=axis, keepdims=True)
    return np.mean(t * p, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation along `axis`, written as Keras 3.15
    computes it. (batch, d) -> (batch,)."""
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = np.mean(y_true, axis=axis, keepdims=True)
    pred_mean = np.mean(y_pred, axis=axis, keepdims=True)
    true_var = np.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = np.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covar = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + np.square(true_mean - pred_mean)
    return np.mean(2 * covar / (norm + np.asarray(EPSILON, norm.dtype)),
                   axis=axis)


PearsonCorrelation = mean_metric_class(
    "PearsonCorrelation", pearson_correlation, "pearson_correlation",
    (("axis", -1),), module=__name__,
    doc="Mean Pearson correlation along `axis`.")
ConcordanceCorrelation = mean_metric_class(
    "ConcordanceCorrelation", concordance_correlation,
    "concordance_correlation", (("axis", -1),), module=__name__,
    doc="Mean concordance correlation along `axis`.")
