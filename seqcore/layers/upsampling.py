"""Upsampling layers: UpSampling1D, UpSampling2D (nearest, or bilinear,
bicubic, lanczos3, lanczos5), UpSampling3D.

Nearest repeats each element `size` times along each spatial axis (its
backward sums each block); the others resample each axis with
keras.ops.image.resize's interpolation matrix (half-pixel centres, as
Keras's image resize), so backward applies the transposed matrices.
"""
import numpy as np

from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.layers import _spatial
from seqcore.ops.image import RESIZE_INTERPOLATIONS, _resize_weights
from seqcore.saving.serialization import register_builtin


def _weights(n, factor, interpolation):
    """(n * factor, n) interpolation matrix of one axis."""
    return _resize_weights(n, n * factor, interpolation, False)


class _UpSampling(Layer):
    rank = None   # number of spatial axes

    def __init__(self, size, data_format=None, interpolation="nearest",
                 **kwargs):
        super().__init__(**kwargs)
        cls = self.__class__.__name__
        self.data_format = _spatial.data_format(cls, data_format)
        self.size = _spatial.sizes(cls, "size", size, self.rank)
        if not isinstance(interpolation, str) or \
                interpolation.lower() not in RESIZE_INTERPOLATIONS:
            raise ValueError(
                f"{cls}: interpolation must be one of "
                f"{list(RESIZE_INTERPOLATIONS)}, received "
                f"interpolation={interpolation!r}")
        self.interpolation = interpolation.lower()
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self, ndim):
        return _spatial.spatial_axes(self.data_format, ndim)

    def call(self, inputs, training=None):
        y = inputs
        if training:
            self._saved = inputs.shape
        for axis, factor in zip(self._axes(inputs.ndim), self.size):
            if self.interpolation == "nearest":
                y = np.repeat(y, factor, axis=axis)
            else:
                n = y.shape[axis]
                y = _spatial.apply_along(
                    y, _weights(n, factor, self.interpolation), axis)
        return np.ascontiguousarray(y, dtype=np.float32)

    def backward(self, dy):
        shape = self._saved
        dx = dy
        for axis, factor in zip(self._axes(dy.ndim), self.size):
            n = shape[axis]
            if self.interpolation == "nearest":
                split = dx.shape[:axis] + (n, factor) + dx.shape[axis + 1:]
                dx = dx.reshape(split).sum(axis=axis + 1)
            else:
                dx = _spatial.apply_along(
                    dx, _weights(n, factor, self.interpolation).T, axis)
        return np.ascontiguousarray(dx, dtype=np.float32)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(self._axes(len(shape)), self.size):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config


@register_builtin
class UpSampling1D(_UpSampling):
    """Repeats each step `size` times: (batch, steps, features) ->
    (batch, steps * size, features).

    Args:
        size: a positive integer.
    """
    rank = 1

    def __init__(self, size=2, **kwargs):
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"UpSampling1D: expected an integer value for "
                            f"`size`, received {type(size).__name__} "
                            f"{size!r}")
        super().__init__(size, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size[0]
        del config["data_format"]   # Keras's UpSampling1D has none
        return config


@register_builtin
class UpSampling2D(_UpSampling):
    """(batch, rows, cols, channels) -> (batch, rows * size[0], cols *
    size[1], channels), by nearest neighbour or an image interpolation.

    Args:
        size: an int or (rows, cols) factors.
        data_format: 'channels_last' (default) or 'channels_first'.
        interpolation: 'nearest', 'bilinear', 'bicubic', 'lanczos3' or
            'lanczos5'.
    """
    rank = 2

    def __init__(self, size=(2, 2), data_format=None,
                 interpolation="nearest", **kwargs):
        super().__init__(size, data_format, interpolation, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["interpolation"] = self.interpolation
        return config


@register_builtin
class UpSampling3D(_UpSampling):
    """Repeats each element along the three spatial axes of (batch, d1, d2,
    d3, channels) inputs.

    Args:
        size: an int or 3 factors.
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format, **kwargs)
