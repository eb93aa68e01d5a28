"""Names of keras.losses: `get` (a name, a config dict, a Loss or a
function), `as_loss` (what training uses: always a Loss object),
`serialize` and `deserialize`."""
import inspect

from seqcore.losses import classes, focal, generalized, probabilistic
from seqcore.losses import regression, segmentation, sequence, similarity
from seqcore.losses.base import Loss, LossFunctionWrapper

CLASSES = {
    cls.__name__: cls
    for cls in (
        classes.MeanSquaredError,
        classes.MeanAbsoluteError,
        classes.MeanAbsolutePercentageError,
        classes.MeanSquaredLogarithmicError,
        classes.BinaryCrossentropy,
        classes.CategoricalCrossentropy,
        classes.SparseCategoricalCrossentropy,
        classes.Hinge,
        classes.SquaredHinge,
        classes.CategoricalHinge,
        classes.Huber,
        classes.LogCosh,
        classes.KLDivergence,
        classes.Poisson,
        classes.CosineSimilarity,
        focal.BinaryFocalCrossentropy,
        focal.CategoricalFocalCrossentropy,
        segmentation.Dice,
        segmentation.Tversky,
        similarity.Circle,
        sequence.CTC,
        generalized.CategoricalGeneralizedCrossEntropy,
    )
}
FUNCTIONS = {
    fn.__name__: fn
    for fn in (
        regression.mean_squared_error,
        regression.mean_absolute_error,
        regression.mean_absolute_percentage_error,
        regression.mean_squared_logarithmic_error,
        regression.huber,
        regression.log_cosh,
        regression.poisson,
        regression.cosine_similarity,
        probabilistic.binary_crossentropy,
        probabilistic.categorical_crossentropy,
        probabilistic.sparse_categorical_crossentropy,
        probabilistic.hinge,
        probabilistic.squared_hinge,
        probabilistic.categorical_hinge,
        probabilistic.kl_divergence,
        focal.binary_focal_crossentropy,
        focal.categorical_focal_crossentropy,
        segmentation.dice,
        segmentation.tversky,
        similarity.circle,
        sequence.ctc,
        generalized.categorical_generalized_cross_entropy,
    )
}
# Keras's short names (keras.losses.get), and Keras 2's.
ALIASES = {
    "bce": probabilistic.binary_crossentropy,
    "BCE": probabilistic.binary_crossentropy,
    "kld": probabilistic.kl_divergence,
    "KLD": probabilistic.kl_divergence,
    "mae": regression.mean_absolute_error,
    "MAE": regression.mean_absolute_error,
    "mse": regression.mean_squared_error,
    "MSE": regression.mean_squared_error,
    "mape": regression.mean_absolute_percentage_error,
    "MAPE": regression.mean_absolute_percentage_error,
    "msle": regression.mean_squared_logarithmic_error,
    "MSLE": regression.mean_squared_logarithmic_error,
    "kullback_leibler_divergence": probabilistic.kl_divergence,
    "logcosh": regression.log_cosh,
}
_FUNCTIONS = dict(FUNCTIONS, **ALIASES)
_CLASSES = CLASSES
CLASS_OF = {cls.fn: cls for cls in CLASSES.values()}


def known_names():
    """Every name `get` resolves, sorted (functions, then classes)."""
    return sorted(_FUNCTIONS) + sorted(CLASSES)


def _user_object(name):
    """A loss the user made known by name (an open custom_object_scope or
    register_keras_serializable), as Keras's lookup finds it; or None."""
    from seqcore.saving.object_registration import get_registered_object
    return get_registered_object(name)


def _unknown(identifier):
    return ValueError(
        f"Could not interpret loss identifier: {identifier!r}; known "
        f"names: {known_names()}")


def deserialize(name, custom_objects=None):
    """A loss from its serialized form: a config dict (a class's, or
    Keras's {"class_name": "function", "config": name}) or a name.

    Args:
        name: the serialized loss.
        custom_objects: optional {name: class or function} searched first.
    """
    custom_objects = custom_objects or {}
    if isinstance(name, str):
        found = custom_objects.get(name) or _FUNCTIONS.get(name) or \
            CLASSES.get(name) or _user_object(name)
        if found is None:
            raise _unknown(name)
        return found() if inspect.isclass(found) else found
    if not isinstance(name, dict):
        raise ValueError(
            f"Could not deserialize loss: expected a name or a config "
            f"dict, received {name!r}")
    class_name = name.get("class_name")
    if class_name == "function":
        return deserialize(name.get("config"), custom_objects)
    cls = custom_objects.get(class_name) or CLASSES.get(class_name) or \
        _user_object(name.get("registered_name") or class_name) or \
        _user_object(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown loss class {class_name!r}; known classes: "
            f"{sorted(CLASSES)}")
    return cls.from_config(name.get("config", {}))


def get(identifier):
    """A loss from a name (function or class name), a config dict, a Loss,
    or a function `fn(y_true, y_pred)`; None stays None."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in CLASSES:
            return CLASSES[identifier]()
        found = _user_object(identifier)
        if found is None:
            raise _unknown(identifier)
        return found() if inspect.isclass(found) else found
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def as_loss(identifier):
    """A Loss object (what training uses) for any identifier `get` takes:
    built-in functions become their class; other functions are wrapped and
    differentiated by the tape (they must be written with seqcore.ops)."""
    loss = get(identifier)
    if isinstance(loss, Loss):
        return loss
    builtin = getattr(loss, "__wrapped__", loss)   # the tape-aware forms
    if builtin in CLASS_OF:
        return CLASS_OF[builtin]()
    return LossFunctionWrapper(loss, None)


def serialize(loss):
    """A Loss's config dict (Keras's layout), or a function's name."""
    if isinstance(loss, Loss) and type(loss) not in CLASSES.values():
        from seqcore.saving.serialization import serialize_keras_object
        return serialize_keras_object(loss)     # a user's class
    if isinstance(loss, Loss):
        return {
            "module": "keras.losses",
            "class_name": type(loss).__name__,
            "config": loss.get_config(),
            "registered_name": None,
        }
    return getattr(loss, "__name__", None)
