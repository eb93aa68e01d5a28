"""Bounding-box formats of Keras 3 (keras.utils.bounding_boxes): boxes
(..., 4) in "xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw" or their
"rel_" forms (fractions of the image's width and height), converted
through absolute xyxy; and clipping to the image, which marks the labels
of boxes left without area -1."""
import numpy as np

FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw",
           "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh")


def check_format(layer, fmt):
    if fmt is not None and (not isinstance(fmt, str) or
                            fmt.lower() not in FORMATS):
        raise ValueError(f"{layer}: invalid bounding_box_format "
                         f"{fmt!r}; supported formats: {list(FORMATS)}")


def _split(boxes):
    b = np.asarray(boxes, np.float32)
    return b[..., 0], b[..., 1], b[..., 2], b[..., 3]


def to_xyxy(boxes, fmt, height, width):
    """(..., 4) boxes in `fmt` -> absolute xyxy, float32."""
    fmt = fmt.lower()
    a, b, c, d = _split(boxes)
    rel = fmt.startswith("rel_")
    base = fmt[4:] if rel else fmt
    if base == "xyxy":
        x1, y1, x2, y2 = a, b, c, d
    elif base == "yxyx":
        y1, x1, y2, x2 = a, b, c, d
    elif base == "xywh":
        x1, y1, x2, y2 = a, b, a + c, b + d
    elif base == "center_xywh":
        x1, y1, x2, y2 = a - c / 2, b - d / 2, a + c / 2, b + d / 2
    else:                                   # center_yxhw
        x1, y1, x2, y2 = b - d / 2, a - c / 2, b + d / 2, a + c / 2
    if rel:
        x1, x2 = x1 * np.float32(width), x2 * np.float32(width)
        y1, y2 = y1 * np.float32(height), y2 * np.float32(height)
    return np.stack([x1, y1, x2, y2], axis=-1).astype(np.float32)


def from_xyxy(boxes, fmt, height, width):
    """Absolute xyxy (..., 4) -> `fmt`, float32."""
    fmt = fmt.lower()
    x1, y1, x2, y2 = _split(boxes)
    rel = fmt.startswith("rel_")
    base = fmt[4:] if rel else fmt
    if rel:
        x1, x2 = x1 / np.float32(width), x2 / np.float32(width)
        y1, y2 = y1 / np.float32(height), y2 / np.float32(height)
    w, h = x2 - x1, y2 - y1
    cx, cy = x1 + w / 2, y1 + h / 2
    parts = {"xyxy": (x1, y1, x2, y2), "yxyx": (y1, x1, y2, x2),
             "xywh": (x1, y1, w, h), "center_xywh": (cx, cy, w, h),
             "center_yxhw": (cy, cx, h, w)}[base]
    return np.stack(parts, axis=-1).astype(np.float32)


def clip_xyxy(boxes, labels, height, width):
    """Absolute xyxy boxes clipped into [0, width] x [0, height]; labels
    of the boxes with no area left become -1."""
    b = np.asarray(boxes, np.float32).copy()
    b[..., 0::2] = np.clip(b[..., 0::2], 0, width)
    b[..., 1::2] = np.clip(b[..., 1::2], 0, height)
    area = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return b, np.where(area > 0, labels, -1)
