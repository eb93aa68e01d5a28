"""keras.ops.image: resize, affine_transform, crop_images, pad_images,
rgb_to_grayscale, on numpy images (batch, height, width, channels) or a
single image without the batch axis; channels_first via data_format.

resize samples at half-pixel centres with JAX's kernels (linear, Keys
cubic with a = -0.5, Lanczos 3/5, nearest) as one weight matrix per axis
(rows normalized), applied with einsum: it is differentiable in the
images. affine_transform gathers 1 or 4 neighbours per output pixel; its
gradient scatters them back."""
import math

import numpy as np

from seqcore.ops._meta import ndim_of, shape_of

from seqcore.engine.tape import differentiable, plain
from seqcore.ops import numpy_ops as npo
from seqcore.ops.dtypes import convert_to_array

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5",
                         "bicubic")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
AFFINE_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _data_format(data_format):
    from seqcore.ops.nn_conv import _data_format as standard
    return standard(data_format)


def _to_batch_last(images, data_format, name):
    """(images as (B, H, W, C), whether a batch axis was added)."""
    rank = ndim_of(plain(images))
    if rank not in (3, 4):
        raise ValueError(
            f"{name}: invalid images rank: expected rank 3 (single image) "
            f"or rank 4 (batch of images). Received input with shape: "
            f"images.shape={shape_of(plain(images))}")
    x = images if rank == 4 else npo.expand_dims(images, 0)
    if data_format == "channels_first":
        x = npo.transpose(x, (0, 2, 3, 1))
    return x, rank == 3


def _from_batch_last(y, data_format, added):
    if data_format == "channels_first":
        y = npo.transpose(y, (0, 3, 1, 2))
    return npo.squeeze(y, 0) if added else y


# ---- resize -----------------------------------------------------------------

def _kernel(name, x):
    x = np.abs(x)
    if name == "bilinear":
        return np.maximum(0.0, 1.0 - x)
    if name == "bicubic":
        a = -0.5
        return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                        np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x -
                                 4 * a, 0.0))
    radius = 3 if name == "lanczos3" else 5
    return np.where(x < radius, np.sinc(x) * np.sinc(x / radius), 0.0)


def _resize_weights(in_size, out_size, method, antialias):
    """(out_size, in_size) float64 matrix: output pixel o samples input
    position (o + 0.5) * in/out - 0.5."""
    scale = out_size / in_size
    o = np.arange(out_size)
    if method == "nearest":
        src = np.floor((o + 0.5) / scale).astype(np.int64)
        src = np.clip(src, 0, in_size - 1)
        w = np.zeros((out_size, in_size))
        w[o, src] = 1.0
        return w
    sample = (o + 0.5) / scale - 0.5
    kscale = max(1.0 / scale, 1.0) if antialias else 1.0
    w = _kernel(method, (sample[:, None] - np.arange(in_size)[None, :]) /
                kscale)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(np.abs(total) > 1000 * np.finfo(np.float32).eps,
                 w / np.where(total == 0, 1, total), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return w * inside[:, None]


def _aspect_crop_or_pad(x, size, crop, pad, fill_value):
    _, h, w, c = shape_of(plain(x))
    th, tw = size
    if crop:
        ch = max(min(h, int(float(w * th) / tw)), 1)
        cw = max(min(w, int(float(h * tw) / th)), 1)
        top, left = int(float(h - ch) / 2), int(float(w - cw) / 2)
        return npo.take_slice(x, (slice(None), slice(top, top + ch),
                                  slice(left, left + cw)))
    if pad:
        ph = max(h, int(float(w * th) / tw))
        pw = max(w, int(float(h * tw) / th))
        top, left = int(float(ph - h) / 2), int(float(pw - w) / 2)
        from seqcore.ops.shape_ops import pad as _pad
        return _pad(x, ((0, 0), (top, ph - h - top), (left, pw - w - left),
                        (0, 0)), constant_values=fill_value)
    return x


def resize(images, size, interpolation="bilinear", antialias=False,
           crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
           fill_mode="constant", fill_value=0.0, data_format=None):
    """Images resized to size = (height, width).

    Args:
        images: (batch, H, W, C) or (H, W, C) (channels_first: C first).
        interpolation: "bilinear", "nearest", "bicubic", "lanczos3",
            "lanczos5".
        antialias: widen the kernel when downsampling.
        crop_to_aspect_ratio / pad_to_aspect_ratio: first crop (centred)
            or pad with fill_value to the target's aspect ratio.
    """
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(
            f"Invalid value for argument `interpolation`. Expected of one "
            f"{RESIZE_INTERPOLATIONS}. Received: interpolation="
            f"{interpolation}")
    if fill_mode != "constant":
        raise ValueError(f"Invalid value for argument `fill_mode`. Only "
                         f"`'constant'` is supported. Received: fill_mode="
                         f"{fill_mode}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & "
                         "`crop_to_aspect_ratio` can be `True`.")
    if len(size) != 2:
        raise ValueError(f"Argument `size` must be a tuple of two elements "
                         f"(height, width). Received: size={size}")
    fmt = _data_format(data_format)
    x, added = _to_batch_last(images, fmt, "resize")
    if np.asarray(plain(x)).dtype.kind != "f":
        x = npo.cast(x, "float32")
    x = _aspect_crop_or_pad(x, size, crop_to_aspect_ratio,
                            pad_to_aspect_ratio, fill_value)
    _, h, w, _ = shape_of(plain(x))
    dtype = np.asarray(plain(x)).dtype
    wh = _resize_weights(h, int(size[0]), interpolation,
                         antialias).astype(dtype)
    ww = _resize_weights(w, int(size[1]), interpolation,
                         antialias).astype(dtype)
    from seqcore.ops.linear_ops import einsum
    y = einsum("oh,bhwc,pw->bopc", wh, x, ww)
    return _from_batch_last(y, fmt, added)


# ---- affine transform -------------------------------------------------------

def _fix_index(index, size, mode):
    """Out-of-range indices mapped as JAX's map_coordinates modes do."""
    if mode == "nearest":
        return np.clip(index, 0, size - 1)
    if mode == "wrap":
        return np.mod(index, size)
    if mode == "mirror":
        s = size - 1
        if s == 0:
            return np.zeros_like(index)
        return np.abs(np.mod(index + s, 2 * s) - s)
    if mode == "reflect":
        m = _fix_index(2 * index + 1, 2 * size + 1, "mirror")
        return np.floor_divide(m - 1, 2)
    return index


def _affine_taps(transform, h, w, interpolation, fill_mode):
    """Per image: [(rows, cols, weight, valid)] of the taps of each output
    pixel (each (B, H, W))."""
    # Coordinates in float32, summed in the order Keras's JAX backend
    # sums them (the rounding of "nearest" depends on it).
    t = np.asarray(transform, np.float32)
    ys, xs = np.meshgrid(np.arange(h, dtype=np.float32),
                         np.arange(w, dtype=np.float32), indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = [t[:, i, None, None] for i in range(8)]
    k = c0 * xs + c1 * ys + np.float32(1)
    src_x = (ys * a1 + xs * a0 + a2) / k
    src_y = (ys * b1 + xs * b0 + b2) / k
    taps = []
    if interpolation == "nearest":
        # halves away from zero, as JAX's map_coordinates
        corners = [(np.sign(src_y) * np.floor(np.abs(src_y) + 0.5),
                    np.sign(src_x) * np.floor(np.abs(src_x) + 0.5),
                    np.ones_like(src_x))]
    else:
        y0, x0 = np.floor(src_y), np.floor(src_x)
        corners = []
        for dy in (0, 1):
            for dx in (0, 1):
                yi, xi = y0 + dy, x0 + dx
                weight = ((1 - np.abs(src_y - yi)) *
                          (1 - np.abs(src_x - xi))).astype(np.float64)
                corners.append((yi, xi, weight))
    for yi, xi, weight in corners:
        yi, xi = yi.astype(np.int64), xi.astype(np.int64)
        if fill_mode == "constant":
            valid = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
            yi, xi = np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)
        else:
            valid = np.ones(yi.shape, bool)
            yi, xi = _fix_index(yi, h, fill_mode), _fix_index(xi, w,
                                                             fill_mode)
        taps.append((yi, xi, weight, valid))
    return taps


def _affine_points(images, transform, interpolation, fill_mode):
    """Yields (index, weight, valid) per tap: `index` reads the (B, H, W)
    tap pixels of images (B, H, W, C); `transform` is (1 or B, 8)."""
    b, h, w, _ = images.shape
    t = np.broadcast_to(np.asarray(transform), (b, 8))
    bi = np.arange(b)[:, None, None]
    for yi, xi, weight, valid in _affine_taps(t, h, w, interpolation,
                                              fill_mode):
        yield (bi, yi, xi), weight, valid


def _affine_vjp(g, out, images, transform, interpolation, fill_mode,
                fill_value):
    images = np.asarray(images)
    d = np.zeros(images.shape, g.dtype)
    for index, weight, valid in _affine_points(images, transform,
                                               interpolation, fill_mode):
        share = g * (weight * valid)[..., None].astype(g.dtype)
        np.add.at(d, index, share)
    return d, None


@differentiable(_affine_vjp)
def _affine(images, transform, interpolation, fill_mode, fill_value):
    images = convert_to_array(images)
    dtype = images.dtype if images.dtype.kind == "f" else np.float32
    out = np.zeros(images.shape, np.float64)
    for index, weight, valid in _affine_points(images, transform,
                                               interpolation, fill_mode):
        value = np.where(valid[..., None], images[index], fill_value)
        out += weight[..., None] * value
    return out.astype(dtype)


def affine_transform(images, transform, interpolation="bilinear",
                     fill_mode="constant", fill_value=0, data_format=None):
    """Images resampled through projective transforms.

    Args:
        images: (batch, H, W, C) or (H, W, C).
        transform: (8,) or (batch, 8) [a0, a1, a2, b0, b1, b2, c0, c1]:
            output pixel (x, y) reads input ((a0 x + a1 y + a2) / k,
            (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1.
        interpolation: "nearest" or "bilinear".
        fill_mode: "constant" (fill_value), "nearest", "wrap", "mirror",
            "reflect" for points outside the input.
    """
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(
            f"Invalid value for argument `interpolation`. Expected of one "
            f"{set(AFFINE_INTERPOLATIONS)}. Received: interpolation="
            f"{interpolation}")
    if fill_mode not in AFFINE_FILL_MODES:
        raise ValueError(
            f"Invalid value for argument `fill_mode`. Expected of one "
            f"{set(AFFINE_FILL_MODES)}. Received: fill_mode={fill_mode}")
    t = np.asarray(plain(transform))
    if t.ndim not in (1, 2) or t.shape[-1] != 8:
        raise ValueError(
            f"Invalid transform rank: expected rank 1 (single transform) or "
            f"rank 2 (batch of transforms) with 8 entries. Received input "
            f"with shape: transform.shape={t.shape}")
    fmt = _data_format(data_format)
    x, added = _to_batch_last(images, fmt, "affine_transform")
    y = _affine(x, t.reshape(-1, 8), interpolation, fill_mode, fill_value)
    return _from_batch_last(y, fmt, added)


# ---- crop and pad -----------------------------------------------------------

def _need_two(a, b, target, names):
    if [a, b, target].count(None) != 1:
        raise ValueError(
            f"Must specify exactly two of {names[0]}, {names[1]}, "
            f"{names[2]}. Received: {names[0]}={a}, {names[1]}={b}, "
            f"{names[2]}={target}")
    for value, name in zip((a, b, target), names):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0. Received: "
                             f"{name}={value}")


def _check_non_negative(pairs):
    for name, value in pairs:
        if value < 0:
            raise ValueError(f"{name} must be >= 0. Received: "
                             f"{name}={value}")


def pad_images(images, top_padding=None, left_padding=None,
               bottom_padding=None, right_padding=None, target_height=None,
               target_width=None, data_format=None):
    """Images zero-padded; give two of (top, bottom, target_height) and
    two of (left, right, target_width).

    Args:
        images: (batch, H, W, C) or (H, W, C) (channels_first: C first).
        top_padding, bottom_padding, target_height: two of the three.
        left_padding, right_padding, target_width: two of the three.
    """
    _need_two(top_padding, bottom_padding, target_height,
              ("top_padding", "bottom_padding", "target_height"))
    _need_two(left_padding, right_padding, target_width,
              ("left_padding", "right_padding", "target_width"))
    fmt = _data_format(data_format)
    x, added = _to_batch_last(images, fmt, "pad_images")
    _, h, w, _ = shape_of(plain(x))
    # top + h + bottom == target_height (likewise across)
    top, bottom = _two_sides(top_padding, bottom_padding, target_height, h)
    left, right = _two_sides(left_padding, right_padding, target_width, w)
    _check_non_negative((("top_padding", top), ("left_padding", left),
                         ("right_padding", right),
                         ("bottom_padding", bottom)))
    from seqcore.ops.shape_ops import pad
    y = pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    return _from_batch_last(y, fmt, added)


def _two_sides(first, second, total, middle):
    """(first, second) with first + middle + second == total, the one of
    them that is None worked out from the others."""
    if first is None:
        first = total - second - middle
    if second is None:
        second = total - first - middle
    return first, second


def crop_images(images, top_cropping=None, left_cropping=None,
                bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    """Images cropped; give two of (top, bottom, target_height) and two
    of (left, right, target_width).

    Args:
        images: (batch, H, W, C) or (H, W, C) (channels_first: C first).
        top_cropping, bottom_cropping, target_height: two of the three.
        left_cropping, right_cropping, target_width: two of the three.
    """
    _need_two(top_cropping, bottom_cropping, target_height,
              ("top_cropping", "bottom_cropping", "target_height"))
    _need_two(left_cropping, right_cropping, target_width,
              ("left_cropping", "right_cropping", "target_width"))
    fmt = _data_format(data_format)
    x, added = _to_batch_last(images, fmt, "crop_images")
    _, h, w, _ = shape_of(plain(x))
    # top + target_height + bottom == h (likewise across)
    top, height = _two_sides(top_cropping, target_height, h,
                             bottom_cropping)
    left, width = _two_sides(left_cropping, target_width, w,
                             right_cropping)
    _check_non_negative((("top_cropping", top), ("target_height", height),
                         ("left_cropping", left), ("target_width", width)))
    y = npo.take_slice(x, (slice(None), slice(top, top + height),
                           slice(left, left + width)))
    return _from_batch_last(y, fmt, added)


def rgb_to_grayscale(images, data_format=None):
    """Luma 0.2989 R + 0.5870 G + 0.1140 B, keeping a channel axis of 1."""
    fmt = _data_format(data_format)
    x, added = _to_batch_last(images, fmt, "rgb_to_grayscale")
    dtype = np.asarray(plain(x)).dtype
    if dtype.kind != "f":
        x, dtype = npo.cast(x, "float32"), np.dtype("float32")
    weights = np.array([0.2989, 0.5870, 0.1140], dtype).reshape(3, 1)
    from seqcore.ops.linalg import matmul
    y = matmul(x, weights)
    return _from_batch_last(y, fmt, added)


del math


# ---- colour spaces, filters, map_coordinates --------------------------------

def _float_images(images, name):
    x = convert_to_array(plain(images))
    if ndim_of(images) not in (3, 4):
        raise ValueError(
            f"{name}: invalid images rank: expected rank 3 (single image) "
            f"or rank 4 (batch of images). Received input with shape: "
            f"images.shape={shape_of(images)}")
    if x.dtype.kind != "f":
        raise ValueError(f"{name}: invalid images dtype: expected float "
                         f"dtype. Received: images.dtype={x.dtype}")
    return x.dtype


def _planes(images, data_format):
    from seqcore.ops.shape_ops import unstack
    axis = -1 if data_format == "channels_last" else -3
    return unstack(images, axis=axis % ndim_of(images)), axis


def rgb_to_hsv(images, data_format=None):
    """RGB images (float, in [0, 1]) to hue, saturation, value."""
    dtype = _float_images(images, "rgb_to_hsv")
    fmt = _data_format(data_format)
    eps = np.finfo(dtype).eps
    images = npo.where(npo.less(npo.abs(images), eps),
                       np.zeros((), dtype), images)
    (r, g, b), axis = _planes(images, fmt)
    value = npo.maximum(npo.maximum(r, g), b)
    low = npo.minimum(npo.minimum(r, g), b)
    spread = npo.subtract(value, low)
    zero, one = np.zeros((), dtype), np.ones((), dtype)
    safe_value = npo.where(npo.greater(value, 0), value, one)
    safe_spread = npo.where(npo.greater(spread, 0), spread, one)
    saturation = npo.where(npo.greater(value, 0),
                           npo.divide(spread, safe_value), zero)
    norm = npo.divide(1.0, npo.multiply(6.0, safe_spread))
    hue = npo.where(npo.equal(value, g),
                    npo.add(npo.multiply(norm, npo.subtract(b, r)), 2 / 6),
                    npo.add(npo.multiply(norm, npo.subtract(r, g)), 4 / 6))
    hue = npo.where(npo.equal(value, r),
                    npo.multiply(norm, npo.subtract(g, b)), hue)
    hue = npo.add(npo.where(npo.greater(spread, 0), hue, zero),
                  npo.cast(npo.less(hue, 0), dtype))
    return npo.stack([hue, saturation, value], axis=axis % ndim_of(images))


def hsv_to_rgb(images, data_format=None):
    """Hue, saturation, value images (float) to RGB."""
    dtype = _float_images(images, "hsv_to_rgb")
    fmt = _data_format(data_format)
    (h, s, v), axis = _planes(images, fmt)
    from seqcore.ops.math_ops import mod
    dh = npo.multiply(mod(h, 1.0), 6.0)
    dr = npo.clip(npo.subtract(npo.abs(npo.subtract(dh, 3.0)), 1.0), 0.0, 1.0)
    dg = npo.clip(npo.subtract(2.0, npo.abs(npo.subtract(dh, 2.0))), 0.0, 1.0)
    db = npo.clip(npo.subtract(2.0, npo.abs(npo.subtract(dh, 4.0))), 0.0, 1.0)
    one_minus_s = npo.subtract(1.0, s)
    planes = [npo.multiply(v, npo.add(one_minus_s, npo.multiply(s, d)))
              for d in (dr, dg, db)]
    out = npo.stack(planes, axis=axis % ndim_of(images))
    return npo.cast(out, dtype)


def _per_channel_filter(images, kernel, data_format):
    """images filtered channel by channel with the 2-D kernel ("same")."""
    from seqcore.ops.nn_conv import depthwise_conv
    x, added = _to_batch_last(images, data_format, "filter")
    c = shape_of(x)[-1]
    dtype = convert_to_array(plain(x)).dtype
    k = np.tile(np.asarray(kernel, dtype)[:, :, None, None], (1, 1, c, 1))
    y = depthwise_conv(x, k, padding="same")
    return _from_batch_last(y, data_format, added)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0),
                  data_format=None):
    """Images blurred channel by channel with a normalized Gaussian of
    kernel_size (width, height) and sigma (x, y), "same" padding."""
    dtype = _float_images(images, "gaussian_blur")
    fmt = _data_format(data_format)

    def one_d(size, s):
        x = np.arange(size, dtype=dtype) - np.asarray((size - 1) / 2, dtype)
        k = np.exp(-0.5 * (x / np.asarray(s, dtype)) ** 2)
        return k / np.sum(k)
    kx = one_d(kernel_size[0], sigma[0])
    ky = one_d(kernel_size[1], sigma[1])
    return _per_channel_filter(images, np.outer(ky, kx), fmt)


def sobel_edges(images, data_format=None):
    """Sobel responses per channel: (..., channels, 2) with the vertical
    (y) response first, then the horizontal (x)."""
    _float_images(images, "sobel_edges")
    fmt = _data_format(data_format)
    sx = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float64)
    ey = _per_channel_filter(images, sx.T, fmt)
    ex = _per_channel_filter(images, sx, fmt)
    return npo.stack([ey, ex], axis=-1)


def _map_taps(coords, shape, order, fill_mode):
    """[(index tuple, weight, valid)] of the taps of each output point."""
    corners = []
    per_axis = []
    for c, size in zip(coords, shape):
        c = np.asarray(c, np.float64)
        if order == 0:
            idx = np.sign(c) * np.floor(np.abs(c) + 0.5)
            per_axis.append([(idx.astype(np.int64), np.ones_like(c))])
        else:
            lo = np.floor(c)
            per_axis.append([(lo.astype(np.int64), 1 - (c - lo)),
                             (lo.astype(np.int64) + 1, c - lo)])
    for combo in np.ndindex(*[len(a) for a in per_axis]):
        index, weight, valid = [], 1.0, True
        for axis, k in enumerate(combo):
            idx, w = per_axis[axis][k]
            size = shape[axis]
            if fill_mode == "constant":
                valid = valid & (idx >= 0) & (idx < size)
                idx = np.clip(idx, 0, size - 1)
            else:
                idx = _fix_index(idx, size, fill_mode)
            index.append(idx)
            weight = weight * w
        corners.append((tuple(index), weight, np.broadcast_to(
            valid, np.shape(weight))))
    return corners


def _map_coordinates_vjp(g, out, inputs, coordinates, order, fill_mode,
                         fill_value):
    inputs = np.asarray(inputs)
    d = np.zeros(inputs.shape, g.dtype)
    for index, weight, valid in _map_taps(coordinates, inputs.shape, order,
                                          fill_mode):
        np.add.at(d, index, (g * weight * valid).astype(g.dtype))
    return d, None


@differentiable(_map_coordinates_vjp)
def _map_coordinates(inputs, coordinates, order, fill_mode, fill_value):
    inputs = convert_to_array(inputs)
    dtype = inputs.dtype if inputs.dtype.kind == "f" else np.float32
    out = 0.0
    for index, weight, valid in _map_taps(coordinates, inputs.shape, order,
                                          fill_mode):
        out = out + weight * np.where(valid, inputs[index], fill_value)
    return np.asarray(out).astype(dtype)


def map_coordinates(inputs, coordinates, order, fill_mode="constant",
                    fill_value=0.0):
    """inputs sampled at `coordinates` (rank-of-inputs, *out_shape) with
    nearest (order 0) or linear (order 1) interpolation; points outside
    follow fill_mode ("constant", "nearest", "wrap", "mirror",
    "reflect")."""
    coords = np.asarray(plain(coordinates))
    rank = ndim_of(inputs)
    if coords.shape[0] != rank:
        raise ValueError(
            f"First dim of `coordinates` must be the same as the rank of "
            f"`inputs`. Received inputs with shape: {shape_of(inputs)} and "
            f"coordinate leading dim of {coords.shape[0]}")
    if coords.ndim < 2:
        raise ValueError(f"Invalid coordinates rank: expected at least rank "
                         f"2. Received input with shape: {coords.shape}")
    if fill_mode not in AFFINE_FILL_MODES:
        raise ValueError(
            f"Invalid value for argument `fill_mode`. Expected one of "
            f"{set(AFFINE_FILL_MODES)}. Received: fill_mode={fill_mode}")
    if order not in (0, 1):
        raise ValueError(f"Invalid value for argument `order`. Expected one "
                         f"of [0, 1]. Received: order={order}")
    return _map_coordinates(inputs, coords, order, fill_mode, fill_value)


def _patch_size(size, rank, name):
    if isinstance(size, int):
        return (size,) * rank
    size = tuple(int(s) for s in size)
    if len(size) != rank:
        raise TypeError(f"Invalid `size` argument. Expected an int or a "
                        f"tuple of length {rank}. Received: size={size}")
    return size


def _patches(images, size, strides, dilation_rate, padding, data_format,
             rank, name):
    """Patches as a convolution with an identity kernel: each output
    position holds its window flattened in (rows, cols, channels)
    order."""
    from seqcore.ops.nn_conv import conv
    size = _patch_size(size, rank, name)
    fmt = _data_format(data_format)
    channels = shape_of(images)[-1 if fmt == "channels_last" else
                                -(rank + 1)]
    out_dim = int(np.prod(size)) * channels
    dtype = convert_to_array(plain(images)).dtype
    kernel = np.eye(out_dim, dtype=dtype if dtype.kind == "f" else
                    np.float32).reshape(size + (channels, out_dim))
    unbatched = ndim_of(images) == rank + 1
    x = npo.expand_dims(images, 0) if unbatched else images
    y = conv(x, kernel, strides=strides or size, padding=padding,
             data_format=fmt, dilation_rate=dilation_rate)
    return npo.squeeze(y, 0) if unbatched else y


def extract_patches(images, size, strides=None, dilation_rate=1,
                    padding="valid", data_format=None):
    """Patches of images: (batch, rows, cols, size_h * size_w * channels),
    strides defaulting to size (a 3-entry size gives 3-D patches)."""
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate,
                                  padding, data_format)
    return _patches(images, size, strides, dilation_rate, padding,
                    data_format, 2, "extract_patches")


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1,
                       padding="valid", data_format=None):
    """Patches of volumes (batch, d, h, w, channels), each flattened."""
    return _patches(volumes, size, strides, dilation_rate, padding,
                    data_format, 3, "extract_patches_3d")


# keras.ops.image's other functions (seqcore/ops/image_extra.py)
from seqcore.ops.image_extra import (  # noqa: E402,F401
    perspective_transform, scale_and_translate, ssim)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None,
                      data_format=None):
    """Elastic deformation (Keras's recipe): two fields of standard normal
    noise per image, scaled by sigma, blurred by a Gaussian of std sigma
    (kernel int(6 sigma) | 1, zero padding), give each pixel (x, y) the
    source point (x + alpha dx, y + alpha dy), read with `interpolation`
    and `fill_mode` as map_coordinates. Not differentiable here.

    Args:
        images: (H, W, C) or (B, H, W, C) (channels_first: (B, C, H, W)).
        alpha: the displacement scale, in pixels per unit of blurred noise.
        sigma: the Gaussian's standard deviation, in pixels.
        interpolation: "bilinear" or "nearest".
        fill_mode: "constant", "nearest", "wrap", "mirror" or "reflect".
        fill_value: the value outside the image for "constant".
        seed: an int (the same fields every call), a
            `keras.random.SeedGenerator`, or None (the global generator).
        data_format: "channels_last" or "channels_first".

    Returns:
        The deformed images, the input's shape and float dtype.
    """
    from seqcore import random as sc_random
    from seqcore.ops import _elastic
    fmt = _data_format(data_format)
    if interpolation not in _elastic.INTERPOLATIONS:
        raise ValueError(
            f"Invalid value for argument `interpolation`. Expected of one "
            f"{set(_elastic.INTERPOLATIONS)}. Received: "
            f"interpolation={interpolation}")
    if fill_mode not in _elastic.FILL_MODES:
        raise ValueError(
            f"Invalid value for argument `fill_mode`. Expected of one "
            f"{_elastic.FILL_MODES}. Received: fill_mode={fill_mode}")
    x = convert_to_array(plain(images))
    if x.ndim not in (3, 4):
        raise ValueError(
            f"Invalid images rank: expected rank 3 (single image) or rank 4 "
            f"(batch of images). Received input with shape: "
            f"images.shape={x.shape}")
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    batch = x if x.ndim == 4 else x[np.newaxis]
    if fmt == "channels_first":
        batch = np.moveaxis(batch, 1, -1)
    n, h, w, _ = batch.shape
    rng = sc_random._draw_generator(seed)
    noise_x = rng.standard_normal((n, h, w)).astype(np.float32)
    noise_y = rng.standard_normal((n, h, w)).astype(np.float32)
    out = _elastic.warp(batch, noise_x, noise_y, float(alpha), float(sigma),
                        interpolation, fill_mode, fill_value).astype(dtype)
    if fmt == "channels_first":
        out = np.moveaxis(out, -1, 1)
    return np.ascontiguousarray(out if x.ndim == 4 else out[0])
