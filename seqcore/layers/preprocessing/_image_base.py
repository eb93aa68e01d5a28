"""What Keras 3's colour and intensity image layers share (AutoContrast,
Equalization, CLAHE, RandomHue, Solarization, ...): the call contract of
Keras's image-preprocessing layers, on top of `_Augmentation`.

- `call(data, training=True)`: as in Keras 3.15, a call with no
  `training` argument augments, directly (`layer(x)`) or inside a model
  (`model(x)`: the model passes training=None, which means True here, as
  Keras resolves it to the signature's default); `fit` augments,
  `predict`/`evaluate` (training=False) do not. Layers marked
  `_ALWAYS_ACTIVE` (AutoContrast, CLAHE) transform at inference too.
- `data` is an image (h, w, c), a batch (n, h, w, c) (channels_first:
  channels before h, w), or a dict with "images" and optionally "labels",
  "segmentation_masks", "bounding_boxes": the colour layers transform the
  images only; the other entries pass through unchanged (bounding boxes
  need a `bounding_box_format`, as in Keras).
- Subclasses implement `_draw(rng, batch)` -> the random parameters of
  one call (per image, as Keras's `get_random_transformation`) and
  `_apply(batch, params)` on a channels_last float32 batch;
  `_augment(batch, rng)` chains them, which is what a composite layer
  (RandomColorJitter, RandAugment) calls on a sub-layer.
"""
import numbers

import numpy as np

from seqcore.layers.preprocessing.augmentation import _Augmentation

VALUE_RANGE_ERROR = ("The `value_range` argument should be a list of two "
                     "numbers. ")


def value_range_sorted(value_range):
    """Keras's `_set_value_range`: a (low, high) list, sorted."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(VALUE_RANGE_ERROR
                         + f"Received: value_range={value_range}")
    if not all(isinstance(v, numbers.Real) for v in value_range):
        raise ValueError(VALUE_RANGE_ERROR
                         + f"Received: value_range={value_range}")
    return sorted(value_range)


def value_range_kept(value_range):
    """The value_range of the layers that keep it as given (RandomHue,
    RandomInvert, RandomGaussianBlur, CLAHE); checked for shape only."""
    value_range_sorted(value_range)
    return value_range


def rescale(images, source, target):
    """images (float32) mapped linearly from range `source` to `target`
    (Keras's `_transform_value_range`; unchanged when they are equal)."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    s0, s1 = np.float32(source[0]), np.float32(source[1])
    t0, t1 = np.float32(target[0]), np.float32(target[1])
    unit = (images - s0) / (s1 - s0)
    return (unit * (t1 - t0) + t0).astype(np.float32, copy=False)


def factor_bounded(layer, factor, bounds, name="factor"):
    """Keras's `_set_factor` with `_FACTOR_BOUNDS`: a number f gives
    (max(-|f|, low), |f|), a pair its sorted values."""
    message = (f"{layer}: the `{name}` argument should be a number (or a "
               f"list of two numbers) in the range [{bounds[0]}, "
               f"{bounds[1]}]. Received: {name}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(
                isinstance(f, numbers.Real) and not isinstance(f, bool)
                for f in factor):
            raise ValueError(message)
        if factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(factor))
    if isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        f = abs(factor)
        return (max(-f, bounds[0]), f)
    raise ValueError(message)


def need_rgb(layer, batch):
    if batch.shape[-1] != 3:
        raise ValueError(f"{layer}: input images must have 3 (RGB) "
                         f"channels, received images with "
                         f"{batch.shape[-1]} channels")


class _ImagePreprocessing(_Augmentation):
    """Base of Keras 3's colour/intensity image layers (see module doc)."""

    _ALWAYS_ACTIVE = False   # transform at inference too
    _HAS_SEED = True         # `seed` is a constructor argument and config key

    def __init__(self, seed=None, data_format=None, bounding_box_format=None,
                 **kwargs):
        if seed is not None and not self._HAS_SEED:
            raise ValueError(f"Unrecognized keyword arguments passed to "
                             f"{self.__class__.__name__}: {{'seed': {seed}}}"
                             f" (this layer draws nothing at random)")
        super().__init__(seed, data_format, **kwargs)
        self.bounding_box_format = bounding_box_format

    # ---- calling ------------------------------------------------------------

    def _convert_input(self, inputs):
        if isinstance(inputs, dict):
            if "images" not in inputs:
                raise ValueError(
                    f"{self.__class__.__name__} '{self.name}': a dict input "
                    f"needs an 'images' entry; received keys "
                    f"{sorted(inputs)}")
            data = dict(inputs)
            data["images"] = super()._convert_input(inputs["images"])
            return data
        return super()._convert_input(inputs)

    def call(self, inputs, training=True):
        if isinstance(inputs, dict):
            if "bounding_boxes" in inputs and not self.bounding_box_format:
                raise ValueError(
                    "You passed an input with a 'bounding_boxes' key, but "
                    "you didn't specify a bounding box format. Pass a "
                    f"`bounding_box_format` argument to your "
                    f"{self.__class__.__name__} layer, e.g. "
                    f"`bounding_box_format='xyxy'`.")
            data = dict(inputs)
            data["images"] = self._images(
                np.asarray(inputs["images"], np.float32), training)
            return data
        return self._images(inputs, training)

    def _images(self, images, training):
        if images.ndim not in (3, 4):
            raise ValueError(
                f"{self.__class__.__name__} '{self.name}': expected an image "
                f"(rank 3) or a batch of images (rank 4), received shape "
                f"{images.shape}")
        if training is None:
            training = True
        if not (training or self._ALWAYS_ACTIVE):
            return images
        batch = images if images.ndim == 4 else images[np.newaxis]
        if self.data_format == "channels_first":
            batch = np.moveaxis(batch, 1, -1)
        batch = np.ascontiguousarray(batch, np.float32)
        out = self._augment(batch, self._random.get())
        if self.data_format == "channels_first":
            out = np.moveaxis(out, -1, 1)
        out = np.ascontiguousarray(out, dtype=np.float32)
        return out if images.ndim == 4 else out[0]

    def _augment(self, batch, rng):
        """batch (n, h, w, c) float32, channels_last -> the augmented batch,
        with this call's random draws taken from `rng`."""
        return self._apply(batch, self._draw(rng, batch))

    def _draw(self, rng, batch):
        return None

    def _apply(self, batch, params):
        raise NotImplementedError

    def _inference_fn(self, input_shape):
        # The lean inference chain serves both model(x) (which augments)
        # and model(x, training=False) (which does not): only a layer that
        # does the same in both can join it.
        if self._ALWAYS_ACTIVE:
            return lambda x: self._images(x, False)
        return None

    # ---- config -------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        if not self._HAS_SEED:
            config.pop("seed", None)
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config
