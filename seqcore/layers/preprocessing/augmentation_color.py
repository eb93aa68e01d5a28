"""Colour augmentation layers of Keras 3.15: RandomColorDegeneration,
RandomGrayscale, RandomHue, RandomSaturation and RandomColorJitter (which
chains RandomBrightness, RandomContrast, RandomSaturation, RandomHue).

Each image of a batch gets its own draw; with an int `seed` a layer has
its own reproducible stream, else it draws from seqcore's global generator.
RGB inputs (3 channels); the call contract is `_image_base`'s.
"""
import numbers

import numpy as np

from seqcore.layers.preprocessing import _image_base as ib
from seqcore.layers.preprocessing.augmentation import (RandomBrightness,
                                                        RandomContrast)
from seqcore.ops import image as image_ops
from seqcore.saving.serialization import register_builtin

EPSILON = np.float32(1e-7)     # Keras's backend epsilon()


def _per_image(params, n):
    return np.asarray(params, np.float32).reshape(n, 1, 1, 1)


def _gray(batch):
    """(n, h, w, 3) -> (n, h, w, 1): luma 0.2989 R + 0.5870 G + 0.1140 B."""
    return image_ops.rgb_to_grayscale(batch, data_format="channels_last")


@register_builtin
class RandomColorDegeneration(ib._ImagePreprocessing):
    """Blends each image towards its grayscale version:
    x + f * (gray(x) - x), f drawn per image in `factor`, then clipped to
    value_range. f = 0 keeps the image, 1 makes it gray.

    Args:
        factor: a number f (draws in (-f, f), as Keras 3.15) or a
            (low, high) pair, in [-1, 1].
        value_range: (low, high) of the pixel values, default (0, 255).
        data_format, seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = ib.factor_bounded("RandomColorDegeneration", factor,
                                        (-1, 1))
        self.value_range = ib.value_range_sorted(value_range)

    def _draw(self, rng, batch):
        return {"factor": rng.uniform(self.factor[0], self.factor[1],
                                      batch.shape[0])}

    def _apply(self, batch, params):
        ib.need_rgb("RandomColorDegeneration", batch)
        f = _per_image(params["factor"], batch.shape[0])
        out = batch + f * (_gray(batch) - batch)
        return np.clip(out, *self.value_range)

    def compute_output_shape(self, input_shape):
        _check_rgb_shape(input_shape, self.data_format)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "value_range": self.value_range})
        return config


def _check_rgb_shape(shape, data_format):
    if len(shape) not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single "
                         "image) or rank 4 (batch of images). Received: "
                         f"input_shape={tuple(shape)}")
    channels = shape[-1 if data_format == "channels_last" else -3]
    if channels is not None and channels != 3:
        raise ValueError("Input images must have 3 channels, but received "
                         f"images with {channels} channels.")


@register_builtin
class RandomGrayscale(ib._ImagePreprocessing):
    """Converts each image to grayscale with probability `factor`, keeping
    its 3 channels (all equal to the luma).

    Args:
        factor: probability in [0, 1], default 0.5.
        data_format, seed (as Keras 3.15, `seed` is not part of the
            config).
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
            raise TypeError(f"RandomGrayscale: `factor` should be a number "
                            f"between 0 and 1. Received: factor={factor!r}")
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. "
                             f"Received: factor={factor}")
        self.factor = factor

    def _draw(self, rng, batch):
        return {"apply": rng.random(batch.shape[0]) < self.factor}

    def _apply(self, batch, params):
        ib.need_rgb("RandomGrayscale", batch)
        chosen = np.asarray(params["apply"], bool).reshape(-1, 1, 1, 1)
        return np.where(chosen, _gray(batch), batch)

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        config["factor"] = self.factor
        return config


@register_builtin
class RandomHue(ib._ImagePreprocessing):
    """Rotates each image's hue: in HSV (from value_range mapped to
    [0, 1]), H += s * f / 2 (wrapped into [0, 1]) with f drawn in `factor`
    and a random sign s; back to RGB, clipped, mapped to value_range.

    Args:
        factor: a number f (draws in (0, f)) or a (low, high) pair, in
            [0, 1]; 1 turns the hue by up to half a turn.
        value_range: (low, high) of the pixel values, default (0, 255).
        data_format, seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = ib.factor_bounded("RandomHue", factor, (0, 1))
        self.value_range = ib.value_range_kept(value_range)

    def _draw(self, rng, batch):
        n = batch.shape[0]
        sign = np.where(rng.random(n) > 0.5, -1.0, 1.0)
        return {"factor": sign * rng.uniform(self.factor[0], self.factor[1],
                                             n) * 0.5}

    def _apply(self, batch, params):
        ib.need_rgb("RandomHue", batch)
        delta = np.asarray(params["factor"], np.float32).reshape(-1, 1, 1)
        x = ib.rescale(batch, self.value_range, (0, 1))
        hsv = image_ops.rgb_to_hsv(x, data_format="channels_last")
        hue = hsv[..., 0] + delta
        hue = np.where(hue > 1.0, hue - np.float32(1.0), hue)
        hue = np.where(hue < 0.0, hue + np.float32(1.0), hue)
        hsv = np.stack([hue, hsv[..., 1], hsv[..., 2]], axis=-1)
        out = image_ops.hsv_to_rgb(hsv.astype(np.float32),
                                   data_format="channels_last")
        return ib.rescale(np.clip(out, 0, 1), (0, 1), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "value_range": self.value_range})
        return config


@register_builtin
class RandomSaturation(ib._ImagePreprocessing):
    """Scales each image's HSV saturation by u / (1 - u + 1e-7), u drawn in
    `factor` (u = 0.5: unchanged, 0: grayscale, 1: fully saturated), then
    clips the saturation to value_range as Keras 3.15 does (so with the
    default (0, 255) it may exceed 1).

    Args:
        factor: a number f (draws in (-f, f), as Keras 3.15) or a
            (low, high) pair, in [-1, 1].
        value_range: (low, high), default (0, 255).
        data_format, seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None,
                 seed=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = ib.factor_bounded("RandomSaturation", factor, (-1, 1))
        self.value_range = ib.value_range_sorted(value_range)

    def _draw(self, rng, batch):
        u = rng.uniform(self.factor[0], self.factor[1],
                        batch.shape[0]).astype(np.float32)
        return {"factor": u / (np.float32(1.0) - u + EPSILON)}

    def _apply(self, batch, params):
        ib.need_rgb("RandomSaturation", batch)
        scale = np.asarray(params["factor"], np.float32).reshape(-1, 1, 1)
        hsv = image_ops.rgb_to_hsv(batch, data_format="channels_last")
        saturation = np.clip(hsv[..., 1] * scale, *self.value_range)
        hsv = np.stack([hsv[..., 0], saturation, hsv[..., 2]], axis=-1)
        return image_ops.hsv_to_rgb(hsv.astype(np.float32),
                                    data_format="channels_last")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "value_range": self.value_range})
        return config


@register_builtin
class RandomColorJitter(ib._ImagePreprocessing):
    """Applies, in this order and each only when its factor is given,
    RandomBrightness, RandomContrast, RandomSaturation and RandomHue with
    this layer's value_range, all drawing from this layer's stream.

    Args:
        value_range: (low, high) of the pixel values, default (0, 255).
        brightness_factor, contrast_factor, saturation_factor, hue_factor:
            the `factor` of each sub-layer, or None to skip it.
        seed, data_format.
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None,
                 contrast_factor=None, saturation_factor=None,
                 hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        steps = []
        if brightness_factor is not None:
            steps.append(RandomBrightness(brightness_factor, value_range,
                                          seed=seed))
        if contrast_factor is not None:
            steps.append(RandomContrast(contrast_factor, value_range,
                                        seed=seed))
        if saturation_factor is not None:
            steps.append(RandomSaturation(saturation_factor, value_range,
                                          seed=seed))
        if hue_factor is not None:
            steps.append(RandomHue(hue_factor, value_range, seed=seed))
        if not steps:
            ib.value_range_sorted(value_range)
        self._steps = tuple(steps)

    def _augment(self, batch, rng):
        for step in self._steps:
            batch = np.asarray(step._augment(batch, rng), np.float32)
        return batch

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range,
                       "brightness_factor": self.brightness_factor,
                       "contrast_factor": self.contrast_factor,
                       "saturation_factor": self.saturation_factor,
                       "hue_factor": self.hue_factor})
        return config
