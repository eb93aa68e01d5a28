"""Keras 3's erasing and mixing augmentations: RandomErasing, CutMix,
MixUp. CutMix and MixUp mix each image with another of the batch (a random
permutation) and, given a dict {"images", "labels"}, mix the labels with
the same weights. At inference the input passes unchanged. See
_image_layer.py for the calling rules.
"""
import numbers

import numpy as np

from seqcore.layers.preprocessing._image_layer import (
    ImagePreprocessingLayer, factor_range, value_range_pair)
from seqcore.saving.serialization import register_builtin


def _crop_bounds(rng, n, length, ratio):
    """(start, end) (n,) float32 of a window of ratio * length placed
    uniformly inside [0, length]."""
    size = (np.asarray(ratio, np.float32) * np.float32(length))
    start = rng.random(n).astype(np.float32) * (np.float32(length) - size)
    return start, start + size


def _box_masks(h, w, x0, x1, y0, y1):
    """(n, h, w, 1) bool: pixels (x, y) with x0 <= x < x1, y0 <= y < y1."""
    ys = np.arange(h, dtype=np.float32)[None, :, None, None]
    xs = np.arange(w, dtype=np.float32)[None, None, :, None]
    col = lambda v: np.asarray(v, np.float32)[:, None, None, None]  # noqa
    return (xs >= col(x0)) & (xs < col(x1)) & (ys >= col(y0)) & \
        (ys < col(y1))


@register_builtin
class RandomErasing(ImagePreprocessingLayer):
    """Fills one random rectangle of each image (with a probability drawn
    in `factor`) with fill_value, or with normal noise times
    value_range[1] when fill_value is None; the fill is clipped to
    value_range. The rectangle's sides are sqrt(s) of the image's, s drawn
    in `scale` for each side.

    Args:
        factor: a number f in [0, 1] (probabilities drawn in (0, f)) or a
            (low, high) pair (1.0).
        scale: a number or a (low, high) pair in [0, 1]: the fraction of
            each side erased is the square root of a draw in it
            ((0.02, 0.33)).
        fill_value: a number, a list of 3 numbers (one per channel), or
            None (noise).
        value_range: (low, high) of the pixel values, (0, 255).
        seed, data_format.
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None,
                 value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range("RandomErasing", "factor", factor)
        self.scale = factor_range("RandomErasing", "scale", scale)
        ok = fill_value is None or (
            isinstance(fill_value, numbers.Real) and
            not isinstance(fill_value, bool)) or (
            isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)
        if not ok:
            raise ValueError(f"The `fill_value` argument should be a number "
                             f"(or a list of three numbers). Received: "
                             f"fill_value={fill_value!r}")
        self.fill_value = fill_value
        self.value_range = value_range_pair("RandomErasing", value_range)

    def _draw(self, rng, n, h, w):
        side = np.sqrt(rng.uniform(*self.scale, size=(n, 2)))
        x0, x1 = _crop_bounds(rng, n, w, side[:, 0])
        y0, y1 = _crop_bounds(rng, n, h, side[:, 1])
        probability = rng.uniform(*self.factor, size=n)
        apply = rng.random(n) < probability
        t = {"apply_erasing": apply, "box": (x0, x1, y0, y1)}
        if self.fill_value is None:
            t["noise"] = rng.standard_normal((n, h, w)).astype(np.float32)
        return t

    def _fill(self, t, shape):
        low, high = self.value_range
        if self.fill_value is None:
            noise = np.asarray(t["noise"], np.float32)
            if noise.shape != shape[:3]:
                raise ValueError(f"RandomErasing: the noise drawn for shape "
                                 f"{noise.shape} does not fit images of "
                                 f"shape {shape}")
            fill = np.broadcast_to(noise[..., None] * np.float32(high),
                                   shape)
        else:
            fill = np.broadcast_to(np.asarray(self.fill_value, np.float32),
                                   shape)
        return np.clip(fill, low, high)

    def _images(self, batch, t, interpolation):
        n, h, w, _ = batch.shape
        masks = _box_masks(h, w, *t["box"])
        apply = np.asarray(t["apply_erasing"], bool)[:, None, None, None]
        return np.where(masks & apply, self._fill(t, batch.shape), batch)

    def _masks(self, masks, t):
        return masks

    def _boxes(self, boxes, t, h, w):
        return boxes

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "fill_value": self.fill_value,
                       "value_range": self.value_range})
        return config


def _one_hot_weights(labels):
    return np.asarray(labels, np.float32)


@register_builtin
class CutMix(ImagePreprocessingLayer):
    """Pastes into each image of a batch a box cut from another image of
    the batch (a random permutation); the labels mix with weight 1 - the
    box's area fraction for the image's own label. A single image (rank 3)
    passes unchanged.

    Each batch draws alpha in `factor` (+ 1e-6), each image a weight
    lam ~ Beta(alpha, alpha) and a box of sides sqrt(1 - lam) of the
    image's, placed uniformly.

    Args:
        factor: a number f in [0, 1] (alpha drawn in (0, f)) or a
            (low, high) pair (1.0).
        seed, data_format.
    """

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range("CutMix", "factor", factor)

    def _draw(self, rng, n, h, w):
        alpha = np.float32(rng.uniform(*self.factor)) + np.float32(1e-6)
        lam = rng.beta(alpha, alpha, size=n).astype(np.float32)
        ratio = np.sqrt(1.0 - lam)
        x0, x1 = _crop_bounds(rng, n, w, ratio)
        y0, y1 = _crop_bounds(rng, n, h, ratio)
        weight = 1.0 - (x1 - x0) * (y1 - y0) / np.float32(w * h)
        return {"permutation_order": rng.permutation(n),
                "box": (x0, x1, y0, y1), "mix_weight": weight}

    def _transformation(self, shape, training, batched, rng=None):
        if not batched:
            return None
        return super()._transformation(shape, training, batched, rng)

    def _images(self, batch, t, interpolation):
        n, h, w, _ = batch.shape
        masks = _box_masks(h, w, *t["box"])
        return np.where(masks, batch[t["permutation_order"]], batch)

    def _masks(self, masks, t):
        return self._images(masks, t, "nearest")

    def _labels(self, labels, t):
        labels = _one_hot_weights(labels)
        weight = np.asarray(t["mix_weight"], np.float32).reshape(-1, 1)
        return weight * labels + (1.0 - weight) * \
            labels[t["permutation_order"]]

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


@register_builtin
class MixUp(ImagePreprocessingLayer):
    """Replaces each image x_i of a batch by lam_i x_i + (1 - lam_i) x_p(i),
    p a random permutation, lam_i ~ Beta(alpha, alpha); labels mix with the
    same weights. Bounding boxes: each image's boxes are followed by its
    partner's (Keras's concatenation).

    Args:
        alpha: the Beta distribution's parameter (0.2), positive.
        data_format, seed.
    """

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) \
                or alpha <= 0:
            raise ValueError(f"MixUp: alpha must be a positive number, "
                             f"received alpha={alpha!r}")
        self.alpha = alpha

    def _draw(self, rng, n, h, w):
        return {"permutation_order": rng.permutation(n),
                "mix_weight": rng.beta(self.alpha, self.alpha,
                                       size=n).astype(np.float32)}

    def _images(self, batch, t, interpolation):
        weight = np.asarray(t["mix_weight"], np.float32)[:, None, None, None]
        return weight * batch + (1.0 - weight) * \
            batch[t["permutation_order"]]

    def _masks(self, masks, t):
        return self._images(masks, t, "nearest")

    def _labels(self, labels, t):
        labels = _one_hot_weights(labels)
        weight = np.asarray(t["mix_weight"], np.float32).reshape(-1, 1)
        return weight * labels + (1.0 - weight) * \
            labels[t["permutation_order"]]

    def _boxes(self, boxes, t, h, w):
        order = t["permutation_order"]
        out = dict(boxes)
        out["boxes"] = np.concatenate([boxes["boxes"],
                                       boxes["boxes"][order]], axis=1)
        out["labels"] = np.concatenate([boxes["labels"],
                                        boxes["labels"][order]], axis=1)
        return out

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
