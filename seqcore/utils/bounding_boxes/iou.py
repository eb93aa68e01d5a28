"""Intersection over union of bounding boxes (pairwise IoU and the
complete IoU, CIoU), on numpy arrays."""
import math

import numpy as np

from seqcore.utils.bounding_boxes.converters import convert_format

_EPSILON = 1e-7     # Keras's backend.epsilon()


def _area_yxyx(boxes):
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def _intersection_yxyx(boxes1, boxes2):
    """[..., N, M] intersection areas of yxyx boxes (N, 4)/(B, N, 4) and
    (M, 4)/(B, M, 4)."""
    def column(b, i):
        return b[..., i:i + 1]

    def row(b, i):
        return np.swapaxes(b[..., i:i + 1], -1, -2)
    height = np.minimum(column(boxes1, 2), row(boxes2, 2)) - \
        np.maximum(column(boxes1, 0), row(boxes2, 0))
    width = np.minimum(column(boxes1, 3), row(boxes2, 3)) - \
        np.maximum(column(boxes1, 1), row(boxes2, 1))
    return np.maximum(height, 0) * np.maximum(width, 0)


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False,
                mask_val=-1, image_shape=None):
    """Pairwise IoU of two sets of boxes.

    Args:
        boxes1: `(M, 4)` or `(batch, M, 4)` boxes.
        boxes2: `(N, 4)` or `(batch, N, 4)` boxes.
        bounding_box_format: the boxes' format (any of convert_format's).
        use_masking: give `mask_val` to pairs where either box has all its
            coordinates negative (padding boxes).
        mask_val: the value of masked pairs (default -1).
        image_shape: (height, width, channels), needed for relative
            formats.
    Returns:
        `(M, N)`, or `(batch, M, N)` when either input is batched.
    """
    rank1, rank2 = np.ndim(boxes1), np.ndim(boxes2)
    if rank1 not in (2, 3):
        raise ValueError(
            f"compute_iou() expects boxes1 to be batched, or to be "
            f"unbatched. Received len(boxes1.shape)={rank1}, "
            f"len(boxes2.shape)={rank2}. Expected either "
            f"len(boxes1.shape)=2 AND or len(boxes1.shape)=3.")
    if rank2 not in (2, 3):
        raise ValueError(
            f"compute_iou() expects boxes2 to be batched, or to be "
            f"unbatched. Received len(boxes1.shape)={rank1}, "
            f"len(boxes2.shape)={rank2}. Expected either "
            f"len(boxes2.shape)=2 AND or len(boxes2.shape)=3.")
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError(
            f"When using relative bounding box formats (e.g. `rel_yxyx`) "
            f"the `image_shape` argument must be provided. Received "
            f"`image_shape`: {image_shape}")
    height, width = (None, None) if image_shape is None else \
        tuple(image_shape[:2])
    boxes1 = convert_format(boxes1, bounding_box_format, "yxyx", height,
                            width)
    boxes2 = convert_format(boxes2, bounding_box_format, "yxyx", height,
                            width)
    intersection = _intersection_yxyx(boxes1, boxes2)
    area1 = _area_yxyx(boxes1)[..., :, None]
    area2 = _area_yxyx(boxes2)[..., None, :]
    iou = intersection / (area1 + area2 - intersection +
                          np.float32(_EPSILON))
    if not use_masking:
        return iou
    mask1 = (boxes1.max(axis=-1) < 0)[..., :, None]
    mask2 = (boxes2.max(axis=-1) < 0)[..., None, :]
    return np.where(mask1 | mask2, np.asarray(mask_val, iou.dtype), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Complete IoU of boxes paired element by element: the IoU minus the
    squared centre distance over the squared enclosing diagonal, minus an
    aspect-ratio term.

    Args:
        boxes1, boxes2: `(..., 4)` boxes of the same shape.
        bounding_box_format: an absolute format (relative ones raise
            ValueError, as in Keras).
        image_shape: accepted for Keras's signature.
    Returns:
        `(...)`: one value per box pair.
    """
    if "rel" in bounding_box_format:
        raise ValueError(
            f"When using relative bounding box formats (e.g. `rel_yxyx`) "
            f"the `image_shape` argument must be provided. Received "
            f"`image_shape`: {image_shape}")
    eps = np.float32(_EPSILON)
    b1 = convert_format(boxes1, bounding_box_format, "xyxy")
    b2 = convert_format(boxes2, bounding_box_format, "xyxy")
    x1a, y1a, x2a, y2a = (b1[..., i] for i in range(4))
    x1b, y1b, x2b, y2b = (b2[..., i] for i in range(4))
    w1, h1 = x2a - x1a, y2a - y1a + eps
    w2, h2 = x2b - x1b, y2b - y1b + eps
    inter = np.maximum(np.minimum(x2a, x2b) - np.maximum(x1a, x1b), 0) * \
        np.maximum(np.minimum(y2a, y2b) - np.maximum(y1a, y1b), 0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / (union + eps)
    diagonal = (np.maximum(x2a, x2b) - np.minimum(x1a, x1b)) ** 2 + \
        (np.maximum(y2a, y2b) - np.minimum(y1a, y1b)) ** 2 + eps
    centres = ((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 + \
        ((y1a + y2a) / 2 - (y1b + y2b) / 2) ** 2
    v = np.float32(4 / math.pi ** 2) * \
        (np.arctan(w2 / h2) - np.arctan(w1 / h1)) ** 2
    alpha = v / (v - iou + (1 + eps))
    return iou - (centres / diagonal + v * alpha)
