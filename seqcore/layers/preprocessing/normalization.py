"""Normalization: (x - mean) / sqrt(variance), from given statistics or
from `adapt(data)`."""
import math
import numbers

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers.preprocessing._channel_map import channel_map
from seqcore.saving.serialization import register_builtin

_EPSILON = 1e-7   # Keras's backend.epsilon()


@register_builtin
class Normalization(Layer):
    """Feature-wise normalisation: y = (x - mean) / max(sqrt(var), 1e-7),
    or its inverse x = mean + y * max(sqrt(var), 1e-7) with invert=True.

    Args:
        axis: the axis or axes that keep their own statistics (default the
            last); None for one mean and variance over everything.
        mean, variance: the statistics (broadcast to the kept axes); when
            None, `adapt(data)` computes them and the layer holds them as
            non-trainable weights `mean`, `variance` and `count`, as Keras.
        invert: apply the inverse transformation.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False,
                 **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, numbers.Integral):
            axis = (int(axis),)
        else:
            axis = tuple(int(a) for a in axis)
        self.axis = axis
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.supports_masking = True
        self.mean = self.variance = None
        if (mean is None) != (variance is None):
            raise ValueError(
                f"When setting values directly, both `mean` and `variance` "
                f"must be set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"When setting values directly, `mean` and `variance` "
                    f"must have the same shape. Received: mean shape "
                    f"{np.shape(mean)} and variance shape "
                    f"{np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"The rank of `mean` must be less than or equal to the "
                    f"number of axes ({len(self.axis)}). Received: mean "
                    f"shape {np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"All `axis` values must be in the range [-ndim, ndim). "
                f"Received inputs with ndim={ndim}, while axis={self.axis}")
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep:
            if input_shape[a] is None:
                raise ValueError(
                    f"All `axis` values to be kept must have a known shape. "
                    f"Received axis={self.axis}, inputs.shape="
                    f"{tuple(input_shape)}, with unknown axis at index {a}")
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1
                                for a in range(ndim))
        self._stat_shape = tuple(input_shape[a] for a in self._keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=self._stat_shape, initializer="zeros",
                trainable=False)
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._stat_shape, initializer="ones",
                trainable=False)
            self.count = self.add_weight(name="count", shape=(),
                                         initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
        else:
            self.mean = self._broadcast_stat(self.input_mean, ndim)
            self.variance = self._broadcast_stat(self.input_variance, ndim)

    def _broadcast_stat(self, value, ndim):
        value = np.asarray(value, np.float32)
        if value.ndim:
            shape = [1] * ndim
            for i in range(1, value.ndim + 1):
                shape[self._keep[-i]] = value.shape[-i]
            value = value.reshape(shape)
        return np.broadcast_to(value, self._broadcast).astype(np.float32)

    def finalize_state(self):
        """Refresh the statistics used by call() from the weights (after
        adapt() or loading)."""
        if self.input_mean is not None or not self.built:
            return
        self.mean = self.adapt_mean.value.reshape(self._broadcast)
        self.variance = self.adapt_variance.value.reshape(self._broadcast)

    def set_weights(self, weights):
        super().set_weights(weights)
        self.finalize_state()

    def adapt(self, data, batch_size=None, steps=None):
        """Compute the mean and variance of `data`: an array, or an
        iterable of batches (combined exactly, as one array would be)."""
        if isinstance(data, np.ndarray) or np.isscalar(data):
            batches = [np.asarray(data, np.float64)]
        else:
            batches = [np.asarray(b[0] if isinstance(b, tuple) else b,
                                  np.float64) for b in data]
            if not batches:
                raise ValueError("adapt() received an empty iterable (no "
                                 "batches). Expected at least one batch.")
        shape = batches[0].shape
        if not self.built:
            self._maybe_build(shape)
        elif self.input_mean is not None:
            raise ValueError("Normalization: adapt() cannot change the "
                             "`mean` and `variance` given to the constructor")
        total_mean = total_var = None
        total = 0
        for batch in batches:
            for a in self._keep:
                if batch.shape[a] != self._broadcast[a]:
                    raise ValueError(
                        f"The layer was built with input_shape="
                        f"{self._build_shape}, but adapt() is being called "
                        f"with data with an incompatible shape, "
                        f"data.shape={batch.shape}")
            count = math.prod(batch.shape[a] for a in self._reduce)
            mean = batch.mean(axis=self._reduce)
            var = batch.var(axis=self._reduce)
            if total_mean is None:
                total_mean, total_var, total = mean, var, count
                continue
            new_total = total + count
            w = count / new_total
            new_mean = total_mean * (1 - w) + mean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - w) \
                + (var + (mean - new_mean) ** 2) * w
            total_mean, total = new_mean, new_total
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_var)
        self.finalize_state()

    def _scale(self):
        return np.maximum(np.sqrt(self.variance), np.float32(_EPSILON))

    def call(self, inputs, training=None):
        # the statistics as the weights hold them now (loading assigns them)
        self.finalize_state()
        if self.mean is None:
            raise ValueError("You must call `.build(input_shape)` on the "
                             "layer before using it.")
        scale = self._scale()
        if self._keep == (np.ndim(inputs) - 1,):
            # Statistics per channel: one C pass (Keras divides by the
            # scale; the reciprocal's product differs by an ulp at most).
            y = channel_map(inputs, scale, self.mean) if self.invert else \
                channel_map(inputs, 1.0 / scale, -self.mean / scale)
            if y is not None:
                return y
        if self.invert:
            return (self.mean + inputs * scale).astype(np.float32)
        return ((inputs - self.mean) / scale).astype(np.float32)

    def backward(self, dy):
        if self.invert:
            return (dy * self._scale()).astype(np.float32)
        return (dy / self._scale()).astype(np.float32)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis, "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist()})
        return config
