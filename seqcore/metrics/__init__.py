"""Metrics (keras.metrics): stateful Metric objects that accumulate over
batches (update_state / result / reset_state), the per-sample functions
keras.metrics exports, and `get` / `serialize` / `deserialize`.

One module per family, as in Keras 3: reduction_metrics (Sum, Mean,
MeanMetricWrapper), accuracy_metrics, confusion_metrics, f_score_metrics,
regression_metrics, hinge_metrics, probabilistic_metrics, iou_metrics,
correlation_metrics; declare.py builds the classes that are the mean of a
per-sample function. docs/metrics.md lists the catalogue.
"""
import inspect

from seqcore import losses as _losses
from seqcore.engine.naming import to_snake_case
from seqcore.metrics.accuracy_metrics import (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy,
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from seqcore.metrics.confusion_metrics import (
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
    RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
    TrueNegatives, TruePositives)
from seqcore.metrics.correlation_metrics import (
    ConcordanceCorrelation, PearsonCorrelation, concordance_correlation,
    pearson_correlation)
from seqcore.metrics.f_score_metrics import F1Score, FBetaScore
from seqcore.metrics.hinge_metrics import CategoricalHinge, Hinge, \
    SquaredHinge
from seqcore.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, \
    OneHotMeanIoU
from seqcore.metrics.metric import EPSILON, Metric
from seqcore.metrics import probabilistic_metrics as _probabilistic
from seqcore.metrics.probabilistic_metrics import (
    BinaryCrossentropy, CategoricalCrossentropy, KLDivergence, Poisson,
    SparseCategoricalCrossentropy)
from seqcore.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from seqcore.metrics.regression_metrics import (
    CosineSimilarity, LogCoshError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError)
from seqcore.saving import serialization as _serialization

# The loss functions keras.metrics exports (seqcore.losses' own; the focal
# ones from seqcore.losses when it has them, else this package's).
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
hinge = _losses.hinge
squared_hinge = _losses.squared_hinge
categorical_hinge = _losses.categorical_hinge
huber = _losses.huber
kl_divergence = _losses.kl_divergence
log_cosh = _losses.log_cosh
mean_absolute_error = _losses.mean_absolute_error
mean_absolute_percentage_error = _losses.mean_absolute_percentage_error
mean_squared_error = _losses.mean_squared_error
mean_squared_logarithmic_error = _losses.mean_squared_logarithmic_error
poisson = _losses.poisson
binary_focal_crossentropy = getattr(
    _losses, "binary_focal_crossentropy",
    _probabilistic.binary_focal_crossentropy)
categorical_focal_crossentropy = getattr(
    _losses, "categorical_focal_crossentropy",
    _probabilistic.categorical_focal_crossentropy)

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    CosineSimilarity, LogCoshError, R2Score,
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall,
    Recall, RecallAtPrecision, SensitivityAtSpecificity,
    SpecificityAtSensitivity, TrueNegatives, TruePositives,
    ConcordanceCorrelation, PearsonCorrelation,
    Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore,
    IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)
# Keras's lookup table: class names, their snake-case forms, and the
# short aliases (these give the class, named after the class).
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls
                         for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})

_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy,
    sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, concordance_correlation,
    pearson_correlation, binary_focal_crossentropy,
    categorical_focal_crossentropy)}
_FUNCTIONS.update({name: fn for name, fn in (
    ("binary_crossentropy", binary_crossentropy),
    ("categorical_crossentropy", categorical_crossentropy),
    ("sparse_categorical_crossentropy", sparse_categorical_crossentropy),
    ("hinge", hinge), ("squared_hinge", squared_hinge),
    ("categorical_hinge", categorical_hinge), ("huber", huber),
    ("kl_divergence", kl_divergence), ("log_cosh", log_cosh),
    ("mean_absolute_error", mean_absolute_error),
    ("mean_absolute_percentage_error", mean_absolute_percentage_error),
    ("mean_squared_error", mean_squared_error),
    ("mean_squared_logarithmic_error", mean_squared_logarithmic_error),
    ("poisson", poisson))})


def _function_by_name(name):
    """A metric function by its name (built-in or registered), or None."""
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    for key, obj in _serialization._CUSTOM_OBJECTS.items():
        if callable(obj) and not inspect.isclass(obj) and (
                key == name or key.split(">")[-1] == name):
            return obj
    return None


def serialize(metric):
    """Keras's dict for a Metric; a function's serialized form."""
    if isinstance(metric, Metric) and \
            ALL_OBJECTS_DICT.get(type(metric).__name__) is not type(metric):
        from seqcore.saving.serialization import serialize_keras_object
        return serialize_keras_object(metric)   # a user's class
    if isinstance(metric, Metric):
        return {"module": "keras.metrics",
                "class_name": type(metric).__name__,
                "config": metric.get_config(),
                "registered_name": type(metric).__dict__.get(
                    "_registered_name", None)}
    if callable(metric):
        return {"module": "builtins", "class_name": "function",
                "config": getattr(metric, "__name__", str(metric)),
                "registered_name": "function"}
    raise ValueError(f"Could not serialize metric {metric!r}: expected a "
                     f"Metric or a function")


def deserialize(config, custom_objects=None):
    """A Metric (or metric function) from serialize()'s dict or a name."""
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret serialized metric: {config!r}")
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "function":
        fn = (custom_objects or {}).get(inner) or _function_by_name(inner)
        if fn is None:
            raise ValueError(f"Unknown metric function {inner!r}")
        return fn
    cls = None
    registered = config.get("registered_name")
    from seqcore.saving.object_registration import get_registered_object
    for table in (custom_objects or {}, _serialization._CUSTOM_OBJECTS):
        cls = table.get(registered) or table.get(class_name)
        if cls is not None:
            break
    cls = cls or get_registered_object(registered) or \
        get_registered_object(class_name) or ALL_OBJECTS_DICT.get(class_name)
    if cls is None:
        raise ValueError(f"Could not interpret metric identifier: "
                         f"{class_name!r}: it is not a Keras metric class and "
                         f"not in `custom_objects` or registered with "
                         f"`seqcore.saving.register_keras_serializable`")
    return cls.from_config(dict(inner))


def get(identifier):
    """A Metric from a name (a class name, its snake-case form or an alias
    such as "mse"), a config dict, a Metric class or instance; a function
    fn(y_true, y_pred) is wrapped in a MeanMetricWrapper named after it.
    None stays None; anything else is Keras's ValueError."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        from seqcore.saving.object_registration import get_registered_object
        obj = ALL_OBJECTS_DICT.get(identifier) or \
            get_registered_object(identifier)
        if obj is None:
            raise ValueError(
                f"Could not interpret metric identifier: {identifier!r}; "
                f"known names: {sorted(ALL_OBJECTS_DICT)}")
    else:
        obj = identifier
    if inspect.isclass(obj) and issubclass(obj, Metric):
        return obj()
    if isinstance(obj, Metric):
        return obj
    if callable(obj):
        return MeanMetricWrapper(obj)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


__all__ = sorted(
    [cls.__name__ for cls in ALL_OBJECTS] + sorted(_FUNCTIONS) +
    ["get", "serialize", "deserialize"])
