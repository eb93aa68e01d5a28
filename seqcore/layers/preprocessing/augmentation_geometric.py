"""Keras 3's newer geometric augmentations: RandomShear, RandomPerspective,
RandomElasticTransform. Each takes an image (h, w, c), a batch
(n, h, w, c) (channels_first: channels before h, w) or a dict with
"images" (and "labels", "segmentation_masks" resampled with nearest
taps); each image of a batch gets its own draw; at inference the input
passes unchanged. See _image_layer.py for the calling rules.
"""
import numpy as np

from seqcore.layers.preprocessing import _affine, _boxes
from seqcore.layers.preprocessing._image_layer import (
    ImagePreprocessingLayer, factor_range, value_range_pair)
from seqcore.ops import _elastic
from seqcore.saving.serialization import register_builtin


def _check_choice(value, choices, what):
    if value not in choices:
        raise NotImplementedError(f"Unknown `{what}` {value}. Expected of "
                                  f"one {tuple(choices)}.")


def _clipped(boxes, xyxy, fmt, h, w):
    """boxes with absolute xyxy `xyxy` clipped to the image and written
    back in `fmt`."""
    clipped, labels = _boxes.clip_xyxy(xyxy, boxes["labels"], h, w)
    out = dict(boxes)
    out["boxes"] = _boxes.from_xyxy(clipped, fmt, h, w)
    out["labels"] = labels
    return out


@register_builtin
class RandomShear(ImagePreprocessingLayer):
    """Shears each image along x and y: the output pixel (x, y) reads the
    input at (x + sx y, y + sy x), with sx drawn in x_factor, sy in
    y_factor, and both negated together with probability 1/2.

    Args:
        x_factor: a number f in [0, 1] (meaning (-f, f)) or a (low, high)
            pair of numbers in [0, 1]: the shear along x, as a fraction.
        y_factor: the same along y.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: "reflect" (default), "wrap", "constant" or "nearest".
        fill_value: the value outside the image for "constant".
        data_format, seed: see the module doc.
    """

    FILL_MODES = ("reflect", "wrap", "constant", "nearest")

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None,
                 seed=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.x_factor = factor_range("RandomShear", "x_factor", x_factor,
                                     negate=True, label="x_factor")
        self.y_factor = factor_range("RandomShear", "y_factor", y_factor,
                                     negate=True, label="y_factor")
        _check_choice(fill_mode, self.FILL_MODES, "fill_mode")
        _check_choice(interpolation, _affine.INTERPOLATIONS, "interpolation")
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation

    def _draw(self, rng, n, h, w):
        sign = np.where(rng.random((n, 1)) > 0.5, -1.0, 1.0)
        shear_x = rng.uniform(*self.x_factor, size=(n, 1))
        shear_y = rng.uniform(*self.y_factor, size=(n, 1))
        factor = np.concatenate([shear_x, shear_y], axis=1) * sign
        return {"shear_factor": factor.astype(np.float32)}

    def _images(self, batch, t, interpolation):
        shear = np.asarray(t["shear_factor"], np.float64)
        n = shear.shape[0]
        ones, zeros = np.ones(n), np.zeros(n)
        transforms = np.stack([ones, shear[:, 0], zeros, shear[:, 1], ones,
                               zeros, zeros, zeros], axis=1)
        return _affine.affine_transform(batch, transforms, interpolation,
                                        self.fill_mode, self.fill_value)

    def _boxes(self, boxes, t, h, w):
        """Keras's box shear: in relative xyxy coordinates each box edge
        moves by the shear of the corner that leads, then the boxes are
        clipped to the image (labels of empty boxes: -1)."""
        xyxy = _boxes.to_xyxy(boxes["boxes"], self.bounding_box_format, h, w)
        x1, y1 = xyxy[..., 0] / w, xyxy[..., 1] / h
        x2, y2 = xyxy[..., 2] / w, xyxy[..., 3] / h
        shear = np.asarray(t["shear_factor"], np.float32)
        sx, sy = shear[:, :1], shear[:, 1:]
        x1, x2 = (np.where(sx < 0, x1 - sx * y1, x1 - sx * y2),
                  np.where(sx < 0, x2 - sx * y2, x2 - sx * y1))
        y1, y2 = (np.where(sy > 0, y1 - sy * x2, y1 - sy * x1),
                  np.where(sy > 0, y2 - sy * x1, y2 - sy * x2))
        xyxy = np.stack([x1 * w, y1 * h, x2 * w, y2 * h], axis=-1)
        return _clipped(boxes, xyxy, self.bounding_box_format, h, w)

    def get_config(self):
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor,
                       "fill_mode": self.fill_mode,
                       "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return config


@register_builtin
class RandomPerspective(ImagePreprocessingLayer):
    """Moves each image's 4 corners by up to scale / 2 of their coordinates
    and warps the image by the homography between the corners; an image
    is warped with a probability drawn in `factor` (per image).

    Args:
        factor: a number f in [0, 1] (probabilities drawn in (0, f)) or a
            (low, high) pair; 1.0 by default (a probability drawn in
            (0, 1), so about half the images).
        scale: in [0, 1], the relative corner shift (1.0).
        interpolation: "bilinear" (default) or "nearest".
        fill_value: the value outside the image.
        seed, data_format: see the module doc.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear",
                 fill_value=0.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range("RandomPerspective", "factor", factor)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) \
                or not 0.0 <= scale <= 1.0:
            raise ValueError(f"The `scale` argument should be a number in "
                             f"the range [0,1]. Received: scale={scale!r}")
        _check_choice(interpolation, _affine.INTERPOLATIONS, "interpolation")
        self.scale = scale
        self.fill_value = fill_value
        self.interpolation = interpolation

    def _draw(self, rng, n, h, w):
        probability = rng.uniform(*self.factor, size=n)
        apply = rng.random(n) < probability
        shift = rng.uniform(-0.5 * self.scale, 0.5 * self.scale,
                            size=(n, 4, 2)).astype(np.float32)
        start = np.array([[0.0, 0.0], [w - 1, 0.0], [0.0, h - 1],
                          [w - 1, h - 1]], np.float32)
        start = np.repeat(start[np.newaxis], n, axis=0)
        return {"apply_perspective": apply, "start_points": start,
                "end_points": start + start * shift}

    def _images(self, batch, t, interpolation):
        from seqcore.ops.image import perspective_transform
        warped = np.asarray(perspective_transform(
            batch, t["start_points"], t["end_points"],
            interpolation=interpolation, fill_value=self.fill_value,
            data_format="channels_last"))
        apply = np.asarray(t["apply_perspective"], bool)[:, None, None, None]
        return np.where(apply, warped, batch)

    def _boxes(self, boxes, t, h, w):
        """Each box's corners moved by the image's homography; the box
        becomes their bounding box, clipped to the image."""
        from seqcore.ops.image_extra import _homographies
        start = np.asarray(t["start_points"], np.float32).astype(np.float64)
        end = np.asarray(t["end_points"], np.float32).astype(np.float64)
        params = _homographies(start, end)
        n = params.shape[0]
        matrix = np.concatenate([params, np.ones((n, 1))], 1).reshape(n, 3, 3)
        inverse = np.linalg.inv(matrix)[:, None]           # (n, 1, 3, 3)
        xyxy = _boxes.to_xyxy(boxes["boxes"], self.bounding_box_format, h,
                              w).astype(np.float64)
        x0, y0, x1, y1 = (xyxy[..., i] for i in range(4))
        xs, ys = [], []
        for cx, cy in ((x0, y0), (x1, y1), (x0, y1), (x1, y0)):
            point = np.stack([cx, cy, np.ones_like(cx)], -1)[..., None]
            moved = (inverse @ point)[..., 0]
            xs.append(moved[..., 0] / moved[..., 2])
            ys.append(moved[..., 1] / moved[..., 2])
        xs, ys = np.stack(xs, -1), np.stack(ys, -1)
        warped = np.stack([xs.min(-1), ys.min(-1), xs.max(-1), ys.max(-1)],
                          -1)
        apply = np.asarray(t["apply_perspective"], bool)[:, None, None]
        return _clipped(boxes, np.where(apply, warped, xyxy),
                        self.bounding_box_format, h, w)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "interpolation": self.interpolation,
                       "fill_value": self.fill_value})
        return config


@register_builtin
class RandomElasticTransform(ImagePreprocessingLayer):
    """Elastic deformation (keras.ops.image.elastic_transform) of each image
    with a probability drawn in `factor`; the batch shares one distortion
    d drawn in `scale`, giving alpha = 0.1 d max(h, w) and
    sigma = 0.05 d min(h, w). The result is clipped to value_range.

    Args:
        factor: a number f in [0, 1] (probabilities drawn in (0, f)) or a
            (low, high) pair (1.0).
        scale: a number s in [0, 1] (distortions drawn in (0, s)) or a
            pair (1.0).
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: "reflect" (default), "constant", "nearest", "wrap" or
            "mirror".
        fill_value: the value outside the image for "constant".
        value_range: (low, high) of the pixel values, (0, 255).
        seed, data_format: see the module doc.
    """

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range("RandomElasticTransform", "factor",
                                   factor)
        self.scale = factor_range("RandomElasticTransform", "scale", scale)
        _check_choice(interpolation, _elastic.INTERPOLATIONS,
                      "interpolation")
        _check_choice(fill_mode, _elastic.FILL_MODES, "fill_mode")
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range_pair("RandomElasticTransform",
                                            value_range)

    def _draw(self, rng, n, h, w):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return None
        probability = rng.uniform(*self.factor, size=n)
        apply = rng.random(n) < probability
        distortion = float(np.float32(rng.uniform(*self.scale)))
        return {"apply_transform": apply, "distortion_factor": distortion,
                "noise_x": rng.standard_normal((n, h, w)).astype(np.float32),
                "noise_y": rng.standard_normal((n, h, w)).astype(np.float32)}

    def _images(self, batch, t, interpolation):
        _, h, w, _ = batch.shape
        d = t["distortion_factor"]
        alpha, sigma = max(h, w) * 0.1 * d, min(h, w) * 0.05 * d
        if sigma > 0:
            warped = _elastic.warp(batch, t["noise_x"], t["noise_y"], alpha,
                                   sigma, interpolation, self.fill_mode,
                                   self.fill_value)
        else:
            warped = batch
        apply = np.asarray(t["apply_transform"], bool)[:, None, None, None]
        out = np.where(apply, warped, batch)
        return np.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "interpolation": self.interpolation,
                       "fill_mode": self.fill_mode,
                       "fill_value": self.fill_value,
                       "value_range": self.value_range})
        return config
