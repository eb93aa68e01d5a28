"""Regularization layers: Dropout, SpatialDropout1D/2D/3D and
ActivityRegularization."""
import numpy as np

from seqcore.config import standardize_data_format
from seqcore import _kernels, regularizers
from seqcore import random as sc_random
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.layers import _validation
from seqcore.saving.serialization import register_builtin


@register_builtin
class Dropout(Layer):
    """Zeroes a fraction `rate` of inputs during training and scales the rest
    by 1 / (1 - rate); the identity at inference."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _checked_rate(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = sc_random.generator(seed) if seed is not None else None
        self.supports_masking = True

    def call(self, inputs, training=None):
        self._saved = None
        if not training or self.rate == 0.0:
            return inputs
        rng = self._rng or sc_random.generator()
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = tuple(d if n is None else n
                          for d, n in zip(inputs.shape, self.noise_shape))
        # The scaled mask (0 or 1 / (1 - rate)) from one 64-bit draw of the
        # generator: the kernel hashes it with each element's index.
        scale = _kernels.dropout_mask(
            int(rng.integers(0, 2**63, dtype=np.int64)), self.rate,
            self._buffer("mask", shape))
        self._saved = scale
        return np.multiply(inputs, scale, out=self._buffer(
            "y", np.broadcast_shapes(inputs.shape, shape)))

    def backward(self, dy):
        if self._saved is None:
            return dy
        return np.multiply(dy, self._saved, out=self._buffer("dx", dy.shape))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _inference_fn(self, input_shape):
        return lambda x: x

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed,
                       "noise_shape": self.noise_shape})
        return config


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps: one draw per (sample, channel), shared
    over the spatial axes. Keras's constructor takes only rate, seed, name,
    dtype (and data_format for 2D/3D)."""

    rank = None   # number of spatial axes

    def __init__(self, rate, seed=None, name=None, dtype=None,
                 data_format=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = standardize_data_format(
            data_format, self.__class__.__name__)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs, training=None):
        channel = 1 if self.data_format == "channels_first" \
            else inputs.ndim - 1
        self.noise_shape = tuple(
            None if axis in (0, channel) else 1 for axis in range(inputs.ndim))
        return super().call(inputs, training)

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name,
                # Keras writes the variable dtype as a string here
                "dtype": self.dtype_policy.variable_dtype}


@register_builtin
class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of (batch, steps, channels) inputs in training,
    scaling the rest by 1 / (1 - rate).

    Args:
        rate: fraction of the channels to drop, in [0, 1).
        seed: an int for reproducible masks (a sequence per layer).
    """
    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)


@register_builtin
class SpatialDropout2D(_SpatialDropout):
    """Drops whole channels of (batch, rows, cols, channels) inputs
    (channels_last) or (batch, channels, rows, cols) (channels_first).

    Args:
        rate: fraction of the channels to drop, in [0, 1).
        data_format: 'channels_last' (default) or 'channels_first'.
        seed: an int for reproducible masks.
    """
    rank = 2

    def __init__(self, rate, data_format=None, seed=None, name=None,
                 dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype,
                         data_format=data_format)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


@register_builtin
class SpatialDropout3D(SpatialDropout2D):
    """SpatialDropout2D for (batch, d1, d2, d3, channels) inputs."""
    rank = 3


@register_builtin
class ActivityRegularization(Layer):
    """The identity, adding l1 * sum|x| + l2 * sum(x^2) of its output to
    the training loss (divided by the batch size, as Keras).

    Args:
        l1, l2: non-negative factors.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2),
                         **kwargs)
        self.l1, self.l2 = l1, l2
        self.supports_masking = True

    def call(self, inputs, training=None):
        return inputs

    def backward(self, dy):
        return dy

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config


def _checked_rate(value):
    value = _validation.rate("Dropout", "rate", value)
    if value == 1.0:
        raise ValueError("Dropout: rate must be a float between 0 and 1 "
                         "(1 excluded), received rate=1.0")
    return value
