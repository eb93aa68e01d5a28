"""keras.utils image helpers: arrays <-> PIL images, image files.

Pillow is optional: the functions that make, read or write PIL images
import it when called and raise ImportError naming pillow when it is absent.
"""
import io
import pathlib
import warnings

import numpy as np

_RESAMPLING = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil(what):
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"{what} needs Pillow to handle images: "
                          f"pip install pillow") from None
    return Image


def _data_format(data_format):
    from seqcore.config import standardize_data_format
    return standardize_data_format(data_format)


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image (or anything array-like) as a 3D array (height, width,
    channels), or (channels, height, width) for "channels_first"; a 2D
    image gets one channel.

    Args:
        img: the image.
        data_format: None (the global setting), "channels_last" or
            "channels_first".
        dtype: the array's dtype (default float32).
    """
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[..., None]
    raise ValueError(f"Unsupported image shape: {x.shape}")


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A 3D array (one image) as a PIL image: 4 channels RGBA, 3 RGB, 1
    grayscale ("L", or 32-bit "I" when values exceed 255).

    Args:
        x: the image array.
        data_format: None (the global setting), "channels_last" or
            "channels_first".
        scale: shift and scale the values to span 0..255.
        dtype: the dtype the values are read in (default float32).
    """
    data_format = _data_format(data_format)
    Image = _pil("array_to_img")
    x = np.array(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single "
                         f"image). Got array with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x /= peak
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path, x, data_format=None, file_format=None, scale=True,
             **kwargs):
    """Write the image array `x` to `path` (the format from the extension
    unless `file_format` is given; RGBA saved as JPEG becomes RGB with a
    warning).

    Args:
        path: a path or a file object (then give file_format).
        x: the image array.
        data_format, scale: as in array_to_img.
        file_format: "png", "jpeg", ...
        **kwargs: passed to PIL's Image.save.
    """
    data_format = _data_format(data_format)
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, "
                      "converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None,
             interpolation="nearest", keep_aspect_ratio=False):
    """Read an image file as a PIL image.

    Args:
        path: a path or an io.BytesIO.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: None, or (height, width) to resize to.
        interpolation: the resampling filter: "nearest", "bilinear",
            "bicubic", "hamming", "box" or "lanczos".
        keep_aspect_ratio: crop the centre to the target's aspect ratio
            before resizing.
    """
    Image = _pil("load_img")
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not "
                        f"{type(path)}")
    modes = {"grayscale": ("L", ("L", "I;16", "I")),
             "rgba": ("RGBA", ("RGBA",)), "rgb": ("RGB", ("RGB",))}
    if color_mode not in modes:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    target_mode, kept = modes[color_mode]
    if img.mode not in kept:
        img = img.convert(target_mode)
    if target_size is None:
        return img
    size = (target_size[1], target_size[0])
    if img.size == size:
        return img
    if interpolation not in _RESAMPLING:
        raise ValueError(f"Invalid interpolation method {interpolation} "
                         f"specified. Supported methods are "
                         f"{', '.join(_RESAMPLING)}")
    resample = getattr(Image.Resampling, interpolation.upper())
    if keep_aspect_ratio:
        width, height = img.size
        crop_h = min(height, (width * size[1]) // size[0])
        crop_w = min(width, (height * size[0]) // size[1])
        top, left = (height - crop_h) // 2, (width - crop_w) // 2
        return img.resize(size, resample,
                          box=(left, top, left + crop_w, top + crop_h))
    return img.resize(size, resample)


def smart_resize(x, size, interpolation="bilinear",
                 data_format="channels_last", **kwargs):
    """Resize to `size` without distorting: the largest centred crop with
    the target's aspect ratio, resized to `size` (Keras's smart_resize).

    Args:
        x: an image (height, width, channels) or a batch (n, h, w, c)
            (channels first with data_format="channels_first").
        size: (height, width) of the result.
        interpolation: as for keras.ops.image.resize.
        data_format: "channels_last" or "channels_first".
    Returns:
        A float array with the target height and width.
    """
    from seqcore.ops import image as image_ops
    kwargs.pop("backend_module", None)
    if kwargs:
        raise TypeError(f"smart_resize() got unexpected keyword arguments: "
                        f"{list(kwargs)}")
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but "
                         f"got: {size}.")
    img = np.asarray(x)
    if img.ndim not in (3, 4):
        raise ValueError(f"Expected an image array with shape `(height, "
                         f"width, channels)`, or `(batch_size, height, "
                         f"width, channels)`, but got input with incorrect "
                         f"rank, of shape {img.shape}.")
    last = data_format == "channels_last"
    height, width = img.shape[-3:-1] if last else img.shape[-2:]
    target_height, target_width = size
    crop_height = max(min(height, int(width * target_height / target_width)),
                      1)
    crop_width = max(min(width, int(height * target_width / target_height)),
                     1)
    top = int((height - crop_height) / 2)
    left = int((width - crop_width) / 2)
    rows, cols = slice(top, top + crop_height), slice(left, left + crop_width)
    img = img[..., rows, cols, :] if last else img[..., rows, cols]
    return np.asarray(image_ops.resize(
        img.astype(np.float32) if img.dtype.kind != "f" else img, size,
        interpolation=interpolation, data_format=data_format))
