"""3-D pooling (NDHWC data): MaxPooling3D and AveragePooling3D as the 2-D
pooling kernel over every depth slice followed by a reduction over each
depth window, and GlobalMaxPooling3D / GlobalAveragePooling3D.

A maximum over a (d, h, w) window is the maximum over its depth taps of
the (h, w) maxima; an average that leaves out padded cells ('same', as
Keras) is the mean over its real depth taps of the (h, w) averages, whose
real-cell counts are the same for every depth slice."""
import numpy as np

from seqcore import _kernels
from seqcore.layers import _windows
from seqcore.layers.convolutional_3d import from_ndhwc, to_ndhwc
from seqcore.layers.pooling import BaseGlobalPooling, BasePooling
from seqcore.saving.serialization import register_builtin


class BasePooling3D(BasePooling):
    rank = 3

    def _depth_windows(self, depth):
        """(od, [(output depth, input depths of its window)])."""
        p, s = self.pool_size[0], self.strides[0]
        od = _windows.output_length(depth, p, s, 1, self.padding)
        before = _windows.padding_before(depth, p, s, 1, self.padding)
        return od, [(o, [i for i in range(o * s - before,
                                          o * s - before + p)
                         if 0 <= i < depth]) for o in range(od)]

    def call(self, inputs, training=None):
        x = to_ndhwc(inputs, self.data_format)
        n, depth = x.shape[:2]
        images = x.reshape((n * depth,) + x.shape[2:])
        window, strides, _, out, pads = _windows.geometry(
            self, images.shape, self.pool_size[1:], self.strides[1:], (1, 1))
        od, depth_windows = self._depth_windows(depth)
        if min(od, *out) <= 0:
            _windows.check_output(self, inputs.shape, (od,) + tuple(out))
        shape = (n * depth,) + tuple(out) + (x.shape[-1],)
        where = np.empty(shape, np.int32) \
            if training and self.mode == "max" else None
        pooled = _kernels.pool2d_forward(images, self.mode, window, strides,
                                         pads, out, where=where)
        pooled = pooled.reshape((n, depth) + pooled.shape[1:])
        y = np.empty((n, od) + pooled.shape[2:], np.float32)
        chosen = np.empty(y.shape, np.int64) if where is not None else None
        for o, taps in depth_windows:
            part = pooled[:, taps]
            if self.mode == "max":
                first = np.argmax(part, axis=1)
                y[:, o] = np.take_along_axis(part, first[:, None],
                                             axis=1)[:, 0]
                if chosen is not None:
                    chosen[:, o] = np.asarray(taps)[first]
            else:
                y[:, o] = part.mean(axis=1, dtype=np.float32) \
                    if len(taps) > 1 else part[:, 0]
        if training:
            self._saved = (x.shape, images.shape, where, chosen,
                           depth_windows, window, strides, pads)
        return from_ndhwc(y, self.data_format)

    def backward(self, dy):
        shape, images, where, chosen, depth_windows, window, strides, pads = \
            self._saved
        dy = to_ndhwc(np.asarray(dy, np.float32), self.data_format)
        n, depth = shape[:2]
        dpooled = np.zeros((n, depth) + dy.shape[2:], np.float32)
        if self.mode == "max":
            batch = np.arange(n)[:, None, None, None]
            rows = np.arange(dy.shape[2])[None, :, None, None]
            cols = np.arange(dy.shape[3])[None, None, :, None]
            chans = np.arange(dy.shape[4])[None, None, None, :]
            for o, _ in depth_windows:
                np.add.at(dpooled, (batch, chosen[:, o], rows, cols, chans),
                          dy[:, o])
        else:
            for o, taps in depth_windows:
                dpooled[:, taps] += dy[:, o][:, None] / np.float32(len(taps))
        dx = _kernels.pool2d_backward(
            dpooled.reshape((n * depth,) + dy.shape[2:]), self.mode, images,
            window, strides, pads, where=where)
        return from_ndhwc(dx.reshape(shape), self.data_format)


@register_builtin
class MaxPooling3D(BasePooling3D):
    """(batch, d, h, w, c) -> (batch, od, oh, ow, c): the maximum of each
    pool_size window."""
    mode = "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name,
                         **kwargs)


@register_builtin
class AveragePooling3D(BasePooling3D):
    """(batch, d, h, w, c) -> (batch, od, oh, ow, c): the mean of each
    window's real (not padded) cells."""
    mode = "avg"

    def __init__(self, pool_size, strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name,
                         **kwargs)


@register_builtin
class GlobalMaxPooling3D(BaseGlobalPooling):
    """(batch, d, h, w, c) -> (batch, c), or (batch, 1, 1, 1, c) with
    keepdims."""
    rank, reduce = 3, "max"


@register_builtin
class GlobalAveragePooling3D(BaseGlobalPooling):
    """(batch, d, h, w, c) -> (batch, c), or (batch, 1, 1, 1, c) with
    keepdims."""
    rank, reduce = 3, "mean"
