"""Regression metrics: MSE, MAE, RMSE, MAPE, MSLE, cosine similarity,
log-cosh error and R2Score."""
import warnings

import numpy as np

from seqcore import losses
from seqcore.metrics.metric import EPSILON, Metric, same_rank, to_array
from seqcore.metrics.declare import mean_metric_class
from seqcore.metrics.reduction_metrics import Mean


def _l2_normalize(x, axis):
    square_sum = np.sum(np.square(x), axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        inv_norm = 1.0 / np.sqrt(square_sum)
    return x * np.minimum(inv_norm, 1.0 / EPSILON).astype(x.dtype)


def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine of the angle between y_true and y_pred along `axis`
    (1 for the same direction; the metric's sign, unlike the loss's).
    (batch, d) -> (batch,)."""
    y_pred = to_array(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(np.float32)
    y_true = to_array(y_true, y_pred.dtype)
    y_true, y_pred = same_rank(y_true, y_pred)
    return np.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis),
                  axis=axis)


MeanSquaredError = mean_metric_class(
    "MeanSquaredError", losses.mean_squared_error, "mean_squared_error",
    module=__name__,
    doc="Mean of mean((y_true - y_pred)^2) over the last axis.")
MeanAbsoluteError = mean_metric_class(
    "MeanAbsoluteError", losses.mean_absolute_error, "mean_absolute_error",
    module=__name__,
    doc="Mean of mean(|y_true - y_pred|) over the last axis.")
MeanAbsolutePercentageError = mean_metric_class(
    "MeanAbsolutePercentageError", losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", module=__name__,
    doc="Mean of 100 * mean(|y_true - y_pred| / max(|y_true|, epsilon)).")
MeanSquaredLogarithmicError = mean_metric_class(
    "MeanSquaredLogarithmicError", losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", module=__name__,
    doc="Mean of mean((log(1 + y_pred) - log(1 + y_true))^2).")


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean of (y_pred - y_true)^2 over every
    element seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = to_array(y_true, self.dtype)
        y_pred = to_array(y_pred, self.dtype)
        y_true, y_pred = same_rank(y_true, y_pred)
        try:
            error_sq = np.square(y_pred - y_true)
        except ValueError:
            raise ValueError(f"RootMeanSquaredError: y_true and y_pred must "
                             f"have compatible shapes, received y_true.shape="
                             f"{y_true.shape} and y_pred.shape="
                             f"{y_pred.shape}") from None
        return super().update_state(error_sq, sample_weight=sample_weight)

    def result(self):
        return np.sqrt(super().result())

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


CosineSimilarity = mean_metric_class(
    "CosineSimilarity", cosine_similarity, "cosine_similarity",
    (("axis", -1),), config_keys=(), module=__name__,
    doc="Mean cosine similarity between labels and predictions along "
        "`axis` (Keras's config leaves `axis` out).")
LogCoshError = mean_metric_class(
    "LogCoshError", losses.log_cosh, "logcosh", module=__name__,
    doc="Mean of mean(log(cosh(y_pred - y_true))).")


class R2Score(Metric):
    """The coefficient of determination over every sample seen.

    Args:
        class_aggregation: None (one score per output), "uniform_average"
            or "variance_weighted_average".
        num_regressors: > 0 gives the adjusted R2 score.
        name, dtype: as every metric.
    y_true, y_pred: (batch, outputs). State: num_samples, then (built on
    the first batch) squared_sum, sum, residual, count, each (outputs,).
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument "
                             f"`class_aggregation`. Expected one of {valid}. "
                             f"Received: "
                             f"class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. "
                             f"Expected a value >= 0. Received: "
                             f"num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape "
                             f"(batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        n = y_pred_shape[-1]
        self.squared_sum = self.add_variable((n,), name="squared_sum")
        self.sum = self.add_variable((n,), name="sum")
        self.total_mse = self.add_variable((n,), name="residual")
        self.count = self.add_variable((n,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = to_array(y_true, self.dtype)
        y_pred = to_array(y_pred, self.dtype)
        y_true, y_pred = same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"R2Score: y_true and y_pred must have the same "
                             f"shape, received y_true.shape={y_true.shape} "
                             f"and y_pred.shape={y_pred.shape}")
        weight = np.asarray(1, self.dtype) if sample_weight is None else \
            to_array(sample_weight, self.dtype)
        if weight.ndim == 1:
            weight = weight[:, np.newaxis]
        weight = np.broadcast_to(weight, y_true.shape)
        weighted = y_true * weight
        self.sum.assign_add(np.sum(weighted, axis=0))
        self.squared_sum.assign_add(np.sum(y_true * weighted, axis=0))
        self.total_mse.assign_add(np.sum((y_true - y_pred) ** 2 * weight,
                                         axis=0))
        self.count.assign_add(np.sum(weight, axis=0))
        self.num_samples.assign_add(y_true.size)

    def result(self):
        if not self._built:
            return np.float32(np.nan)
        total_sum, count = self.sum.numpy(), self.count.numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = total_sum / count
            total = self.squared_sum.numpy() - total_sum * mean
            raw = 1 - self.total_mse.numpy() / total
        raw = np.where(np.isinf(raw), np.float32(0), raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            with np.errstate(divide="ignore", invalid="ignore"):
                score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        if self.num_regressors != 0:
            n = float(self.num_samples.numpy())
            if self.num_regressors > n - 1:
                warnings.warn("More independent predictors than datapoints "
                              "in adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            elif self.num_regressors == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling "
                              "back to standard R2 score.", stacklevel=2)
            else:
                p = np.float32(self.num_regressors)
                score = 1.0 - (1.0 - score) * (np.float32(n) - 1.0) / \
                    (np.float32(n) - p - 1.0)
        return np.asarray(score, dtype=np.float32)[()]

    def get_config(self):
        return {**super().get_config(),
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
