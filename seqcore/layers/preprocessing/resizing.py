"""Image resizing layers: Resizing and CenterCrop.

Resizing is linear along each image axis: each axis is mapped by an
(out, in) interpolation matrix -- keras.ops.image.resize's own (bilinear,
nearest, bicubic, lanczos3/5 at half-pixel centres, optionally
antialiased, as Keras's image resize on JAX) -- so backward applies the
transposed matrices.
"""
import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers._spatial import apply_along
from seqcore.layers.preprocessing import _base
from seqcore.ops.image import RESIZE_INTERPOLATIONS as INTERPOLATIONS
from seqcore.ops.image import _resize_weights
from seqcore.saving.serialization import register_builtin


def aspect_window(height, width, target_h, target_w, pad):
    """Keras's crop (pad=False) or pad (pad=True) to the target aspect
    ratio: (new height, new width, row start, column start)."""
    if pad:
        new_h = max(height, int(float(width * target_h) / target_w))
        new_w = max(width, int(float(height * target_w) / target_h))
    else:
        new_h = max(min(height, int(float(width * target_h) / target_w)), 1)
        new_w = max(min(width, int(float(height * target_w) / target_h)), 1)
    return new_h, new_w, int(float(abs(height - new_h)) / 2), \
        int(float(abs(width - new_w)) / 2)


def resize_images(layer, images, target_h, target_w, interpolation,
                  crop=False, pad=False, fill_value=0.0, antialias=False):
    """(resized images, plan for backward) for a rank-3 or rank-4 array."""
    h_axis, w_axis = _base.image_axes(layer.data_format, images.ndim)
    height, width = images.shape[h_axis], images.shape[w_axis]
    plan = {"shape": images.shape, "axes": (h_axis, w_axis)}
    if crop:
        new_h, new_w, top, left = aspect_window(height, width, target_h,
                                                target_w, pad=False)
        index = [slice(None)] * images.ndim
        index[h_axis] = slice(top, top + new_h)
        index[w_axis] = slice(left, left + new_w)
        plan["crop"] = tuple(index)
        images = images[tuple(index)]
    elif pad:
        new_h, new_w, top, left = aspect_window(height, width, target_h,
                                                target_w, pad=True)
        widths = [(0, 0)] * images.ndim
        # Keras pads one axis, the same amount on both sides.
        if top > 0:
            widths[h_axis] = (top, top)
        elif left > 0:
            widths[w_axis] = (left, left)
        plan["pad"] = widths
        images = np.pad(images, widths, constant_values=fill_value)
    mats = (_resize_weights(images.shape[h_axis], target_h, interpolation,
                            antialias),
            _resize_weights(images.shape[w_axis], target_w, interpolation,
                            antialias))
    plan["mats"] = mats
    out = apply_along(apply_along(images.astype(np.float64), mats[0],
                                  h_axis), mats[1], w_axis)
    return out.astype(np.float32), plan


def resize_backward(plan, dy):
    h_axis, w_axis = plan["axes"]
    dx = apply_along(apply_along(dy.astype(np.float64), plan["mats"][0].T,
                                 h_axis), plan["mats"][1].T, w_axis)
    if "crop" in plan:
        full = np.zeros(plan["shape"])
        full[plan["crop"]] = dx
        dx = full
    elif "pad" in plan:
        dx = dx[tuple(slice(a, dx.shape[i] - b)
                      for i, (a, b) in enumerate(plan["pad"]))]
    return np.ascontiguousarray(dx, dtype=np.float32)


def _output_shape(layer, input_shape):
    shape = list(input_shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"{type(layer).__name__}: expected an input of rank "
                         f"3 (one image) or 4 (a batch), received shape "
                         f"{tuple(input_shape)}")
    h_axis, w_axis = _base.image_axes(layer.data_format, len(shape))
    shape[h_axis], shape[w_axis] = layer.height, layer.width
    return tuple(shape)


@register_builtin
class Resizing(Layer):
    """Resizes images to (height, width).

    Args:
        height, width: the output size.
        interpolation: 'bilinear' (default), 'nearest', 'bicubic',
            'lanczos3' or 'lanczos5'.
        crop_to_aspect_ratio: first crop the largest centred window of the
            target aspect ratio.
        pad_to_aspect_ratio: first pad (with fill_value) to the target
            aspect ratio.
        fill_mode: 'constant' (the only mode Keras uses here).
        fill_value: the padding value.
        antialias: widen the kernel when downsampling (as JAX's resize).
        data_format: 'channels_last' (default) or 'channels_first'.
    Shape: (batch, h, w, c) or (h, w, c) -> the same with (height, width).
    """

    def __init__(self, height, width, interpolation="bilinear",
                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                 fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = _base.positive_int("Resizing", "height", height)
        self.width = _base.positive_int("Resizing", "width", width)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"Resizing: seqcore supports interpolation "
                             f"{list(INTERPOLATIONS)}, received "
                             f"interpolation={interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of crop_to_aspect_ratio and "
                             "pad_to_aspect_ratio can be True")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.data_format = _base.image_format("Resizing", data_format)

    def call(self, inputs, training=None):
        y, plan = resize_images(
            self, inputs, self.height, self.width, self.interpolation,
            self.crop_to_aspect_ratio, self.pad_to_aspect_ratio,
            self.fill_value, self.antialias)
        if training:
            self._saved = plan
        return y

    def backward(self, dy):
        return resize_backward(self._saved, dy)

    def compute_output_shape(self, input_shape):
        return _output_shape(self, input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "height": self.height, "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode, "fill_value": self.fill_value,
            "antialias": self.antialias, "data_format": self.data_format})
        return config


@register_builtin
class CenterCrop(Layer):
    """Crops the centre (height, width) window of images; an image smaller
    than that is instead cropped to the target aspect ratio and resized
    (bilinear), as Keras's smart_resize.

    Args:
        height, width: the output size.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = _base.positive_int("CenterCrop", "height", height)
        self.width = _base.positive_int("CenterCrop", "width", width)
        self.data_format = _base.image_format("CenterCrop", data_format)

    def call(self, inputs, training=None):
        h_axis, w_axis = _base.image_axes(self.data_format, inputs.ndim)
        h_diff = inputs.shape[h_axis] - self.height
        w_diff = inputs.shape[w_axis] - self.width
        if h_diff >= 0 and w_diff >= 0:
            index = [slice(None)] * inputs.ndim
            index[h_axis] = slice(h_diff // 2, h_diff // 2 + self.height)
            index[w_axis] = slice(w_diff // 2, w_diff // 2 + self.width)
            plan = {"index": tuple(index), "shape": inputs.shape}
            y = np.ascontiguousarray(inputs[tuple(index)])
        else:
            y, plan = resize_images(self, inputs, self.height, self.width,
                                    "bilinear", crop=True)
        if training:
            self._saved = plan
        return y

    def backward(self, dy):
        plan = self._saved
        if "index" in plan:
            dx = np.zeros(plan["shape"], np.float32)
            dx[plan["index"]] = dy
            return dx
        return resize_backward(plan, dy)

    def compute_output_shape(self, input_shape):
        return _output_shape(self, input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width,
                       "data_format": self.data_format})
        return config
