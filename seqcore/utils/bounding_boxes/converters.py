"""Bounding-box format conversion and geometry on numpy arrays.

Boxes are arrays whose last axis holds 4 coordinates, `(N, 4)` or
`(batch, N, 4)`. Formats (case-insensitive):
  xyxy [left, top, right, bottom]       yxyx [top, left, bottom, right]
  xywh [left, top, width, height]       center_xywh [cx, cy, w, h]
  center_yxhw [cy, cx, h, w]
  rel_xyxy, rel_yxyx, rel_xywh, rel_center_xywh: the same divided by the
  image width (x, w) and height (y, h).
"""
import math

import numpy as np

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
                     "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")
_EPSILON = 1e-7     # Keras's backend.epsilon()


def _split(boxes):
    return [boxes[..., i:i + 1] for i in range(4)]


def _join(parts):
    return np.concatenate(parts, axis=-1)


def _to_xyxy(boxes, fmt, height, width):
    a, b, c, d = _split(boxes)
    if fmt == "xyxy":
        return boxes
    if fmt == "yxyx":
        return _join([b, a, d, c])
    if fmt == "xywh":
        return _join([a, b, a + c, b + d])
    if fmt == "center_xywh":
        return _join([a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0])
    if fmt == "center_yxhw":
        return _join([b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0])
    if fmt == "rel_xyxy":
        return _join([a * width, b * height, c * width, d * height])
    if fmt == "rel_yxyx":
        return _join([b * width, a * height, d * width, c * height])
    if fmt == "rel_xywh":
        return _join([a * width, b * height, (a + c) * width,
                      (b + d) * height])
    # rel_center_xywh
    return _join([(a - c / 2.0) * width, (b - d / 2.0) * height,
                  (a + c / 2.0) * width, (b + d / 2.0) * height])


def _from_xyxy(boxes, fmt, height, width):
    x1, y1, x2, y2 = _split(boxes)
    if fmt == "xyxy":
        return boxes
    if fmt == "yxyx":
        return _join([y1, x1, y2, x2])
    if fmt == "xywh":
        return _join([x1, y1, x2 - x1, y2 - y1])
    if fmt == "center_xywh":
        return _join([x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0,
                      x2 - x1, y2 - y1])
    if fmt == "center_yxhw":
        return _join([y1 + (y2 - y1) / 2.0, x1 + (x2 - x1) / 2.0,
                      y2 - y1, x2 - x1])
    if fmt == "rel_xyxy":
        return _join([x1 / width, y1 / height, x2 / width, y2 / height])
    if fmt == "rel_yxyx":
        return _join([y1 / height, x1 / width, y2 / height, x2 / width])
    if fmt == "rel_xywh":
        return _join([x1 / width, y1 / height, (x2 - x1) / width,
                      (y2 - y1) / height])
    # rel_center_xywh
    return _join([(x1 + (x2 - x1) / 2.0) / width,
                  (y1 + (y2 - y1) / 2.0) / height,
                  (x2 - x1) / width, (y2 - y1) / height])


def convert_format(boxes, source, target, height=None, width=None,
                   dtype="float32"):
    """Boxes converted from format `source` to format `target`.

    Args:
        boxes: an array `(..., 4)`, or a dict whose 'boxes' entry is one
            (the dict is updated in place and returned, as Keras does).
        source, target: formats (see the module docstring).
        height, width: the image size, needed when either format is
            relative.
        dtype: the output dtype (default float32).
    Returns:
        The converted boxes, an array of `dtype` with the input's shape.
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target,
                                        height, width, dtype)
        return boxes
    boxes = np.asarray(boxes)
    if boxes.ndim == 0 or boxes.shape[-1] != 4:
        raise ValueError(f"`boxes` must be a tensor with the last dimension "
                         f"of 4. Received: boxes.shape={boxes.shape}")
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(f"Invalid source or target format. Supported "
                         f"formats: {SUPPORTED_FORMATS}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (
            width is None or height is None):
        raise ValueError(
            f"convert_format() must receive `height` and `width` "
            f"transforming between relative and absolute formats. "
            f"convert_format() received source=`{source}`, "
            f"target=`{target}`, but height={height} and width={width}.")
    np_dtype = np.dtype(dtype)
    boxes = boxes.astype(np_dtype)
    if source == target:
        return boxes
    width = None if width is None else np_dtype.type(width)
    height = None if height is None else np_dtype.type(height)
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    xyxy = _to_xyxy(boxes, source, height, width)
    return _from_xyxy(xyxy, target, height, width).astype(np_dtype)


def _area(boxes):
    x1, y1, x2, y2 = _split(boxes)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes, height=None, width=None,
                       bounding_box_format="xyxy"):
    """Boxes clipped to the image; boxes left with no area get label -1.

    Args:
        bounding_boxes: a dict with 'boxes' `(N, 4)` or `(batch, N, 4)`
            and optionally 'labels' `(N,)` or `(batch, N)`.
        height, width: the image size (needed for 'xyxy').
        bounding_box_format: 'xyxy' or 'rel_xyxy' (others raise
            NotImplementedError, as in Keras).
    Returns:
        A new dict with the clipped 'boxes' (and updated 'labels').
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(
            f"clip_to_image_size supports the 'xyxy' and 'rel_xyxy' "
            f"formats; received bounding_box_format={bounding_box_format!r}")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if "
                         "`format='xyxy'`.")
    boxes = np.asarray(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels")
    if bounding_box_format == "xyxy":
        high_x, high_y = (boxes.dtype.type(width), boxes.dtype.type(height))
    else:
        high_x = high_y = 1.0
    x1, y1, x2, y2 = _split(boxes)
    boxes = _join([np.clip(x1, 0, high_x), np.clip(y1, 0, high_y),
                   np.clip(x2, 0, high_x), np.clip(y2, 0, high_y)])
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        areas = _area(boxes)[..., 0]
        result["labels"] = np.where(areas > 0, labels, -1)
    return result


def _inverse_affine_matrix(center_x, center_y, angle, translate_x,
                           translate_y, scale, shear_x, shear_y, height,
                           width):
    """(batch, 3, 3) matrices as Keras builds them (angles in degrees,
    translations and centres as fractions of the image size)."""
    angle = np.asarray(angle)
    dtype = angle.dtype if angle.dtype.kind == "f" else np.float32
    angle = angle.astype(dtype)
    batch = angle.shape[0]
    rot = -angle * (math.pi / 180.0)
    sx = -np.asarray(shear_x, dtype) * (math.pi / 180.0)
    sy = -np.asarray(shear_y, dtype) * (math.pi / 180.0)
    cx = np.asarray(center_x, dtype) * (width - 1)
    cy = np.asarray(center_y, dtype) * (height - 1)
    tx = -np.asarray(translate_x, dtype) * (width - 1)
    ty = -np.asarray(translate_y, dtype) * (height - 1)
    scale = np.asarray(scale, dtype)
    a = np.cos(rot - sy) / np.cos(sy)
    b = a * np.tan(sx) + np.sin(rot)
    c = -np.sin(rot - sy) / np.cos(sy)
    d = np.cos(rot) - c * np.tan(sx)
    a0, a1 = d * scale, -b * scale
    b0, b1 = -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = np.zeros(batch, dtype), np.ones(batch, dtype)
    parts = [np.broadcast_to(p, (batch,)).astype(dtype)
             for p in (a0, a1, a2, b0, b1, b2, zeros, zeros, ones)]
    return np.stack(parts, axis=-1).reshape(batch, 3, 3)


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x,
                     shear_y, height, width, center_x=None, center_y=None,
                     bounding_box_format="xyxy"):
    """Boxes moved by a rotation, translation, scaling and shear (one per
    batch item), as the axis-aligned hull of their moved corners.

    Args:
        boxes: `(batch, N, 4)` 'xyxy' boxes.
        angle: `(batch,)` rotation angles in degrees.
        translate_x, translate_y: `(batch,)` translations as fractions of
            the width and height.
        scale: `(batch,)` scale factors.
        shear_x, shear_y: `(batch,)` shear angles in degrees.
        height, width: the image size.
        center_x, center_y: the centre as fractions (default 0.5).
        bounding_box_format: only 'xyxy' (others raise
            NotImplementedError, as in Keras).
    Returns:
        `(batch, N, 4)` 'xyxy' boxes.
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"affine_transform supports the 'xyxy' format only; received "
            f"bounding_box_format={bounding_box_format!r}")
    boxes = np.asarray(boxes)
    if boxes.ndim != 3 or boxes.shape[-1] != 4:
        raise ValueError(f"affine_transform expects boxes of shape (batch, "
                         f"N, 4); received shape {boxes.shape}")
    matrix = _inverse_affine_matrix(
        0.5 if center_x is None else center_x,
        0.5 if center_y is None else center_y, angle, translate_x,
        translate_y, scale, shear_x, shear_y, height, width)
    boxes = boxes.astype(matrix.dtype)
    batch, count = boxes.shape[:2]
    corners = np.stack([boxes[..., 0], boxes[..., 1], boxes[..., 2],
                        boxes[..., 1], boxes[..., 2], boxes[..., 3],
                        boxes[..., 0], boxes[..., 3]], axis=-1)
    corners = corners.reshape(batch, count, 4, 2)
    corners = np.concatenate(
        [corners, np.ones((batch, count, 4, 1), corners.dtype)], axis=-1)
    moved = np.einsum("bnxy,byz->bnxz", corners,
                      np.transpose(matrix[:, :2, :], (0, 2, 1)))
    return np.concatenate([moved.min(axis=2), moved.max(axis=2)], axis=-1)


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Boxes in the frame of the crop starting at (`left`, `top`) of size
    `height` x `width` (None: no upper clip), clipped to it.

    Args:
        boxes: `(N, 4)` or `(batch, N, 4)` 'xyxy' boxes.
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"crop supports the 'xyxy' format only; received "
            f"bounding_box_format={bounding_box_format!r}")
    x1, y1, x2, y2 = _split(np.asarray(boxes))
    return _join([np.clip(x1 - left, 0, width), np.clip(y1 - top, 0, height),
                  np.clip(x2 - left, 0, width),
                  np.clip(y2 - top, 0, height)])


def pad(boxes, top, left, height=None, width=None,
        bounding_box_format="xyxy"):
    """Boxes shifted by the `top` and `left` padding of their image.

    Args:
        boxes: `(N, 4)` or `(batch, N, 4)` 'xyxy' boxes.
        height, width: accepted for Keras's signature; unused.
    """
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"pad supports the 'xyxy' format only; received "
            f"bounding_box_format={bounding_box_format!r}")
    x1, y1, x2, y2 = _split(np.asarray(boxes))
    return _join([x1 + left, y1 + top, x2 + left, y2 + top])


def _check_variance(variance):
    if variance is None:
        return None
    variance = np.asarray(variance, np.float32)
    if variance.shape[-1:] != (4,):
        raise ValueError(f"`variance` must be length 4, got {variance}")
    return variance


def _image_size(image_shape):
    if image_shape is None:
        return None, None
    height, width, _ = image_shape
    return height, width


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format,
                         encoding_format="center_yxhw", variance=None,
                         image_shape=None):
    """The offsets of `boxes` from `anchors`: centre differences over the
    anchor's size, then log size ratios (divided by `variance` if given).

    Args:
        anchors: `(N, 4)` anchors in `anchor_format`.
        boxes: `(N, 4)` or `(batch, N, 4)` boxes in `box_format`.
        encoding_format: 'center_yxhw' (default) or 'center_xywh'.
        variance: 4 scale factors, or None.
        image_shape: (height, width, channels) for relative formats.
    Returns:
        Deltas with the shape of `boxes`.
    """
    variance = _check_variance(variance)
    if encoding_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`encoding_format` should be one of "
                         f"'center_xywh' or 'center_yxhw', got "
                         f"{encoding_format}")
    height, width = _image_size(image_shape)
    anchors = convert_format(anchors, anchor_format, encoding_format,
                             height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height,
                           width)
    anchor_size = np.maximum(anchors[..., 2:], np.float32(_EPSILON))
    box_size = np.maximum(boxes[..., 2:], np.float32(_EPSILON))
    deltas = np.concatenate([(boxes[..., :2] - anchors[..., :2]) /
                             anchor_size, np.log(box_size / anchor_size)],
                            axis=-1)
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format,
                           encoded_format="center_yxhw", variance=None,
                           image_shape=None):
    """Boxes in `box_format` from deltas relative to `anchors` (the
    inverse of encode_box_to_deltas); dicts of levels decode level by
    level.

    Args:
        anchors: `(N, 4)` anchors, or a dict of them by level.
        boxes_delta: `(N, 4)` or `(batch, N, 4)` deltas, or a dict.
        encoded_format: 'center_yxhw' (default) or 'center_xywh'.
        variance: 4 scale factors, or None.
        image_shape: (height, width, channels) for relative formats.
    """
    variance = _check_variance(variance)
    if encoded_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`encoded_format` should be 'center_xywh' or "
                         f"'center_yxhw', but got '{encoded_format}'.")
    height, width = _image_size(image_shape)

    def level(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format,
                                height, width)
        delta = np.asarray(delta, np.float32)
        if variance is not None:
            delta = delta * variance
        box = np.concatenate([delta[..., :2] * anchor[..., 2:] +
                              anchor[..., :2],
                              np.exp(delta[..., 2:]) * anchor[..., 2:]],
                             axis=-1)
        return convert_format(box, encoded_format, box_format, height,
                              width)
    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {key: level(anchor, boxes_delta[key])
                for key, anchor in anchors.items()}
    return level(anchors, boxes_delta)
