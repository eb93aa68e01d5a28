"""Intensity augmentation layers of Keras 3.15: RandomInvert,
RandomPosterization, Solarization, RandomSharpness, RandomGaussianBlur.

Each image of a batch gets its own draw (RandomGaussianBlur: one sigma pair
per batch, as Keras); with an int `seed` a layer has its own reproducible
stream. Active in training only; the call contract is `_image_base`'s.
"""
import numbers

import numpy as np

from seqcore.layers.preprocessing import _image_base as ib
from seqcore.ops import image as image_ops
from seqcore.saving.serialization import register_builtin


@register_builtin
class RandomInvert(ib._ImagePreprocessing):
    """Inverts each image (x -> value_range[1] - x) with a probability
    drawn per image in `factor`.

    Args:
        factor: a number f (probabilities drawn in (0, f)) or a
            (low, high) pair, in [0, 1]; default 1.0.
        value_range: (low, high) of the pixel values, default (0, 255).
        seed, data_format.
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = ib.factor_bounded("RandomInvert", factor, (0, 1))
        self.value_range = ib.value_range_kept(value_range)

    def _draw(self, rng, batch):
        n = batch.shape[0]
        probability = rng.uniform(self.factor[0], self.factor[1], n)
        return {"apply_inversion": rng.random(n) < probability}

    def _apply(self, batch, params):
        chosen = np.asarray(params["apply_inversion"], bool)
        return np.where(chosen.reshape(-1, 1, 1, 1),
                        np.float32(self.value_range[1]) - batch, batch)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "value_range": self.value_range})
        return config


@register_builtin
class RandomPosterization(ib._ImagePreprocessing):
    """Keeps only the top `bits` bits of each 8-bit channel value (values
    mapped from value_range to [0, 255], truncated to integers, then
    mapped back).

    Args:
        factor: an int b in [1, 8] (bits drawn per image in [1, b), or b
            when b is 1, as Keras 3.15's randint) or a (low, high) pair of
            ints: bits drawn in [low, high), or exactly low when equal.
        value_range: (low, high), default (0, 255).
        data_format, seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        factor = ib.factor_bounded("RandomPosterization", factor, (1, 8))
        if any(float(f) != int(f) for f in factor):
            raise ValueError(f"RandomPosterization: `factor` must be whole "
                             f"numbers of bits in [1, 8]. Received: "
                             f"factor={factor}")
        self.factor = factor
        self.value_range = ib.value_range_sorted(value_range)

    def _draw(self, rng, batch):
        n = batch.shape[0]
        low, high = int(self.factor[0]), int(self.factor[1])
        bits = rng.integers(low, high, n) if low != high \
            else np.full(n, low)
        return {"shift_factor": (8 - bits).astype(np.uint8)}

    def _apply(self, batch, params):
        shift = np.asarray(params["shift_factor"], np.uint8).reshape(
            -1, 1, 1, 1)
        x = ib.rescale(batch, self.value_range, (0, 255))
        x = np.clip(x, 0, 255).astype(np.uint8)
        x = np.left_shift(np.right_shift(x, shift), shift)
        return ib.rescale(x.astype(np.float32), (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "value_range": self.value_range})
        return config


SOLARIZATION_ERROR = ("The `addition_factor` and `threshold_factor` "
                      "arguments should be a number (or a list of two "
                      "numbers) in the range [0, 1]. ")


def _solarization_factor(factor, name):
    """Keras's Solarization factor: a number f gives (0, f), a pair its
    sorted values; every number in [0, 1]."""
    def check(v):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or \
                v > 1.0 or v < 0:
            raise ValueError(SOLARIZATION_ERROR + f"Received: {name}={v!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(SOLARIZATION_ERROR
                             + f"Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        check(factor)
        return (0, factor)
    raise ValueError(SOLARIZATION_ERROR + f"Received: {name}={factor!r}")


@register_builtin
class Solarization(ib._ImagePreprocessing):
    """In [0, 255] terms: adds a per-image `addition`, clips to [0, 255],
    and inverts (255 - x) every value at or above a per-image `threshold`.
    As Keras 3.15, the addition is drawn in [a0, a1 * 255] and the
    threshold in [t0, t1 * 255] (only the upper bound is scaled by 255).
    The defaults (0, 0) invert every pixel. Active in training only.

    Args:
        addition_factor: a number f (meaning (0, f)) or a pair, in [0, 1].
        threshold_factor: a number or a pair, in [0, 1].
        value_range: (low, high) of the pixel values, default (0, 255).
        seed, data_format.
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0,
                 value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed, kwargs.pop("data_format", None), **kwargs)
        self.addition_factor = _solarization_factor(addition_factor,
                                                    "addition_factor")
        self.threshold_factor = _solarization_factor(threshold_factor,
                                                     "threshold_factor")
        self.value_range = ib.value_range_sorted(value_range)

    def _draw(self, rng, batch):
        n = batch.shape[0]
        a, t = self.addition_factor, self.threshold_factor
        return {"additions": rng.uniform(a[0], a[1] * 255, n),
                "thresholds": rng.uniform(t[0], t[1] * 255, n)}

    def _apply(self, batch, params):
        add = np.asarray(params["additions"], np.float32).reshape(-1, 1, 1, 1)
        thr = np.asarray(params["thresholds"], np.float32).reshape(
            -1, 1, 1, 1)
        x = ib.rescale(batch, self.value_range, (0, 255))
        x = np.clip(x + add, 0, 255)
        x = np.where(x < thr, x, np.float32(255) - x)
        return ib.rescale(x, (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range,
                       "addition_factor": self.addition_factor,
                       "threshold_factor": self.threshold_factor})
        return config


def _smooth3x3(batch):
    """Per channel, 'same' (zero-padded) 3x3 filter with weight 5/13 at the
    centre and 1/13 around it."""
    a, b = np.float32(1.0 / 13.0), np.float32(5.0 / 13.0)
    padded = np.pad(batch, ((0, 0), (1, 1), (1, 1), (0, 0)))
    h, w = batch.shape[1], batch.shape[2]
    out = np.zeros_like(batch)
    for dy in range(3):
        for dx in range(3):
            weight = b if dy == 1 and dx == 1 else a
            out += weight * padded[:, dy:dy + h, dx:dx + w]
    return out


@register_builtin
class RandomSharpness(ib._ImagePreprocessing):
    """Blends each image with a smoothed copy:
    x + (1 - 2 f) * (smooth(x) - x), f drawn per image in `factor`
    (0: fully smoothed, 0.5: unchanged, 1: sharpened), clipped to
    value_range.

    Args:
        factor: a number f (draws in (0, f)) or a (low, high) pair, in
            [0, 1].
        value_range: (low, high), default (0, 255).
        data_format, seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = ib.factor_bounded("RandomSharpness", factor, (0, 1))
        self.value_range = ib.value_range_sorted(value_range)

    def _draw(self, rng, batch):
        return {"factor": rng.uniform(self.factor[0], self.factor[1],
                                      batch.shape[0])}

    def _apply(self, batch, params):
        sharp = (np.asarray(params["factor"], np.float32)
                 * np.float32(2)).reshape(-1, 1, 1, 1)
        out = batch + (np.float32(1.0) - sharp) * (_smooth3x3(batch) - batch)
        return np.clip(out, *self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "value_range": self.value_range})
        return config


def _kernel_size(value):
    message = f"kernel_size must be an odd number. Received: " \
              f"kernel_size={value}"
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError("The `kernel_size` argument should be a number "
                             "(or a list of two numbers) Received: "
                             f"kernel_size={value}")
        sizes = tuple(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        sizes = (value, value)
    else:
        raise ValueError(message)
    if any(not isinstance(s, numbers.Real) or s % 2 == 0 or s < 1
           or s != int(s) for s in sizes):
        raise ValueError(message)
    return sizes


@register_builtin
class RandomGaussianBlur(ib._ImagePreprocessing):
    """Blurs each image with probability drawn per image in `factor`, with
    a Gaussian of kernel_size whose (x, y) sigmas are drawn once per batch
    in `sigma` (+ 1e-6), 'same' zero padding; the result is clipped to
    value_range.

    Args:
        factor: a number f (probabilities drawn in (0, f)) or a pair, in
            [0, 1]; default 1.0.
        kernel_size: an odd int (or a pair of odd ints), default 3.
        sigma: a number s (draws in (0, s)) or a pair, in [0, 1] as
            Keras 3.15 checks; default 1.0.
        value_range: (low, high), default (0, 255).
        data_format, seed.
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0,
                 value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = ib.factor_bounded("RandomGaussianBlur", factor, (0, 1))
        self.kernel_size = _kernel_size(kernel_size)
        self.sigma = ib.factor_bounded("RandomGaussianBlur", sigma, (0, 1),
                                       name="sigma")
        self.value_range = ib.value_range_kept(value_range)

    def _draw(self, rng, batch):
        n = batch.shape[0]
        probability = rng.uniform(self.factor[0], self.factor[1], n)
        chosen = rng.random(n) < probability
        sigma = rng.uniform(self.sigma[0], self.sigma[1], 2).astype(
            np.float32) + np.float32(1e-6)
        return {"should_apply_blur": chosen, "blur_factor": sigma}

    def _apply(self, batch, params):
        sizes = tuple(int(s) for s in self.kernel_size)
        sigma = tuple(float(s) for s in params["blur_factor"])
        blurred = image_ops.gaussian_blur(batch, sizes, sigma,
                                          data_format="channels_last")
        chosen = np.asarray(params["should_apply_blur"], bool)
        out = np.where(chosen.reshape(-1, 1, 1, 1), blurred, batch)
        return np.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "kernel_size": self.kernel_size,
                       "sigma": self.sigma,
                       "value_range": self.value_range})
        return config
