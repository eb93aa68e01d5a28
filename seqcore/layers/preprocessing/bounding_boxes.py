"""MaxNumBoundingBoxes: pads or truncates the bounding boxes of a dict
input {"images", "bounding_boxes": {"boxes", "labels"}} to a fixed
number per image, in training and at inference (as Keras 3)."""
import numpy as np

from seqcore.layers.preprocessing._image_layer import ImagePreprocessingLayer
from seqcore.saving.serialization import register_builtin


@register_builtin
class MaxNumBoundingBoxes(ImagePreprocessingLayer):
    """Keeps the first `max_number` boxes of each image, padding with
    fill_value (boxes (n, max_number, 4), labels (n, max_number)); images,
    labels and masks pass unchanged. The layer needs a
    `bounding_box_format` when given boxes (Keras's rule).

    Args:
        max_number: the number of boxes out, a positive integer.
        fill_value: the padding of boxes and labels (-1).
        bounding_box_format, data_format: see _image_layer.py.
    """

    _TRANSFORM_AT_INFERENCE = True

    def __init__(self, max_number, fill_value=-1, **kwargs):
        kwargs.pop("seed", None)
        super().__init__(None, kwargs.pop("data_format", None), **kwargs)
        try:
            self.max_number = int(max_number)
            self.fill_value = int(fill_value)
        except (TypeError, ValueError):
            raise ValueError(
                f"MaxNumBoundingBoxes: max_number and fill_value must be "
                f"integers, received max_number={max_number!r}, "
                f"fill_value={fill_value!r}") from None
        if self.max_number < 1:
            raise ValueError(f"MaxNumBoundingBoxes: max_number must be a "
                             f"positive integer, received "
                             f"max_number={max_number!r}")

    def _draw(self, rng, n, h, w):
        return {}

    def _images(self, batch, t, interpolation):
        return batch

    def _masks(self, masks, t):
        return masks

    def _boxes(self, boxes, t, h, w):
        extra = set(boxes) - {"boxes", "labels"}
        if extra:
            raise KeyError(f"There are unsupported keys in "
                           f"`bounding_boxes`: {sorted(extra)}. Only "
                           f"`boxes` and `labels` are supported.")
        m = self.max_number
        b, labels = boxes["boxes"][:, :m], boxes["labels"][:, :m]
        pad = m - b.shape[1]
        b = np.pad(b, ((0, 0), (0, pad), (0, 0)),
                   constant_values=self.fill_value)
        labels = np.pad(labels, ((0, 0), (0, pad)),
                        constant_values=self.fill_value)
        return {"boxes": b, "labels": labels}

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            shape = dict(input_shape)
            inner = dict(shape["bounding_boxes"])
            extra = set(inner) - {"boxes", "labels"}
            if extra:
                raise KeyError(f"There are unsupported keys in "
                               f"`bounding_boxes`: {sorted(extra)}. Only "
                               f"`boxes` and `labels` are supported.")
            for key in ("boxes", "labels"):
                s = list(inner[key])
                s[1] = self.max_number
                inner[key] = s
            shape["bounding_boxes"] = inner
            return shape
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        config.update({"max_number": self.max_number,
                       "fill_value": self.fill_value})
        return config
