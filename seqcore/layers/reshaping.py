"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector."""
import math

import numpy as np

from seqcore.config import standardize_data_format
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.layers._validation import positive_int
from seqcore.saving.serialization import register_builtin


@register_builtin
class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "Flatten")
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs, training=None):
        if training:
            self._saved = inputs.shape
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = np.moveaxis(inputs, 1, -1)
        # The size, not -1: with an empty batch, -1 would be ambiguous.
        return np.ascontiguousarray(inputs).reshape(
            inputs.shape[0], math.prod(inputs.shape[1:]))

    def backward(self, dy):
        shape = self._saved
        if self.data_format == "channels_first" and len(shape) > 2:
            moved = shape[:1] + shape[2:] + shape[1:2]
            return np.ascontiguousarray(
                np.moveaxis(dy.reshape(moved), -1, 1))
        return dy.reshape(shape)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


@register_builtin
class Reshape(Layer):
    """(batch, ...) -> (batch,) + target_shape; one entry may be -1."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target = tuple(int(d) for d in target_shape)
        except (TypeError, ValueError):
            raise ValueError(f"Reshape: target_shape must be a tuple of "
                             f"integers, received target_shape="
                             f"{target_shape!r}") from None
        if target.count(-1) > 1 or any(d < -1 or d == 0 for d in target):
            raise ValueError(f"Reshape: target_shape may hold positive sizes "
                             f"and at most one -1, received target_shape="
                             f"{target_shape!r}")
        self.target_shape = target

    def _resolve(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                raise self._mismatch(input_shape)
            return tuple(size // known if d == -1 else d
                         for d in self.target_shape)
        if known != size:
            raise self._mismatch(input_shape)
        return self.target_shape

    def _mismatch(self, input_shape):
        return ValueError(
            f"Reshape '{self.name}': total size of the new array must be "
            f"unchanged, input_shape = {tuple(input_shape[1:])}, "
            f"output_shape = {self.target_shape}")

    def call(self, inputs, training=None):
        if training:
            self._saved = inputs.shape
        return inputs.reshape((inputs.shape[0],) + self._resolve(inputs.shape))

    def backward(self, dy):
        return dy.reshape(self._saved)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


@register_builtin
class Permute(Layer):
    """Permutes the non-batch axes; dims are 1-indexed, as in Keras."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for "
                             f"Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1. "
                             f"Received dims={dims}")
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs, training=None):
        return np.ascontiguousarray(np.transpose(inputs, (0,) + self.dims))

    def backward(self, dy):
        return np.ascontiguousarray(
            np.transpose(dy, np.argsort((0,) + tuple(self.dims))))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


@register_builtin
class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = positive_int("RepeatVector", "n", n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs, training=None):
        return np.repeat(inputs[:, np.newaxis, :], self.n, axis=1)

    def backward(self, dy):
        return np.add.reduce(dy, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config
