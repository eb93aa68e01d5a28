"""Hinge metrics: means of seqcore.losses' hinge functions."""
from seqcore import losses
from seqcore.metrics.reduction_metrics import MeanMetricWrapper


class Hinge(MeanMetricWrapper):
    """Mean of mean(max(1 - y_true * y_pred, 0)); {0, 1} labels become
    {-1, 1}."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(fn=losses.hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SquaredHinge(MeanMetricWrapper):
    """Mean of mean(max(1 - y_true * y_pred, 0)^2)."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(fn=losses.squared_hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class CategoricalHinge(MeanMetricWrapper):
    """Mean of max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1,
    0)."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(fn=losses.categorical_hinge, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
