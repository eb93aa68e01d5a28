"""The base of callbacks that watch one logged value (EarlyStopping,
ModelCheckpoint, ReduceLROnPlateau)."""
import warnings

from seqcore.callbacks.callback import Callback

# Names whose larger values are better when mode='auto' and the model's
# metric gives no direction.
_UP = ("acc", "accuracy", "auc", "precision", "recall", "f1_score",
       "fbeta_score", "r2_score", "iou", "mean_iou", "binary_iou",
       "one_hot_iou", "one_hot_mean_iou", "true_positives",
       "true_negatives", "precision_at_recall", "recall_at_precision",
       "sensitivity_at_specificity", "specificity_at_sensitivity")
_DOWN = ("loss", "mae", "mse", "mape", "msle", "rmse", "logcosh", "hinge",
         "squared_hinge", "categorical_hinge", "poisson", "kl_divergence",
         "false_positives", "false_negatives")


class MonitorCallback(Callback):
    """Tracks the best value of `monitor` in the epoch logs.

    Args:
        monitor: the log key (e.g. 'val_loss').
        mode: 'min', 'max' or 'auto' (from the metric's direction: losses
            and errors decrease, accuracies increase).
        baseline: the value to beat first (or None).
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None,
                 min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, "
                          f"fallback to auto mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _metric_direction(self, name):
        for metric in getattr(self.model, "metrics", None) or []:
            if getattr(metric, "name", None) == name:
                direction = getattr(metric, "_direction", None)
                if direction in ("up", "down"):
                    return direction
        base = name
        for prefix in ("weighted_",):
            base = base[len(prefix):] if base.startswith(prefix) else base
        if base in _UP or base.endswith("accuracy"):
            return "up"
        if base == "loss" or base.endswith("_loss") or base in _DOWN or \
                base.endswith("error"):
            return "down"
        return None

    def _set_monitor_op(self):
        if self.mode == "min":
            direction = "down"
        elif self.mode == "max":
            direction = "up"
        else:
            name = self.monitor[4:] if self.monitor.startswith("val_") \
                else self.monitor
            direction = self._metric_direction(name)
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor="
                    f"{self.monitor}, but seqcore isn't able to "
                    f"automatically determine whether that metric should be "
                    f"maximized or minimized. Pass `mode='max'` in order to "
                    f"monitor based on the highest metric value, or pass "
                    f"`mode='min'` in order to use the lowest value.")
        self.monitor_op = "less" if direction == "down" else "greater"

    def _is_improvement(self, value, reference):
        """Whether `value` beats `reference` by more than min_delta."""
        if reference is None:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.monitor_op == "less":
            return value + self.min_delta < reference
        return value - self.min_delta > reference
