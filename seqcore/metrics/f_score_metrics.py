"""FBetaScore and F1Score over (batch, classes) predictions."""
import numpy as np

from seqcore.metrics.metric import EPSILON, Metric, to_array


class FBetaScore(Metric):
    """(1 + beta^2) * precision * recall / (beta^2 * precision + recall),
    per class or averaged.

    Args:
        average: None (one score per class), "micro" (counts pooled over
            classes), "macro" (mean of the per-class scores) or "weighted"
            (mean weighted by each class's true count).
        beta: a positive Python float.
        threshold: predictions above it are positive; None marks the
            largest prediction of each row (if nonzero) as positive.
        name, dtype: as every metric.
    State (built on the first batch): true_positives, false_positives,
    false_negatives, intermediate_weights, each (classes,) or () for micro.
    """

    def __init__(self, average=None, beta=1.0, threshold=None,
                 name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"Invalid `average` argument value. Expected one "
                             f"of: {{None, 'micro', 'macro', 'weighted'}}. "
                             f"Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a "
                             f"Python float. Received: beta={beta} of type "
                             f"'{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be "
                             f"> 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"Invalid `threshold` argument value. It "
                                 f"should be a Python float. Received: "
                                 f"threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(f"Invalid `threshold` argument value. It "
                                 f"should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape "
                             f"(batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape,
                                                 name="false_positives")
        self.false_negatives = self.add_variable(shape,
                                                 name="false_negatives")
        self.intermediate_weights = self.add_variable(
            shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = to_array(y_true, self.dtype)
        y_pred = to_array(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if y_true.shape != y_pred.shape:
            raise ValueError(f"FBetaScore: y_true and y_pred must have the "
                             f"same shape, received y_true.shape="
                             f"{y_true.shape} and y_pred.shape="
                             f"{y_pred.shape}")
        if self.threshold is None:
            top = np.max(y_pred, axis=-1, keepdims=True)
            positive = (y_pred >= top) & (np.abs(y_pred) > 1e-9)
        else:
            positive = y_pred > self.threshold
        y_pred = positive.astype(self.dtype)
        weight = None if sample_weight is None else \
            to_array(sample_weight, self.dtype)[:, np.newaxis]

        def weighted_sum(values):
            if weight is not None:
                values = values * weight
            return np.sum(values, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        if not self._built:
            return np.float32(0.0)
        tp, fp, fn, weights = (v.numpy() for v in (
            self.true_positives, self.false_positives, self.false_negatives,
            self.intermediate_weights))
        eps = np.float32(EPSILON)
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        beta2 = np.float32(self.beta ** 2)
        score = precision * recall / (beta2 * precision + recall + eps) * \
            (1 + beta2)
        if self.average == "weighted":
            score = np.sum(score * (weights / (np.sum(weights) + eps)))
        elif self.average is not None:
            score = np.mean(score)
        return np.asarray(score, dtype=np.float32)[()]

    def reset_state(self):
        super().reset_state()

    def get_config(self):
        return {**super().get_config(), "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """FBetaScore with beta = 1 (harmonic mean of precision and recall)."""

    def __init__(self, average=None, threshold=None, name="f1_score",
                 dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold,
                         name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
