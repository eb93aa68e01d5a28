"""keras.optimizers: the optimizers, `get`, and the learning-rate schedules."""
from seqcore.optimizers import schedules
from seqcore.optimizers.base import Optimizer
from seqcore.optimizers.rules import (SGD, Adadelta, Adafactor, Adagrad,
                                      Adam, Adamax, AdamW, Ftrl, Lamb, Lion,
                                      Nadam, RMSprop)
from seqcore.optimizers.muon import Muon
from seqcore.optimizers.schedule_free import ScheduleFreeAdamW
from seqcore.optimizers.loss_scale import LossScaleOptimizer
from seqcore.optimizers.multi import MultiOptimizer, OptimizerMap
from seqcore.optimizers import legacy

_CLASSES = {cls.__name__.lower(): cls for cls in (
    SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam, Ftrl, Lion,
    Lamb, Adafactor, Muon, ScheduleFreeAdamW, LossScaleOptimizer,
    MultiOptimizer)}


def get(identifier):
    """An optimizer from a name ('adam', 'sgd', ...), a config dict or an
    Optimizer (returned as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _CLASSES:
        return _CLASSES[identifier.lower()]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: "
                     f"{identifier!r}; known names: {sorted(_CLASSES)}")


def serialize(optimizer):
    return {"module": "keras.optimizers",
            "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    name = config.get("class_name", "")
    cls = _CLASSES.get(name.lower())
    if cls is None and custom_objects and name in custom_objects:
        cls = custom_objects[name]
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: "
                         f"{name!r}; known names: {sorted(_CLASSES)}")
    if cls in (LossScaleOptimizer, MultiOptimizer):
        return cls.from_config(dict(config.get("config", {})),
                               custom_objects=custom_objects)
    return cls.from_config(config.get("config", {}))


__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam",
           "AdamW", "Adamax", "Nadam", "Ftrl", "Lion", "Lamb", "Adafactor",
           "Muon", "ScheduleFreeAdamW", "LossScaleOptimizer",
           "MultiOptimizer", "OptimizerMap", "legacy",
           "get", "serialize", "deserialize", "schedules"]
