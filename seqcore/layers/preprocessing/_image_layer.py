"""The base of Keras 3's newer image preprocessing layers (RandomShear,
RandomPerspective, RandomElasticTransform, RandomErasing, CutMix, MixUp,
MaxNumBoundingBoxes): besides an image or a batch of images, they take a
dict {"images", "labels", "bounding_boxes", "segmentation_masks"} (any of
the last three optional) and transform every entry with the same random
draw.

As in Keras, `training` defaults to True (a direct call augments;
`predict`/`evaluate` pass False); at inference the images pass unchanged.
Subclasses work on channels_last batches (n, h, w, c) and implement:

    _draw(rng, n, h, w) -> a dict of the draw (None: nothing to do)
    _images(batch, t, interpolation) -> batch
    _labels(labels (n, ...), t) -> labels           (default: unchanged)
    _masks(masks (n, h, w, c), t) -> masks   (default: _images, nearest)
    _boxes({"boxes" (n, k, 4), "labels" (n, k)}, t, h, w) -> the same
                                         (default: Keras's NotImplementedError)

Keras's public names work too (what RandAugment and AugMix call on their
sub-layers): get_random_transformation(data, training, seed),
transform_images(images, transformation, training), transform_labels.
"""
import numbers

import numpy as np

from seqcore.layers.preprocessing import _base, _boxes
from seqcore.layers.preprocessing.augmentation import _Augmentation


def factor_range(layer, name, factor, bounds=(0.0, 1.0), negate=False,
                 label="factor"):
    """Keras's (lower, upper) from a number or a pair. A number f gives
    (max(-f, low), f) (negate: (-f, f), RandomShear's form, whose pairs
    may then be in [-high, high]); a pair is sorted. ValueError (Keras's
    message) for anything else."""
    message = (f"{layer}: the `{name}` argument should be a number (or a "
               f"list of two numbers) in the range [{bounds[0]}, "
               f"{bounds[1]}]. Received: {label}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(
                isinstance(f, numbers.Real) and not isinstance(f, bool)
                for f in factor):
            raise ValueError(message)
        if negate:
            # a number f means (-f, f), which is what get_config writes:
            # a pair may hold negative values (Keras 3.15 refuses them,
            # so that it cannot reload its own RandomShear(0.2) config)
            if not all(-bounds[1] <= f <= bounds[1] for f in factor):
                raise ValueError(message)
        elif factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(float(f) for f in factor))
    if isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        f = abs(float(factor))
        return (-f, f) if negate else (max(-f, bounds[0]), f)
    raise ValueError(message)


def value_range_pair(layer, value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 \
            or not all(isinstance(v, numbers.Real) for v in value_range):
        raise ValueError(f"{layer}: the `value_range` argument should be a "
                         f"list of two numbers. Received: "
                         f"value_range={value_range!r}")
    return value_range


class ImagePreprocessingLayer(_Augmentation):
    """Shared: dict inputs, single images, data_format, training default.

    Args:
        seed: an int for a reproducible stream of draws, or None.
        data_format: "channels_last" or "channels_first" (None: the
            configured default).
        bounding_box_format: the format of `bounding_boxes` inputs (Keras's
            names: "xyxy", "rel_xyxy", ...), or None.
    """

    # MaxNumBoundingBoxes transforms at inference too.
    _TRANSFORM_AT_INFERENCE = False

    def __init__(self, seed=None, data_format=None, bounding_box_format=None,
                 **kwargs):
        super().__init__(seed, data_format, **kwargs)
        _boxes.check_format(self.__class__.__name__, bounding_box_format)
        self.bounding_box_format = bounding_box_format

    # ---- calling -------------------------------------------------------

    def _convert_input(self, inputs):
        if isinstance(inputs, dict):
            return dict(inputs)
        return super()._convert_input(inputs)

    def call(self, data, training=True):
        if training is None:       # Keras: the call signature's default
            training = True
        if isinstance(data, dict):
            if "images" not in data:
                raise ValueError(
                    f"{self.__class__.__name__} '{self.name}': a dict input "
                    f"needs an 'images' entry; received keys "
                    f"{sorted(data)}")
            return self._call_dict(dict(data), training)
        return self._call_dict({"images": data}, training)["images"]

    def _call_dict(self, data, training):
        images = np.asarray(data["images"], np.float32)
        batched = self._check_rank(images.shape)
        batch = self._to_last(images if batched else images[np.newaxis])
        t = self._transformation(batch.shape, training, batched)
        _, h, w, _ = batch.shape
        out = batch if t is None else self._images(batch, t,
                                                   self._interpolation())
        out = self._from_last(np.asarray(out, np.float32))
        data["images"] = out if batched else out[0]
        if "bounding_boxes" in data:
            if not self.bounding_box_format:
                raise ValueError(
                    f"You passed an input with a 'bounding_boxes' key, but "
                    f"you didn't specify a bounding box format. Pass a "
                    f"`bounding_box_format` argument to your "
                    f"{self.__class__.__name__} layer, e.g. "
                    f"`bounding_box_format='xyxy'`.")
            boxes = _dense_boxes(data["bounding_boxes"], batched)
            if t is not None:
                boxes = self._boxes(boxes, t, h, w)
            if not batched:
                boxes = {k: v[0] for k, v in boxes.items()}
            data["bounding_boxes"] = boxes
        if "labels" in data:
            labels = np.asarray(data["labels"])
            if t is not None:
                one = labels if batched else labels[np.newaxis]
                one = self._labels(one, t)
                labels = one if batched else one[0]
            data["labels"] = labels
        if "segmentation_masks" in data:
            masks = np.asarray(data["segmentation_masks"], np.float32)
            if t is not None:
                one = self._to_last(masks if batched else masks[np.newaxis])
                one = self._from_last(np.asarray(self._masks(one, t),
                                                 np.float32))
                masks = one if batched else one[0]
            data["segmentation_masks"] = masks
        return data

    # ---- Keras's public transformation API (what RandAugment and AugMix
    # call on their sub-layers) -----------------------------------------

    def get_random_transformation(self, data, training=True, seed=None):
        """The random draw for `data` (an image, a batch or a dict with
        "images"), or None (inference, or nothing to do). seed: an int, a
        keras.random.SeedGenerator or a numpy Generator (None: the layer's
        own stream)."""
        images = data["images"] if isinstance(data, dict) else data
        shape = np.shape(images)
        batched = self._check_rank(shape)
        if self.data_format == "channels_first":
            shape = (shape[0],) + tuple(shape[2:]) + (shape[1],) \
                if batched else tuple(shape[1:]) + (shape[0],)
        if not batched:
            shape = (1,) + tuple(shape)
        rng = None
        if seed is not None:
            from seqcore import random as sc_random
            rng = sc_random._draw_generator(seed)
        return self._transformation(shape, training, batched, rng)

    def transform_images(self, images, transformation, training=True):
        """images (an image or a batch, in the layer's data_format) with
        `transformation` applied (unchanged when it is None or not
        training)."""
        images = np.asarray(images, np.float32)
        if not training or transformation is None:
            return images
        batched = self._check_rank(images.shape)
        batch = self._to_last(images if batched else images[np.newaxis])
        out = self._from_last(np.asarray(self._images(
            batch, transformation, self._interpolation()), np.float32))
        return out if batched else out[0]

    def transform_labels(self, labels, transformation, training=True):
        """labels (batch, ...) mixed or kept as the draw says."""
        if not training or transformation is None:
            return labels
        return self._labels(np.asarray(labels), transformation)

    def _transformation(self, shape, training, batched, rng=None):
        if not training and not self._TRANSFORM_AT_INFERENCE:
            return None
        n, h, w, _ = shape
        return self._draw(rng or self._random.get(), n, h, w)

    def _check_rank(self, shape):
        if len(shape) not in (3, 4):
            raise ValueError(
                f"{self.__class__.__name__} '{self.name}': expected image "
                f"tensor to have rank 3 (single image) or 4 (batch of "
                f"images). Received: data.shape={tuple(shape)}")
        return len(shape) == 4

    def _to_last(self, batch):
        if self.data_format == "channels_first":
            batch = np.moveaxis(batch, 1, -1)
        return np.ascontiguousarray(batch)

    def _from_last(self, batch):
        if self.data_format == "channels_first":
            batch = np.moveaxis(batch, -1, 1)
        return np.ascontiguousarray(batch)

    def _interpolation(self):
        return getattr(self, "interpolation", "bilinear")

    # ---- what subclasses override --------------------------------------

    def _draw(self, rng, n, h, w):
        return None

    def _images(self, batch, t, interpolation):
        return batch

    def _labels(self, labels, t):
        return labels

    def _masks(self, masks, t):
        return self._images(masks, t, "nearest")

    def _boxes(self, boxes, t, h, w):
        raise NotImplementedError(
            f"{self.__class__.__name__} does not transform bounding boxes "
            f"(as in Keras 3)")

    # ---- shapes, config --------------------------------------------------

    def compute_output_shape(self, input_shape):
        return input_shape

    def _inference_fn(self, input_shape):
        return None if self._TRANSFORM_AT_INFERENCE else (lambda x: x)

    def get_config(self):
        config = super().get_config()
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config


def _dense_boxes(bounding_boxes, batched):
    """{"boxes" (n, k, 4) float32, "labels" (n, k)} from a dict of arrays
    (a single image's (k, 4), (k,) gain the batch axis) or, batched, of
    lists of per-image lists (padded with boxes 0 and labels -1, as Keras's
    densify_bounding_boxes)."""
    if not isinstance(bounding_boxes, dict) or \
            not {"boxes", "labels"} <= set(bounding_boxes):
        raise ValueError(
            f"Expected `bounding_boxes` to be a dict with keys 'boxes' and "
            f"'labels'. Received: bounding_boxes={bounding_boxes!r}")
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    if batched and isinstance(boxes, list) and boxes and \
            isinstance(boxes[0], list) and boxes[0] and \
            isinstance(boxes[0][0], list):
        k = max(len(b) for b in boxes)
        boxes = [list(b) + [[0, 0, 0, 0]] * (k - len(b)) for b in boxes]
        labels = [list(v) + [-1] * (k - len(v)) for v in labels]
    boxes = np.asarray(boxes, np.float32)
    labels = np.asarray(labels)
    if not batched:
        boxes, labels = boxes[np.newaxis], labels[np.newaxis]
    if boxes.ndim != 3 or boxes.shape[-1] != 4:
        raise ValueError(
            f"Expected `bounding_boxes['boxes']` of shape (batch, "
            f"num_boxes, 4) (or (num_boxes, 4) for one image). Received "
            f"shape {boxes.shape[1:] if not batched else boxes.shape}")
    out = dict(bounding_boxes)
    out.update({"boxes": boxes, "labels": labels})
    return out
