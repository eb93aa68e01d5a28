"""Image augmentation layers: RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomCrop, RandomContrast, RandomBrightness. As in
Keras 3 they augment unless told training=False (predict and evaluate):
`layer(x)` and `model(x)` augment, `fit` too.

With an int `seed` a layer draws its own reproducible sequence of random
transformations; without, it draws from seqcore's global generator
(`seqcore.utils.set_random_seed`). Inputs are one image (h, w, c) or a
batch (n, h, w, c) (channels_first: channels before h, w); each image of a
batch gets its own draw (RandomCrop: one window per batch, as Keras).
"""
import math
import numbers

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers.preprocessing import _affine, _base
from seqcore.layers.preprocessing.resizing import resize_images
from seqcore.saving.serialization import register_builtin


def _factor_pair(layer, name, factor, bounds=(-1.0, 1.0)):
    """Keras's factor forms: a number f gives (max(-|f|, low), |f|); a pair
    gives its sorted values."""
    message = (f"{layer}: the `{name}` argument should be a number (or a "
               f"list of two numbers) in the range [{bounds[0]}, "
               f"{bounds[1]}]. Received: {name}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(isinstance(f, numbers.Real)
                                       for f in factor):
            raise ValueError(message)
        if factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(float(f) for f in factor))
    if isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        f = abs(float(factor))
        return (max(-f, bounds[0]), f)
    raise ValueError(message)


class _Augmentation(Layer):
    """Shared: seed, data layout, batching of single images, inference
    identity. Subclasses implement _augment(batch (n, h, w, c), rng)."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._random = _base.SeededRandom(seed)
        self.data_format = _base.image_format(self.__class__.__name__,
                                              data_format)

    def call(self, inputs, training=True):
        # As Keras 3: a call that does not say (training None: `layer(x)`,
        # `model(x)`) augments; predict/evaluate (training=False) do not.
        if training is False or (training is not None and not training):
            return inputs
        if inputs.ndim not in (3, 4):
            raise ValueError(f"{self.__class__.__name__} '{self.name}': "
                             f"expected an image (rank 3) or a batch of "
                             f"images (rank 4), received shape "
                             f"{inputs.shape}")
        batch = inputs if inputs.ndim == 4 else inputs[np.newaxis]
        if self.data_format == "channels_first":
            batch = np.moveaxis(batch, 1, -1)
        out = self._augment(np.ascontiguousarray(batch, np.float32),
                            self._random.get())
        if self.data_format == "channels_first":
            out = np.moveaxis(out, -1, 1)
        out = np.ascontiguousarray(out, dtype=np.float32)
        return out if inputs.ndim == 4 else out[0]

    def backward(self, dy):
        raise NotImplementedError(
            f"{self.__class__.__name__} '{self.name}' has no backward pass: "
            f"place augmentation layers before the first trainable layer "
            f"(the usual place), where no gradient reaches them")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _inference_fn(self, input_shape):
        # the lean inference chain serves model(x) too, which augments
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"seed": self.seed, "data_format": self.data_format})
        return config


@register_builtin
class RandomFlip(_Augmentation):
    """Flips each image with probability 1/2.

    Args:
        mode: 'horizontal', 'vertical' or 'horizontal_and_vertical' (one
            draw flips both axes).
        seed, data_format: see the module doc.
    """

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        if mode not in self.MODES:
            raise ValueError(f"RandomFlip layer {self.name} received an "
                             f"unknown mode argument {mode!r}; expected one "
                             f"of {list(self.MODES)}")
        self.mode = mode

    def _augment(self, batch, rng):
        flips = rng.random(batch.shape[0]) <= 0.5
        out = batch.copy()
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            out[flips] = out[flips][:, :, ::-1]
        if self.mode in ("vertical", "horizontal_and_vertical"):
            out[flips] = out[flips][:, ::-1]
        return out

    def get_config(self):
        config = super().get_config()
        config["mode"] = self.mode
        return config


class _Affine(_Augmentation):
    """Geometric augmentations resampled by an affine transform."""

    def __init__(self, fill_mode, interpolation, seed, fill_value,
                 data_format, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        cls = self.__class__.__name__
        if fill_mode not in _affine.FILL_MODES:
            raise NotImplementedError(
                f"Unknown `fill_mode` {fill_mode}. Expected of one "
                f"{list(_affine.FILL_MODES)}.")
        if interpolation not in _affine.INTERPOLATIONS:
            raise NotImplementedError(
                f"Unknown `interpolation` {interpolation}. Expected of one "
                f"{list(_affine.INTERPOLATIONS)} ({cls}).")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    def _augment(self, batch, rng):
        n, h, w, _ = batch.shape
        transforms = np.stack([self._transform(rng, h, w) for _ in range(n)])
        return _affine.affine_transform(batch, transforms, self.interpolation,
                                        self.fill_mode, self.fill_value)

    def get_config(self):
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode,
                       "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return config


@register_builtin
class RandomRotation(_Affine):
    """Rotates each image about its centre by an angle drawn uniformly in
    [factor[0], factor[1]] * 2 pi (a number f means (-f, f)).

    Args:
        factor: a fraction of a full turn, or a (low, high) pair.
        fill_mode: 'reflect' (default), 'wrap', 'constant', 'nearest' or
            'mirror' for points outside the input.
        interpolation: 'bilinear' or 'nearest'.
        seed, fill_value, data_format.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value,
                         data_format, **kwargs)
        self.factor = _factor_pair("RandomRotation", "factor", factor)

    def _transform(self, rng, h, w):
        turns = rng.uniform(self.factor[0], self.factor[1])
        return _affine.rotation_transform(2 * math.pi * turns, h, w)

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


@register_builtin
class RandomZoom(_Affine):
    """Zooms each image about its centre: the sampled area is scaled by
    1 + a draw in [height_factor] vertically and [width_factor]
    horizontally (negative: zoom in; positive: zoom out; width_factor None
    keeps the aspect ratio).

    Args:
        height_factor: a number f (meaning (-f, f)) or a (low, high) pair.
        width_factor: the same for the width, or None.
        fill_mode, interpolation, seed, fill_value, data_format: as
            RandomRotation.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value,
                         data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        bounds = (-1.0, float("inf"))
        self._height = _factor_pair("RandomZoom", "height_factor",
                                    height_factor, bounds)
        self._width = None if width_factor is None else _factor_pair(
            "RandomZoom", "width_factor", width_factor, bounds)

    def _transform(self, rng, h, w):
        zoom_h = 1.0 + rng.uniform(*self._height)
        zoom_w = zoom_h if self._width is None \
            else 1.0 + rng.uniform(*self._width)
        return _affine.zoom_transform(zoom_h, zoom_w, h, w)

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor,
                       "width_factor": self.width_factor})
        return config


@register_builtin
class RandomTranslation(_Affine):
    """Shifts each image by a draw in [height_factor] * height rows and
    [width_factor] * width columns.

    Args:
        height_factor, width_factor: a number f (meaning (-f, f)) or a
            (low, high) pair, fractions of the image size.
        fill_mode, interpolation, seed, fill_value, data_format: as
            RandomRotation.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value,
                         data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height = _factor_pair("RandomTranslation", "height_factor",
                                    height_factor)
        self._width = _factor_pair("RandomTranslation", "width_factor",
                                   width_factor)

    def _transform(self, rng, h, w):
        dy = rng.uniform(*self._height) * h
        dx = rng.uniform(*self._width) * w
        return _affine.translation_transform(dx, dy)

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor,
                       "width_factor": self.width_factor})
        return config


@register_builtin
class RandomCrop(_Augmentation):
    """In training, crops a random (height, width) window (one per batch);
    an input not larger than that is cropped to the target aspect ratio and
    resized. At inference the input passes unchanged, as in Keras 3.

    Args:
        height, width: the crop size.
        seed, data_format.
    """

    def __init__(self, height, width, seed=None, data_format=None,
                 name=None, **kwargs):
        super().__init__(seed, data_format, name=name, **kwargs)
        self.height = _base.positive_int("RandomCrop", "height", height)
        self.width = _base.positive_int("RandomCrop", "width", width)

    def _augment(self, batch, rng):
        _, h, w, _ = batch.shape
        if h > self.height and w > self.width:
            top = int(rng.uniform(0, h - self.height + 1))
            left = int(rng.uniform(0, w - self.width + 1))
            return batch[:, top:top + self.height, left:left + self.width]
        fmt, self.data_format = self.data_format, "channels_last"
        try:
            out, _ = resize_images(self, batch, self.height, self.width,
                                   "bilinear", crop=True)
        finally:
            self.data_format = fmt
        return out

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis, w_axis = _base.image_axes(self.data_format, len(shape))
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config


def _value_range(layer, value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(f"{layer}: the `value_range` argument should be a "
                         f"list of two numbers. Received: "
                         f"value_range={value_range!r}")
    return tuple(sorted(value_range))


@register_builtin
class RandomContrast(_Augmentation):
    """Scales each image's deviation from its per-channel mean by a factor
    drawn in [1 - factor[0], 1 + factor[1]] (a number f gives (0, f): the
    bounds are [0, 1], as in Keras 3), then clips to value_range.

    Args:
        factor: a number or a (low, high) pair in [0, 1].
        value_range: the (min, max) of the pixel values, (0, 255).
        seed.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed, kwargs.pop("data_format", None), **kwargs)
        self.factor = _factor_pair("RandomContrast", "factor", factor,
                                   (0.0, 1.0))
        self.value_range = _value_range("RandomContrast", value_range)

    def _augment(self, batch, rng):
        factor = rng.uniform(1.0 - self.factor[0], 1.0 + self.factor[1],
                             (batch.shape[0], 1, 1, 1)).astype(np.float32)
        mean = batch.mean(axis=(1, 2), keepdims=True)
        return np.clip((batch - mean) * factor + mean, *self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "value_range": self.value_range})
        return config


@register_builtin
class RandomBrightness(_Augmentation):
    """Adds to each image a delta drawn in factor * (max - min) of
    value_range, then clips to value_range.

    Args:
        factor: a number f (meaning (-f, f)) or a (low, high) pair, in
            [-1, 1].
        value_range: the (min, max) of the pixel values, (0, 255).
        seed.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed, kwargs.pop("data_format", None), **kwargs)
        self.factor = _factor_pair("RandomBrightness", "factor", factor)
        self.value_range = _value_range("RandomBrightness", value_range)

    def _augment(self, batch, rng):
        span = self.value_range[1] - self.value_range[0]
        delta = rng.uniform(self.factor[0], self.factor[1],
                            (batch.shape[0], 1, 1, 1)) * span
        return np.clip(batch + delta.astype(np.float32), *self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor,
                       "value_range": self.value_range})
        return config
