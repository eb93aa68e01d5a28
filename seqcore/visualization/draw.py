"""Bounding boxes and segmentation masks drawn into image batches, with
Keras 3's arguments and results (boxes are rasterised as OpenCV's
`rectangle` does; box labels are written with OpenCV when installed)."""
import numpy as np

from seqcore.config import image_data_format
from seqcore.utils.bounding_boxes import convert_format


def _check_batch(images):
    shape = np.shape(images)
    if len(shape) != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: "
                         f"images.shape={shape}")


def rectangle_mask(height, width, x1, y1, x2, y2, thickness):
    """The pixels OpenCV's `rectangle((x1, y1), (x2, y2), thickness)`
    colours in a height x width image: every pixel within distance
    (thickness + 1) // 2 of an edge (thickness 1: the edges themselves).

    Returns:
        A boolean (height, width) array.
    """
    ys, xs = np.mgrid[0:height, 0:width]
    radius = 0 if thickness <= 1 else (thickness + 1) // 2
    left, right = min(x1, x2), max(x1, x2)
    top, bottom = min(y1, y2), max(y1, y2)
    mask = np.zeros((height, width), bool)
    for ax, ay, bx, by in ((left, y1, right, y1), (left, y2, right, y2),
                           (x1, top, x1, bottom), (x2, top, x2, bottom)):
        dx = np.maximum(np.maximum(ax - xs, xs - bx), 0)
        dy = np.maximum(np.maximum(ay - ys, ys - by), 0)
        mask |= dx * dx + dy * dy <= radius * radius
    return mask


def _text_origin(x, y, font_scale, thickness):
    """Where a box's label goes: above the box, or inside it when there
    is no room above (Keras's placement)."""
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8
    return x + 3, y + 2 * font_height + thickness + 3


def _put_text(image, text, origin, color, font_scale, thickness):
    try:
        import cv2
    except ImportError:
        raise ImportError(
            "Writing box labels (`class_mapping`) in draw_bounding_boxes "
            "needs the `cv2` package (OpenCV): pip install "
            "opencv-python-headless. Boxes alone are drawn without it.") \
            from None
    cv2.putText(img=image, text=text, org=origin,
                fontFace=cv2.FONT_HERSHEY_SIMPLEX, fontScale=font_scale,
                color=color, thickness=thickness)


def draw_bounding_boxes(images, bounding_boxes, bounding_box_format,
                        class_mapping=None, color=(128, 128, 128),
                        line_thickness=2, text_thickness=1, font_scale=1.0,
                        data_format=None):
    """Images with their bounding boxes drawn (and labelled).

    Args:
        images: `(batch, height, width, channels)` (or channels first);
            floats with a maximum <= 1 are scaled by 255, other floats
            clipped to [0, 255]; the result is uint8.
        bounding_boxes: a dict with 'boxes' `(batch, num_boxes, 4)`,
            'labels' `(batch, num_boxes)` (boxes labelled -1 are skipped)
            and optionally 'confidences'.
        bounding_box_format: the boxes' format (see convert_format).
        class_mapping: {class id: name}; boxes of mapped classes get their
            name written (needs OpenCV).
        color: the RGB colour of boxes and text.
        line_thickness: the boxes' line thickness in pixels.
        text_thickness, font_scale: the labels' stroke and size.
        data_format: 'channels_last' or 'channels_first' (None: the
            configured default).
    Returns:
        A uint8 array of the images' shape.
    """
    class_mapping = class_mapping or {}
    text_thickness = text_thickness or line_thickness
    data_format = data_format or image_data_format()
    _check_batch(images)
    if not isinstance(bounding_boxes, dict):
        raise TypeError(f"`bounding_boxes` should be a dict. Received: "
                        f"bounding_boxes={bounding_boxes} of type "
                        f"{type(bounding_boxes)}")
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError(f"`bounding_boxes` should be a dict containing "
                         f"'boxes' and 'labels' keys. Received: "
                         f"bounding_boxes={bounding_boxes}")
    images = np.asarray(images)
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    height, width = images.shape[1], images.shape[2]
    boxes = convert_format(dict(bounding_boxes), bounding_box_format,
                           "xyxy", height, width)["boxes"]
    if images.dtype.kind == "f" and images.size > 0:
        images = np.clip(images, 0, 1) * 255 if images.max() <= 1.0 \
            else np.clip(images, 0, 255)
    images = np.ascontiguousarray(images.astype("uint8"))
    labels = np.asarray(bounding_boxes["labels"])
    confidences = bounding_boxes.get("confidences")
    paint = np.asarray(color, np.uint8)
    for i in range(images.shape[0]):
        for j in range(boxes.shape[1]):
            x1, y1, x2, y2 = (int(v) for v in boxes[i, j].astype("int32"))
            label = int(labels[i][j])
            if label == -1:
                continue
            mask = rectangle_mask(height, width, x1, y1, x2, y2,
                                  line_thickness)
            images[i][mask] = paint[:images.shape[-1]]
            if label in class_mapping:
                text = class_mapping[label]
                if confidences is not None:
                    text = f"{text} | {float(confidences[i][j]):.2f}"
                _put_text(images[i], text,
                          _text_origin(x1, y1, font_scale, text_thickness),
                          tuple(color), font_scale, text_thickness)
    if data_format == "channels_first":
        images = images.transpose(0, 3, 1, 2)
    return images


def _palette(num_classes):
    primes = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])
    return [((i * primes) % 255).tolist() for i in range(num_classes)]


def draw_segmentation_masks(images, segmentation_masks, num_classes=None,
                            color_mapping=None, alpha=0.8, blend=True,
                            ignore_index=-1, data_format=None):
    """Images with their segmentation masks painted over them.

    Args:
        images: `(batch, height, width, channels)` (or channels first).
        segmentation_masks: integer class ids `(batch, height, width, 1)`
            (or `(batch, height, width)`). Class c in [0, num_classes) is
            painted with its colour; others are not.
        num_classes: the number of classes (None: the largest id, as
            Keras infers it).
        color_mapping: {class id: RGB}, else Keras's generated palette.
        alpha: the masks' opacity when blending.
        blend: blend with the image (uint8 result) or paint over it
            (float32 result).
        ignore_index: pixels of this id keep the image when blending.
        data_format: 'channels_last' or 'channels_first'.
    Returns:
        The painted images, channels last.
    """
    data_format = data_format or image_data_format()
    _check_batch(images)
    images = np.asarray(images)
    masks = np.asarray(segmentation_masks)
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
        masks = masks.transpose(0, 2, 3, 1)
    if masks.dtype.kind not in "iu":
        raise TypeError(f"`segmentation_masks` must be in integer dtype. "
                        f"Received: segmentation_masks.dtype={masks.dtype}")
    if masks.ndim == 3:
        masks = masks[..., None]
    images = images.astype(np.float32)
    if num_classes is None:
        num_classes = int(masks.max())
    colors = _palette(num_classes) if color_mapping is None else \
        [color_mapping[i] for i in range(num_classes)]
    valid = masks[..., 0] != ignore_index
    painted = images.copy()
    for c, colour in enumerate(colors):
        painted[masks[..., 0] == c] = np.asarray(colour, np.float32)
    if not blend:
        return painted
    out = images * (1 - alpha) + painted * alpha
    out = np.where(valid[..., None], out, images)
    return out.astype(np.float32).astype("uint8")
