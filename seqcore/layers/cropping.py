"""Cropping layers: Cropping1D, Cropping2D, Cropping3D.

Each removes rows from both ends of the spatial axes of (batch, *spatial,
channels) inputs (channels_last) or (batch, channels, *spatial) inputs
(channels_first); backward pads the gradient back with zeros.
"""
import numpy as np

from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.layers import _spatial
from seqcore.saving.serialization import register_builtin


class _Cropping(Layer):
    rank = None   # number of spatial axes

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = self.__class__.__name__
        self.data_format = _spatial.data_format(cls, data_format)
        if self.rank == 1:
            self.cropping = _spatial.pair(cls, "cropping", cropping)
            self._crops = (self.cropping,)
        else:
            self.cropping = _spatial.pairs(cls, "cropping", cropping,
                                           self.rank)
            self._crops = self.cropping
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _cropped(self, shape):
        """(output shape, the index that crops), checking the sizes."""
        out, index = list(shape), [slice(None)] * len(shape)
        for axis, (before, after) in zip(
                _spatial.spatial_axes(self.data_format, len(shape)),
                self._crops):
            if shape[axis] is None:
                continue
            if before + after >= shape[axis]:
                raise ValueError(
                    f"{self.__class__.__name__} '{self.name}': cropping "
                    f"{self.cropping} leaves nothing of input shape "
                    f"{tuple(shape)}; values in `cropping` must be smaller "
                    f"than the corresponding spatial dimension")
            out[axis] = shape[axis] - before - after
            index[axis] = slice(before, shape[axis] - after)
        return tuple(out), tuple(index)

    def call(self, inputs, training=None):
        _, index = self._cropped(inputs.shape)
        if training:
            self._saved = (inputs.shape, index)
        return np.ascontiguousarray(inputs[index])

    def backward(self, dy):
        shape, index = self._saved
        dx = np.zeros(shape, np.float32)
        dx[index] = dy
        return dx

    def compute_output_shape(self, input_shape):
        return self._cropped(tuple(input_shape))[0]

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping,
                       "data_format": self.data_format})
        return config


@register_builtin
class Cropping1D(_Cropping):
    """Crops the steps axis of (batch, steps, channels) inputs.

    Args:
        cropping: an int (both ends) or (before, after).
    """
    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]   # Keras's Cropping1D has none
        return config


@register_builtin
class Cropping2D(_Cropping):
    """Crops rows and columns of (batch, rows, cols, channels) inputs.

    Args:
        cropping: an int, (rows, cols) symmetric amounts, or ((top, bottom),
            (left, right)).
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None,
                 **kwargs):
        super().__init__(cropping, data_format, **kwargs)


@register_builtin
class Cropping3D(_Cropping):
    """Crops the three spatial axes of (batch, d1, d2, d3, channels) inputs.

    Args:
        cropping: an int, 3 symmetric amounts, or 3 (before, after) pairs.
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None,
                 **kwargs):
        super().__init__(cropping, data_format, **kwargs)
