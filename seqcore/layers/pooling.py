"""Pooling layers: max and average over windows (C kernels), and global
pooling over all steps or pixels."""
import numpy as np

from seqcore.config import standardize_data_format
from seqcore import _kernels
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.layers import _windows
from seqcore.layers._validation import int_tuple, one_of
from seqcore.saving.serialization import register_builtin


class BasePooling(Layer):
    rank = None
    mode = None  # 'max' or 'avg'

    def __init__(self, pool_size, strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        cls, n = self.__class__.__name__, self.rank
        self.pool_size = int_tuple(cls, "pool_size", pool_size, n)
        self.strides = self.pool_size if strides is None else \
            int_tuple(cls, "strides", strides, n)
        self.padding = one_of(cls, "padding", padding, ("valid", "same"))
        self.data_format = standardize_data_format(data_format, cls)
        self.input_spec = InputSpec(ndim=n + 2)

    def compute_output_shape(self, input_shape):
        sizes = [_windows.output_length(length, p, s, 1, self.padding)
                 for length, p, s in zip(
                     _windows.spatial_shape(input_shape, self.data_format),
                     self.pool_size, self.strides)]
        _windows.check_output(self, input_shape, sizes)
        return _windows.output_shape(input_shape, sizes, input_shape[
            -1 if self.data_format == "channels_last" else 1],
            self.data_format)

    def call(self, inputs, training=None):
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        window, strides, _, out, pads = _windows.geometry(
            self, x.shape, self.pool_size, self.strides, (1,) * self.rank)
        shape = (x.shape[0],) + tuple(out) + x.shape[3:]
        where = self._buffer("where", shape, np.int32) \
            if training and self.mode == "max" else None
        y = _kernels.pool2d_forward(
            x, self.mode, window, strides, pads, out,
            out=self._buffer("y", shape) if training else None, where=where)
        if training:
            self._saved = (x.shape, y, where, window, strides, pads)
        return _windows.from_nhwc(y, self.rank, self.data_format)

    def backward(self, dy):
        shape, _, where, window, strides, pads = self._saved
        dy = _windows.to_nhwc(np.asarray(dy, np.float32), self.rank,
                              self.data_format)
        dx = _kernels.pool2d_backward(dy, self.mode, shape, window, strides,
                                      pads, where=where,
                                      out=self._buffer("dx", shape))
        return _windows.from_nhwc(dx, self.rank, self.data_format)

    def routes_gradient_to(self, producer):
        """Whether backward_routed() may hand `producer`, the layer whose
        output this pooling took, its gradient unexpanded."""
        return (self.mode == "max" and self.activity_regularizer is None and
                getattr(producer, "accepts_routed_gradient", False) and
                producer.accepts_routed_gradient() and
                producer.rank == self.rank and
                producer.data_format == self.data_format)

    def fuses_with(self, producer):
        """Whether a Sequential model may run `producer` (a convolution) and
        this pooling as one kernel (producer._call_pooled): non-overlapping
        windows without padding, and a gradient routed back."""
        return (self.padding == "valid" and self.strides == self.pool_size
                and self.routes_gradient_to(producer))

    def backward_routed(self, dy):
        """The input gradient as a RoutedGradient (max pooling only)."""
        _, y, where, _, _, _ = self._saved
        dy = _windows.to_nhwc(np.asarray(dy, np.float32), self.rank,
                              self.data_format)
        return _windows.RoutedGradient(dy, where, y)

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides,
                       "data_format": self.data_format})
        return config


@register_builtin
class MaxPooling1D(BasePooling):
    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name,
                         **kwargs)


@register_builtin
class AveragePooling1D(BasePooling):
    rank, mode = 1, "avg"

    def __init__(self, pool_size, strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name,
                         **kwargs)


@register_builtin
class MaxPooling2D(BasePooling):
    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name,
                         **kwargs)


@register_builtin
class AveragePooling2D(BasePooling):
    rank, mode = 2, "avg"

    def __init__(self, pool_size, strides=None, padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name,
                         **kwargs)


class BaseGlobalPooling(Layer):
    rank = None
    reduce = None  # np.max or np.mean

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(
            data_format, self.__class__.__name__)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self):
        if self.data_format == "channels_last":
            return tuple(range(1, self.rank + 1))
        return tuple(range(2, self.rank + 2))

    def call(self, inputs, training=None):
        if self.reduce == "mean" and self.data_format == "channels_last" \
                and isinstance(inputs, np.ndarray) and \
                inputs.dtype == np.float32 and inputs.flags.c_contiguous:
            # One C pass, threaded over samples and channels; the same sums
            # in the same order as numpy's mean below.
            y = _kernels.channel_means(inputs).reshape(
                (inputs.shape[0],) + (1,) * self.rank + (inputs.shape[-1],))
        else:
            reduce = np.max if self.reduce == "max" else np.mean
            y = reduce(inputs, axis=self._axes(), keepdims=True)
        if training:
            self._saved = (inputs, y)
        if not self.keepdims:
            y = y.reshape(self.compute_output_shape(inputs.shape))
        return y.astype(np.float32, copy=False)

    def backward(self, dy):
        x, y = self._saved[:2]
        dy = np.asarray(dy, np.float32).reshape(y.shape)
        axes = self._axes()
        weights = self._saved[2] if len(self._saved) > 2 else None
        if weights is not None:     # masked mean: only real steps
            return (dy * weights).astype(np.float32)
        if self.reduce == "mean":
            count = np.prod([x.shape[a] for a in axes])
            return np.broadcast_to(dy / np.float32(count), x.shape).copy()
        # The gradient goes to the first maximum of each channel, in
        # row-major order of the pooled axes.
        spatial = tuple(range(1, len(axes) + 1))
        moved = np.moveaxis(x, axes, spatial)       # (n, *spatial, c)
        flat = moved.reshape(x.shape[0], -1, moved.shape[-1])
        first = np.argmax(flat, axis=1)[:, np.newaxis]
        dflat = np.zeros(flat.shape, np.float32)
        np.put_along_axis(dflat, first, dy.reshape(first.shape), axis=1)
        return np.ascontiguousarray(
            np.moveaxis(dflat.reshape(moved.shape), spatial, axes))

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d
                         for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format,
                       "keepdims": self.keepdims})
        return config


@register_builtin
class GlobalMaxPooling1D(BaseGlobalPooling):
    rank, reduce = 1, "max"


@register_builtin
class GlobalAveragePooling1D(BaseGlobalPooling):
    """`GlobalAveragePooling1D(data_format=None, keepdims=False)`: the mean
    over steps, `(batch, steps, features)` -> `(batch, features)`.

    With a mask `(batch, steps)` (from an `Embedding(mask_zero=True)`
    upstream, or `mask=`), the mean is over the unmasked steps only (a row
    with no unmasked step gives NaN, as in Keras); the output has no mask.
    """
    rank, reduce = 1, "mean"
    _consumes_mask = True

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims,
                         **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None, training=None):
        if mask is None:
            return super().call(inputs, training=training)
        steps = 1 if self.data_format == "channels_last" else 2
        mask = np.asarray(mask)
        if mask.shape != (inputs.shape[0], inputs.shape[steps]):
            raise ValueError(
                f"{self.name}: the mask must have shape (batch, steps) = "
                f"{(inputs.shape[0], inputs.shape[steps])}; received "
                f"{mask.shape}")
        keep = np.expand_dims(mask.astype(bool), 3 - steps)
        real = np.sum(keep, axis=steps, keepdims=True, dtype=np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            # d y / d x: 1 / (number of real steps) at real steps, else 0
            weights = np.where(keep, np.float32(1.0) / real, np.float32(0))
            total = np.sum(np.where(keep, inputs, np.float32(0)), axis=steps,
                           keepdims=True)
            y = (total / real).astype(np.float32)
        if training:
            self._saved = (inputs, y, weights.astype(np.float32))
        if not self.keepdims:
            y = y.reshape(self.compute_output_shape(inputs.shape))
        return y

    def compute_mask(self, inputs, mask=None):
        return None


@register_builtin
class GlobalMaxPooling2D(BaseGlobalPooling):
    rank, reduce = 2, "max"


@register_builtin
class GlobalAveragePooling2D(BaseGlobalPooling):
    rank, reduce = 2, "mean"
