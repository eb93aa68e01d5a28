"""Noise layers, active only in training: GaussianNoise, GaussianDropout,
AlphaDropout. With a `seed` a layer draws a reproducible sequence of noise
(its own generator); without, it draws from seqcore's global generator
(`seqcore.utils.set_random_seed`). At inference each is the identity."""
import math
import numbers

import numpy as np

from seqcore import random as sc_random
from seqcore.engine.layer import Layer
from seqcore.saving.serialization import register_builtin

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _unit_interval(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not 0 <= value <= 1:
        raise ValueError(f"{layer}: invalid value received for argument "
                         f"`{name}`. Expected a float value between 0 and 1. "
                         f"Received: {name}={value!r}")
    return value


class _Noise(Layer):
    """What the three share: the seed, mask support, identity shapes."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = sc_random.generator(seed) if seed is not None else None
        self.supports_masking = True

    def _generator(self):
        return self._rng or sc_random.generator()

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _inference_fn(self, input_shape):
        return lambda x: x

    def get_config(self):
        config = super().get_config()
        config["seed"] = self.seed
        return config


@register_builtin
class GaussianNoise(_Noise):
    """y = x + N(0, stddev^2) noise in training; y = x at inference.

    Args:
        stddev: standard deviation of the noise, in [0, 1] (as Keras).
        seed: an int for a reproducible noise sequence.
    Shape: any; the output has the input's shape.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.stddev = _unit_interval("GaussianNoise", "stddev", stddev)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = self._generator().standard_normal(inputs.shape,
                                                  dtype=np.float32)
        return inputs + np.float32(self.stddev) * noise

    def backward(self, dy):
        return dy

    def get_config(self):
        config = super().get_config()
        config["stddev"] = self.stddev
        return config


@register_builtin
class GaussianDropout(_Noise):
    """y = x * N(1, rate / (1 - rate)) noise in training; y = x at
    inference.

    Args:
        rate: drop probability of the equivalent Dropout, in [0, 1].
        seed: an int for a reproducible noise sequence.
    Shape: any; the output has the input's shape.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _unit_interval("GaussianDropout", "rate", rate)

    def call(self, inputs, training=None):
        self._saved = None
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = 1.0 + np.float32(stddev) * self._generator().standard_normal(
            inputs.shape, dtype=np.float32)
        self._saved = noise
        return inputs * noise

    def backward(self, dy):
        return dy if self._saved is None else dy * self._saved

    def get_config(self):
        config = super().get_config()
        config["rate"] = self.rate
        return config


@register_builtin
class AlphaDropout(_Noise):
    """Dropout that keeps SELU's self-normalisation: in training, dropped
    inputs are set to -SELU_scale * SELU_alpha, then y = a * x' + b with
    a, b keeping zero mean and unit variance; y = x at inference.

    Args:
        rate: drop probability in [0, 1].
        noise_shape: shape of the keep mask (None entries take the input's
            size), to share draws across axes.
        seed: an int for a reproducible noise sequence.
    Shape: any; the output has the input's shape.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _unit_interval("AlphaDropout", "rate", rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs, training=None):
        self._saved = None
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != inputs.ndim:
                raise ValueError(
                    f"AlphaDropout '{self.name}': noise_shape "
                    f"{self.noise_shape} does not match inputs of shape "
                    f"{inputs.shape}")
            shape = tuple(d if n is None else n
                          for d, n in zip(inputs.shape, self.noise_shape))
        keep = (self._generator().random(shape) >= self.rate).astype(
            np.float32)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        self._saved = np.float32(a) * keep
        dropped = np.float32(a * alpha_p + b) * (1 - keep)
        return inputs * self._saved + (np.float32(b) * keep + dropped)

    def backward(self, dy):
        return dy if self._saved is None else dy * self._saved

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape})
        return config
