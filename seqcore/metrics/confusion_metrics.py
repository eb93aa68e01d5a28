"""Metrics from confusion counts at thresholds: TruePositives, ...,
Precision, Recall, the X-at-Y metrics and AUC."""
import inspect

import numpy as np

from seqcore.metrics import metrics_utils as mu
from seqcore.metrics.metric import EPSILON, Metric, divide_no_nan, \
    to_array


def _sigmoid(x):
    x = np.asarray(x, dtype=np.float32)
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))),
                    np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x)))
                    ).astype(np.float32)


def _f32(value):
    return np.asarray(value, dtype=np.float32)


class _ConfusionMatrixConditionCount(Metric):
    """The weighted count of one confusion condition at each threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); a
            prediction above a threshold counts as positive.
        name, dtype: as every metric.
    State: `accumulator`, shape (len(thresholds),).
    """

    _condition = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = mu.parse_init_thresholds(thresholds, 0.5)
        self._thresholds_distributed_evenly = \
            mu.is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        mu.update_confusion_matrix_variables(
            {self._condition: self.accumulator}, y_true, y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight)

    def result(self):
        value = self.accumulator.numpy()
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class FalsePositives(_ConfusionMatrixConditionCount):
    """Weighted count of negatives predicted positive."""
    _condition = mu.FP


class FalseNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of positives predicted negative."""
    _condition = mu.FN


class TrueNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of negatives predicted negative."""
    _condition = mu.TN


class TruePositives(_ConfusionMatrixConditionCount):
    """Weighted count of positives predicted positive."""
    _condition = mu.TP


class _PrecisionRecall(Metric):
    """Shared state of Precision and Recall.

    Args:
        thresholds: float or list in [0, 1]; default 0.5 (none with top_k).
        top_k: only the k largest predictions of a row count as positive.
        class_id: look at one column of (batch, classes).
        name, dtype: as every metric.
    """

    _second = None   # FP for Precision, FN for Recall

    def __init__(self, thresholds=None, top_k=None, class_id=None,
                 name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else mu.NEG_INF
        self.thresholds = mu.parse_init_thresholds(thresholds, default)
        self._thresholds_distributed_evenly = \
            mu.is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,),
                                                name=mu.TP)
        setattr(self, self._second, self.add_variable(shape=(n,),
                                                      name=self._second))

    def update_state(self, y_true, y_pred, sample_weight=None):
        mu.update_confusion_matrix_variables(
            {mu.TP: self.true_positives,
             self._second: getattr(self, self._second)},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k, class_id=self.class_id,
            sample_weight=sample_weight)

    def result(self):
        tp = self.true_positives.numpy()
        value = divide_no_nan(tp, tp + getattr(self, self._second).numpy())
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """true_positives / (true_positives + false_positives)."""
    _second = mu.FP


class Recall(_PrecisionRecall):
    """true_positives / (true_positives + false_negatives)."""
    _second = mu.FN


class SensitivitySpecificityBase(Metric):
    """The four confusion counts at num_thresholds evenly spaced
    thresholds in [0, 1], for the X-at-Y metrics.

    Args:
        value: the constraint's target.
        num_thresholds: > 0 (1 means the single threshold 0.5).
        class_id: look at one column of (batch, classes).
    """

    def __init__(self, value, num_thresholds=200, class_id=None, name=None,
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer "
                             f"> 0. Received: num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1)
                     for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name=mu.TP)
        self.false_positives = self.add_variable(shape=(n,), name=mu.FP)
        self.true_negatives = self.add_variable(shape=(n,), name=mu.TN)
        self.false_negatives = self.add_variable(shape=(n,), name=mu.FN)

    def update_state(self, y_true, y_pred, sample_weight=None):
        mu.update_confusion_matrix_variables(
            {mu.TP: self.true_positives, mu.TN: self.true_negatives,
             mu.FP: self.false_positives, mu.FN: self.false_negatives},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id, sample_weight=sample_weight)

    def _rates(self):
        tp, fp, tn, fn = (v.numpy() for v in (
            self.true_positives, self.false_positives, self.true_negatives,
            self.false_negatives))
        return {"sensitivity": divide_no_nan(tp, tp + fn),
                "specificity": divide_no_nan(tn, tn + fp),
                "precision": divide_no_nan(tp, tp + fp)}

    def _find_max_under_constraint(self, constrained, dependent):
        feasible = constrained >= np.float32(self.value)
        return np.float32(max(0.0, float(np.max(np.where(feasible, dependent,
                                                         0)))))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id}


def _check_unit(name, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. "
                         f"Received: {name}={value}")


_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD


def _at_constraint(class_name, argument, constrained, target, doc):
    """A SensitivitySpecificityBase class: the best `target` rate among
    thresholds whose `constrained` rate is at least the constructor's
    `argument` (a value in [0, 1]); constructor `(argument,
    num_thresholds=200, class_id=None, name=None, dtype=None)`, config
    with num_thresholds and `argument` (Keras's)."""
    signature = inspect.Signature(
        [inspect.Parameter(arg, _KEYWORD, **default) for arg, default in (
            ("self", {}), (argument, {}),
            ("num_thresholds", {"default": 200}),
            ("class_id", {"default": None}), ("name", {"default": None}),
            ("dtype", {"default": None}))])

    def __init__(self, *args, **kwargs):
        values = signature.bind(self, *args, **kwargs)
        values.apply_defaults()
        values = values.arguments
        _check_unit(argument, values[argument])
        setattr(self, argument, values[argument])
        self.num_thresholds = values["num_thresholds"]
        SensitivitySpecificityBase.__init__(
            self, values[argument], num_thresholds=values["num_thresholds"],
            class_id=values["class_id"], name=values["name"],
            dtype=values["dtype"])
    __init__.__signature__ = signature

    def result(self):
        rates = self._rates()
        return self._find_max_under_constraint(rates[constrained],
                                               rates[target])

    def get_config(self):
        return {**SensitivitySpecificityBase.get_config(self),
                "num_thresholds": self.num_thresholds,
                argument: getattr(self, argument)}
    return type(class_name, (SensitivitySpecificityBase,), {
        "__init__": __init__, "result": result, "get_config": get_config,
        "__doc__": doc, "__module__": __name__, "__qualname__": class_name})


SensitivityAtSpecificity = _at_constraint(
    "SensitivityAtSpecificity", "specificity", "specificity", "sensitivity",
    """The best sensitivity among thresholds whose specificity is at least
    `specificity`.""")
SpecificityAtSensitivity = _at_constraint(
    "SpecificityAtSensitivity", "sensitivity", "sensitivity", "specificity",
    """The best specificity among thresholds whose sensitivity is at least
    `sensitivity`.""")
PrecisionAtRecall = _at_constraint(
    "PrecisionAtRecall", "recall", "sensitivity", "precision",
    """The best precision among thresholds whose recall is at least
    `recall`.""")
RecallAtPrecision = _at_constraint(
    "RecallAtPrecision", "precision", "precision", "sensitivity",
    """The best recall among thresholds whose precision is at least
    `precision`.""")


_CURVES = {"roc": "ROC", "ROC": "ROC", "pr": "PR", "PR": "PR",
           "prgain": "PRGAIN", "PRGAIN": "PRGAIN"}
_SUMMATIONS = {"interpolation": "interpolation",
               "Interpolation": "interpolation", "majoring": "majoring",
               "Majoring": "majoring", "minoring": "minoring",
               "Minoring": "minoring"}


class AUC(Metric):
    """Area under the ROC, PR or PR-gain curve, from confusion counts at
    num_thresholds thresholds.

    Args:
        num_thresholds: > 1 (default 200); the thresholds are
            i / (num_thresholds - 1) with -epsilon and 1 + epsilon at the
            ends.
        curve: "ROC" (default), "PR" or "PRGAIN".
        summation_method: "interpolation" (trapezoids for ROC, Davis &
            Goadrich for PR), "minoring" or "majoring".
        name, dtype: as every metric.
        thresholds: explicit thresholds in [0, 1] instead.
        multi_label: one curve per column of (batch, labels), averaged.
        num_labels: the number of labels with multi_label (else built on
            the first batch).
        label_weights: weights of the labels (mean over labels with
            multi_label; weights of the counts otherwise).
        from_logits: apply a sigmoid to y_pred first.
    State: true_positives, false_positives, true_negatives,
    false_negatives, each (num_thresholds,) or (num_thresholds, labels).
    """

    def __init__(self, num_thresholds=200, curve="ROC",
                 summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            mu.parse_init_thresholds(thresholds)
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = \
                mu.is_evenly_distributed_thresholds(
                    np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an "
                                 f"integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + thresholds +
                                    [1.0 + EPSILON])
        if curve not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected '
                             f'values are ["PR", "ROC", "PRGAIN"]')
        if summation_method not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: '
                             f'"{summation_method}". Expected values are '
                             f'["interpolation", "majoring", "minoring"]')
        self.curve = _CURVES[curve]
        self.summation_method = _SUMMATIONS[summation_method]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            np.asarray(label_weights, dtype=np.float32)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when "
                                 "`multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when "
                                 f"`multi_label=True`. Found rank "
                                 f"{len(shape)}. Full shape received for "
                                 f"`y_pred`: {tuple(shape)}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        self.true_positives = self.add_variable(variable_shape, name=mu.TP)
        self.false_positives = self.add_variable(variable_shape, name=mu.FP)
        self.true_negatives = self.add_variable(variable_shape, name=mu.TN)
        self.false_negatives = self.add_variable(variable_shape, name=mu.FN)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = to_array(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = _sigmoid(y_pred)
        mu.update_confusion_matrix_variables(
            {mu.TP: self.true_positives, mu.TN: self.true_negatives,
             mu.FP: self.false_positives, mu.FN: self.false_negatives},
            y_true, y_pred, self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _by_label(self, terms):
        """Sum over thresholds; with multi_label, the (weighted) mean over
        labels."""
        if not self.multi_label:
            return np.float32(np.sum(terms))
        by_label = np.sum(terms, axis=0)
        if self.label_weights is None:
            return np.float32(np.mean(by_label))
        return np.float32(divide_no_nan(np.sum(by_label * self.label_weights),
                                        np.sum(self.label_weights)))

    def interpolate_pr_auc(self):
        """PR AUC by Davis & Goadrich's interpolation between thresholds."""
        n = self.num_thresholds
        tp, fp, fn = (_f32(v.numpy()) for v in (
            self.true_positives, self.false_positives, self.false_negatives))
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:n - 1] > 0) & (p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[:n - 1], np.maximum(p[1:], 0)),
                         np.float32(1))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log(ratio)
        increments = divide_no_nan(slope * (dtp + intercept * log_ratio),
                                   np.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(increments)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp, fp, tn, fn = (_f32(v.numpy()) for v in (
            self.true_positives, self.false_positives, self.true_negatives,
            self.false_negatives))
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:
            scale = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * divide_no_nan(fp, tp)
            recall_gain = np.where(tp == 0, np.float32(0), recall_gain)
            precision_gain = np.where(tp == 0, np.float32(1), precision_gain)
            x, y = np.maximum(recall_gain, 0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / np.float32(2)
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:n - 1], y[1:])
        else:
            heights = np.maximum(y[:n - 1], y[1:])
        return self._by_label((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        label_weights = None if self.label_weights is None else \
            self.label_weights.tolist()
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method,
                  "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": label_weights,
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
