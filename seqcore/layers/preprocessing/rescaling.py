"""Rescaling: y = x * scale + offset."""
import numbers

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers.preprocessing._channel_map import channel_map
from seqcore.saving.serialization import register_builtin


def _number_or_list(name, value):
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim > 3:
        raise ValueError(f"Rescaling: {name} must be a number or a list of "
                         f"numbers (one per channel), received "
                         f"{name}={value!r}")
    return array.tolist()


@register_builtin
class Rescaling(Layer):
    """y = x * scale + offset, e.g. scale=1/255 for [0, 255] images.

    Args:
        scale: a number, or per-channel numbers broadcast on the last axis.
        offset: a number or per-channel numbers.
    Shape: any; the output has the input's shape (float32).
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _number_or_list("scale", scale)
        self.offset = _number_or_list("offset", offset)
        self.supports_masking = True

    def call(self, inputs, training=None):
        scale = np.asarray(self.scale, np.float32)
        offset = np.asarray(self.offset, np.float32)
        y = channel_map(inputs, scale, offset)
        if y is not None:
            return y
        return (inputs * scale + offset).astype(np.float32, copy=False)

    def backward(self, dy):
        scale = np.asarray(self.scale, np.float32)
        dx = dy * scale
        if dx.shape != dy.shape:   # a per-channel scale broadcast wider
            raise ValueError("Rescaling: scale does not match the input")
        return dx

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config
