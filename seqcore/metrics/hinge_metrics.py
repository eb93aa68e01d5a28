"""Hinge metrics: means of seqcore.losses' hinge functions."""
from seqcore import losses
from seqcore.metrics.declare import mean_metric_class

Hinge = mean_metric_class(
    "Hinge", losses.hinge, "hinge", module=__name__,
    doc="Mean of mean(max(1 - y_true * y_pred, 0)); {0, 1} labels become "
        "{-1, 1}.")
SquaredHinge = mean_metric_class(
    "SquaredHinge", losses.squared_hinge, "squared_hinge", module=__name__,
    doc="Mean of mean(max(1 - y_true * y_pred, 0)^2).")
CategoricalHinge = mean_metric_class(
    "CategoricalHinge", losses.categorical_hinge, "categorical_hinge",
    module=__name__,
    doc="Mean of max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + "
        "1, 0).")
