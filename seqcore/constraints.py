"""Weight constraints (keras.constraints): projections the optimizer applies
to a variable right after each of its updates.

A constraint is a callable `w -> projected w` on an array of the variable's
shape; the norms below are taken over `axis` (an int or a list of ints) with
Keras's epsilon (1e-7) in the denominator, so a zero column stays zero.
"""
import numpy as np

from seqcore.saving.serialization import get_object, serialize_object

_EPSILON = 1e-7


class Constraint:
    """Base class: `__call__(w)` returns the projected weights (the base
    class returns them unchanged). Subclasses override `__call__` and, if
    they take arguments, `get_config`."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    """The L2 norms of `w` over `axis`, kept as size-1 axes (float32)."""
    w = np.asarray(w, np.float32)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return w, np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Scale each slice over `axis` down so its L2 norm is at most
    `max_value` (slices already within the bound are left, up to epsilon).

    Args:
        max_value: the largest norm allowed.
        axis: the axis or axes the norm runs over: 0 for a Dense kernel
            (in, units) bounds each unit's incoming weights; [0, 1, 2] for a
            Conv2D kernel (kh, kw, in, filters) bounds each filter.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w, norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return w * (desired / (np.float32(_EPSILON) + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights become 0."""

    def __call__(self, w):
        return np.maximum(np.asarray(w, np.float32), 0)


class UnitNorm(Constraint):
    """Divide each slice over `axis` by its L2 norm (plus epsilon).

    Args:
        axis: the axis or axes the norm runs over (see MaxNorm).
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w, norms = _norms(w, self.axis)
        return w / (np.float32(_EPSILON) + norms)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each slice's L2 norm over `axis` toward [min_value, max_value]:
    the new norm is `rate * clip(norm, min, max) + (1 - rate) * norm`.

    Args:
        min_value, max_value: the bounds of the norm.
        rate: 1.0 enforces the bounds at once; less moves part of the way
            each step.
        axis: the axis or axes the norm runs over (see MaxNorm).
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w, norms = _norms(w, self.axis)
        desired = (self.rate * np.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (np.float32(_EPSILON) + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value,
                "rate": self.rate, "axis": self.axis}


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_CLASSES = {"Constraint": Constraint, "MaxNorm": MaxNorm,
            "MinMaxNorm": MinMaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm}
_ALIASES = {"constraint": Constraint, "max_norm": MaxNorm,
            "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
            "unit_norm": UnitNorm}


def get(identifier):
    """A constraint from a name ("max_norm", "MaxNorm", ...), a config dict,
    an instance or a callable; None stays None."""
    return get_object(identifier, _CLASSES, _ALIASES, "constraint")


def serialize(constraint):
    """Keras's config dict of a constraint (None stays None)."""
    return serialize_object(constraint, "keras.constraints")


def deserialize(config, custom_objects=None):
    """The constraint a serialized dict (or a name) describes."""
    if custom_objects and isinstance(config, dict):
        cls = custom_objects.get(config.get("class_name"))
        if cls is not None:
            return cls.from_config(config.get("config", {}))
    return get(config)


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm",
           "deserialize", "get", "max_norm", "min_max_norm", "non_neg",
           "serialize", "unit_norm"]
