"""Regularization layers: Dropout."""
import numpy as np

from seqcore import _kernels
from seqcore import random as sc_random
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


def _checked_rate(value):
    value = _validation.rate("Dropout", "rate", value)
    if value == 1.0:
        raise ValueError("Dropout: rate must be a float between 0 and 1 "
                         "(1 excluded), received rate=1.0")
    return value
