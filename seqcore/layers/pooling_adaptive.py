"""Adaptive pooling: AdaptiveAveragePooling1D/2D/3D and
AdaptiveMaxPooling1D/2D/3D pool any spatial size down (or up) to a fixed
`output_size`.

Output position i of n along an axis of length L covers the input bins
[floor(i L / n), ceil((i + 1) L / n)) (PyTorch's bins, which Keras 3's
backends and seqcore.ops.adaptive_average_pool / adaptive_max_pool share).
Pooling over a (d, h, w) box is separable, so each spatial axis is pooled
in turn. The passes are vectorised numpy, not C kernels: along one axis an
average is a small (n, L) averaging matrix applied with one batched
matmul (its transpose gives the backward pass), and a maximum is one
numpy reduction per output bin whose argmax routes the gradient back.
"""
import numbers

import numpy as np

from seqcore.config import standardize_data_format
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.saving.serialization import register_builtin


def adaptive_bins(length, out):
    """(starts, ends) of the `out` bins over an axis of `length`."""
    i = np.arange(out)
    return (i * length) // out, -((-(i + 1) * length) // out)


def _averaging_matrix(length, out):
    """(out, length) float32: row i averages bin i."""
    starts, ends = adaptive_bins(length, out)
    matrix = np.zeros((out, length), np.float32)
    for i, (lo, hi) in enumerate(zip(starts, ends)):
        matrix[i, lo:hi] = 1.0 / (hi - lo)
    return matrix


def _as_3d(x, axis):
    """x viewed as (before, x.shape[axis], after)."""
    before = int(np.prod(x.shape[:axis], dtype=np.int64))
    after = int(np.prod(x.shape[axis + 1:], dtype=np.int64))
    return x.reshape(before, x.shape[axis], after)


def _with_axis(shape, axis, size):
    shape = list(shape)
    shape[axis] = size
    return tuple(shape)


def average_along(x, axis, out):
    """Mean of each adaptive bin along `axis`; returns (y, matrix)."""
    matrix = _averaging_matrix(x.shape[axis], out)
    y = np.matmul(matrix, _as_3d(x, axis))
    return y.reshape(_with_axis(x.shape, axis, out)), matrix


def average_along_backward(dy, axis, matrix, in_shape):
    dx = np.matmul(matrix.T, _as_3d(dy, axis))
    return dx.reshape(in_shape)


def max_along(x, axis, out):
    """Maximum of each adaptive bin along `axis`; returns (y, where): where
    (before, out, after) holds the input index each maximum came from."""
    x3 = _as_3d(x, axis)
    starts, ends = adaptive_bins(x3.shape[1], out)
    y = np.empty((x3.shape[0], out, x3.shape[2]), x.dtype)
    where = np.empty(y.shape, np.intp)
    for i, (lo, hi) in enumerate(zip(starts, ends)):
        part = x3[:, lo:hi, :]
        first = part.argmax(axis=1)
        y[:, i, :] = np.take_along_axis(part, first[:, None, :], axis=1)[
            :, 0, :]
        where[:, i, :] = first + lo
    return y.reshape(_with_axis(x.shape, axis, out)), where


def max_along_backward(dy, axis, where, in_shape):
    """Each output's gradient goes to the input its maximum came from
    (bins may overlap: an input picked by two bins gets both)."""
    dy3 = _as_3d(dy, axis)
    before, length, after = _as_3d(np.empty(in_shape, np.bool_), axis).shape
    dx = np.zeros((before, length, after), np.float32)
    rows = np.arange(before)[:, None]
    cols = np.arange(after)[None, :]
    for i in range(dy3.shape[1]):
        dx[rows, where[:, i, :], cols] += dy3[:, i, :]
    return dx.reshape(in_shape)


def _output_size(name, rank, output_size):
    names = {1: "an integer or tuple of 1 integer",
             2: "an integer or (height, width) tuple",
             3: "an integer or (depth, height, width) tuple"}[rank]
    if isinstance(output_size, numbers.Integral) and \
            not isinstance(output_size, bool):
        sizes = (int(output_size),) * rank
    elif isinstance(output_size, (tuple, list)) and \
            len(output_size) == rank:
        sizes = tuple(output_size)
    else:
        raise TypeError(f"`output_size` must be {names}. Received: "
                        f"{output_size} of type {type(output_size)}")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or \
                s < 1:
            raise ValueError(f"{name}: every output size must be a "
                             f"positive integer, received "
                             f"output_size={output_size!r}")
    return tuple(int(s) for s in sizes)


class BaseAdaptivePooling(Layer):
    """Pools the spatial axes of (batch, *spatial, channels) data
    (channels_last) or (batch, channels, *spatial) (channels_first) to
    `output_size`.

    Args:
        output_size: an int (every spatial axis) or one int per spatial
            axis.
        data_format: "channels_last" or "channels_first" (None: the
            configured image_data_format).

    Output: (batch, *output_size, channels) or (batch, channels,
    *output_size). No weights.
    """

    rank = None
    mode = None

    def __init__(self, output_size, data_format=None, **kwargs):
        output_size = _output_size(self.__class__.__name__, self.rank,
                                   output_size)
        super().__init__(**kwargs)
        self.output_size = output_size
        self.data_format = standardize_data_format(
            data_format, self.__class__.__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs, training=None):
        x = inputs
        steps = []
        for axis, out in zip(self._spatial_axes(), self.output_size):
            if x.shape[axis] == 0:
                raise ValueError(f"{self.__class__.__name__} '{self.name}': "
                                 f"spatial axis {axis} of the input is "
                                 f"empty (input shape {inputs.shape})")
            if self.mode == "average":
                y, kept = average_along(x, axis, out)
            else:
                y, kept = max_along(x, axis, out)
            steps.append((axis, kept, x.shape))
            x = y
        if training:
            self._saved = steps
        return np.ascontiguousarray(x, np.float32)

    def backward(self, dy):
        dx = np.asarray(dy, np.float32)
        for axis, kept, shape in reversed(self._saved):
            if self.mode == "average":
                dx = average_along_backward(dx, axis, kept, shape)
            else:
                dx = max_along_backward(dx, axis, kept, shape)
        return np.ascontiguousarray(dx, np.float32)

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        if self.data_format == "channels_last":
            return (batch,) + self.output_size + (input_shape[-1],)
        return (batch, input_shape[1]) + self.output_size

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": self.output_size,
                       "data_format": self.data_format})
        return config


@register_builtin
class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Mean over adaptive bins: (batch, steps, channels) -> (batch,
    output_size, channels) (channels_last)."""
    rank, mode = 1, "average"


@register_builtin
class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Mean over adaptive bins: (batch, h, w, channels) -> (batch, oh, ow,
    channels) (channels_last)."""
    rank, mode = 2, "average"


@register_builtin
class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Mean over adaptive bins: (batch, d, h, w, channels) -> (batch, od,
    oh, ow, channels) (channels_last)."""
    rank, mode = 3, "average"


@register_builtin
class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Maximum over adaptive bins: (batch, steps, channels) -> (batch,
    output_size, channels) (channels_last)."""
    rank, mode = 1, "max"


@register_builtin
class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Maximum over adaptive bins: (batch, h, w, channels) -> (batch, oh,
    ow, channels) (channels_last)."""
    rank, mode = 2, "max"


@register_builtin
class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Maximum over adaptive bins: (batch, d, h, w, channels) -> (batch,
    od, oh, ow, channels) (channels_last)."""
    rank, mode = 3, "max"
