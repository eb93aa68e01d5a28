"""Zero-padding layers: ZeroPadding1D, ZeroPadding2D, ZeroPadding3D.

Each pads the spatial axes of (batch, *spatial, channels) inputs
(channels_last) or (batch, channels, *spatial) inputs (channels_first)
with zeros; backward crops the gradient back.
"""
import numpy as np

from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.layers import _spatial
from seqcore.saving.serialization import register_builtin


class _ZeroPadding(Layer):
    rank = None   # number of spatial axes

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = self.__class__.__name__
        self.data_format = _spatial.data_format(cls, data_format)
        if self.rank == 1:
            self.padding = _spatial.pair(cls, "padding", padding)
            self._pads = (self.padding,)
        else:
            self.padding = _spatial.pairs(cls, "padding", padding, self.rank)
            self._pads = self.padding
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _widths(self, ndim):
        widths = [(0, 0)] * ndim
        for axis, pad in zip(_spatial.spatial_axes(self.data_format, ndim),
                             self._pads):
            widths[axis] = pad
        return widths

    def call(self, inputs, training=None):
        if training:
            self._saved = inputs.shape
        return np.pad(inputs, self._widths(inputs.ndim))

    def backward(self, dy):
        index = tuple(slice(before, dy.shape[i] - after)
                      for i, (before, after) in
                      enumerate(self._widths(dy.ndim)))
        return np.ascontiguousarray(dy[index])

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(
                _spatial.spatial_axes(self.data_format, len(shape)),
                self._pads):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding,
                       "data_format": self.data_format})
        return config


@register_builtin
class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis: (batch, steps, channels) -> (batch, steps + a +
    b, channels).

    Args:
        padding: an int (both sides) or (before, after).
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


@register_builtin
class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns of (batch, rows, cols, channels) inputs.

    Args:
        padding: an int, (rows, cols) symmetric amounts, or ((top, bottom),
            (left, right)).
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


@register_builtin
class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of (batch, d1, d2, d3, channels) inputs.

    Args:
        padding: an int, 3 symmetric amounts, or 3 (before, after) pairs.
        data_format: 'channels_last' (default) or 'channels_first'.
    """
    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None,
                 **kwargs):
        super().__init__(padding, data_format, **kwargs)
