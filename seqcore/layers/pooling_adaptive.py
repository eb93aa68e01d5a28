"""Adaptive pooling: AdaptiveAveragePooling1D/2D/3D and
AdaptiveMaxPooling1D/2D/3D pool any spatial size down (or up) to a fixed
`output_size`.

Output position i of n along an axis of length L covers the input bins
[floor(i L / n), ceil((i + 1) L / n)) (PyTorch's bins, which Keras 3's
backends and seqcore.ops.adaptive_average_pool / adaptive_max_pool share).
Pooling over a (d, h, w) box is separable, so each spatial axis is pooled
in turn. When every bin has the same size (each spatial size a multiple of its
output size, 1-D or 2-D channels_last data) this is a plain pooling with
window = stride, and the C pooling kernels run it. Otherwise the passes are
vectorised numpy, not C kernels: along one axis,
one numpy reduction per output bin (a sum, or a maximum whose argmax
routes the gradient back).
"""
import numbers

import numpy as np

from seqcore import _kernels

from seqcore.config import standardize_data_format
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.saving.serialization import register_builtin


def adaptive_bins(length, out):
    """(starts, ends) of the `out` bins over an axis of `length`."""
    i = np.arange(out)
    return (i * length) // out, -((-(i + 1) * length) // out)


def _dims(shape, axis):
    """(before, shape[axis], after) of an array of `shape`."""
    before = int(np.prod(shape[:axis], dtype=np.int64))
    after = int(np.prod(shape[axis + 1:], dtype=np.int64))
    return before, shape[axis], after


def _as_3d(x, axis):
    """x viewed as (before, x.shape[axis], after)."""
    return x.reshape(_dims(x.shape, axis))


def _with_axis(shape, axis, size):
    shape = list(shape)
    shape[axis] = size
    return tuple(shape)


def average_along(x, axis, out):
    """Mean of each adaptive bin along `axis`; returns (y, bins)."""
    x3 = _as_3d(x, axis)
    bins = adaptive_bins(x3.shape[1], out)
    y = np.empty((x3.shape[0], out, x3.shape[2]), np.float32)
    for i, (lo, hi) in enumerate(zip(*bins)):
        np.sum(x3[:, lo:hi, :], axis=1, out=y[:, i, :])
        y[:, i, :] *= np.float32(1.0 / (hi - lo))
    return y.reshape(_with_axis(x.shape, axis, out)), bins


def average_along_backward(dy, axis, bins, in_shape):
    """Each output's gradient, divided by its bin's size, goes to every
    input of the bin."""
    dy3 = _as_3d(dy, axis)
    dx = np.zeros(_dims(in_shape, axis), np.float32)
    for i, (lo, hi) in enumerate(zip(*bins)):
        dx[:, lo:hi, :] += dy3[:, i:i + 1, :] * np.float32(1.0 / (hi - lo))
    return dx.reshape(in_shape)


def max_along(x, axis, out, keep_where=True):
    """Maximum of each adaptive bin along `axis`; returns (y, where): where
    (before, out, after) holds the input index each maximum came from (the
    first one on ties), or None without keep_where."""
    x3 = _as_3d(x, axis)
    starts, ends = adaptive_bins(x3.shape[1], out)
    y = np.empty((x3.shape[0], out, x3.shape[2]), x.dtype)
    where = np.empty(y.shape, np.intp) if keep_where else None
    for i, (lo, hi) in enumerate(zip(starts, ends)):
        top = y[:, i, :]
        np.max(x3[:, lo:hi, :], axis=1, out=top)
        if keep_where:
            chosen = where[:, i, :]
            chosen.fill(hi - 1)
            for j in range(hi - 2, lo - 1, -1):
                np.copyto(chosen, j, where=x3[:, j, :] == top)
    return y.reshape(_with_axis(x.shape, axis, out)), where


def max_along_backward(dy, axis, where, in_shape):
    """Each output's gradient goes to the input its maximum came from
    (bins may overlap: an input picked by two bins gets both; within one
    bin every (before, after) position picks one input)."""
    dy3 = _as_3d(dy, axis)
    dx = np.zeros(_dims(in_shape, axis), np.float32)
    rows = np.arange(dx.shape[0])[:, None]
    cols = np.arange(dx.shape[2])[None, :]
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

    def _as_pool2d(self, shape):
        """(window, NHWC image shape) when every bin has the same size
        (each spatial size a multiple of its output size) and the data is
        1-D or 2-D channels_last: then this is a plain pooling with
        window = stride, run by the C pooling kernel; else None."""
        if self.rank > 2 or self.data_format != "channels_last":
            return None
        spatial = shape[1:-1]
        if any(n == 0 or n % o for n, o in zip(spatial, self.output_size)):
            return None
        window = tuple(n // o for n, o in zip(spatial, self.output_size))
        if self.rank == 1:
            return (1,) + window, (shape[0], 1, shape[1], shape[2])
        return window, tuple(shape)

    def call(self, inputs, training=None):
        fast = self._as_pool2d(inputs.shape)
        if fast is not None:
            window, images = fast
            out = tuple(n // w for n, w in zip(images[1:3], window))
            mode = "max" if self.mode == "max" else "avg"
            where = np.empty((images[0],) + out + (images[3],), np.int32) \
                if training and mode == "max" else None
            y = _kernels.pool2d_forward(inputs.reshape(images), mode, window,
                                        window, (0, 0), out, where=where)
            if training:
                self._saved = ("pool2d", window, images, where, inputs.shape)
            return y.reshape(self.compute_output_shape(inputs.shape))
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
                y, kept = max_along(x, axis, out, bool(training))
            steps.append((axis, kept, x.shape))
            x = y
        if training:
            self._saved = ("numpy", steps)
        return np.ascontiguousarray(x, np.float32)

    def backward(self, dy):
        dx = np.asarray(dy, np.float32)
        if self._saved[0] == "pool2d":
            _, window, images, where, shape = self._saved
            out = (images[0],) + tuple(
                n // w for n, w in zip(images[1:3], window)) + (images[3],)
            mode = "max" if self.mode == "max" else "avg"
            dx = _kernels.pool2d_backward(dx.reshape(out), mode, images,
                                          window, window, (0, 0),
                                          where=where)
            return dx.reshape(shape)
        for axis, kept, shape in reversed(self._saved[1]):
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
