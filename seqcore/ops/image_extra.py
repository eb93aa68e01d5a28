"""keras.ops.image beyond image.py: ssim and perspective_transform. Both
are composed of recorded ops (conv, map_coordinates, ...), so they
differentiate with respect to the images on the tape."""
import numpy as np

from seqcore.engine.tape import plain
from seqcore.ops import numpy_ops as npo
from seqcore.ops._meta import ndim_of, shape_of
from seqcore.ops.dtypes import convert_to_array
from seqcore.ops.image import (AFFINE_INTERPOLATIONS, _data_format,
                               _from_batch_last, _to_batch_last,
                               map_coordinates)


def _gaussian(size, sigma, dtype):
    """The size x size Gaussian window (sums to 1), as (size, size, 1, 1)."""
    x = np.arange(size, dtype=dtype) - (size - 1) / 2.0
    g = np.exp(-(x * x) / (2.0 * sigma ** 2)).astype(dtype)
    g = g / g.sum()
    return np.outer(g, g).reshape(size, size, 1, 1).astype(dtype)


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5,
         k1=0.01, k2=0.03, data_format=None):
    """Structural similarity of two images (Wang et al. 2004): local
    means, variances and covariance under a Gaussian window (valid
    positions only), the SSIM map averaged over positions and channels.

    Args:
        image1, image2: (H, W, C) or (B, H, W, C) (channels_first:
            channels before H, W), the same shape.
        max_val: the images' dynamic range (1.0, or 255.0).
        filter_size: the window's side; filter_sigma: its std.
        k1, k2: the stabilising constants.
        data_format: "channels_last" or "channels_first".
    Returns:
        One value per image pair: (B,), or a scalar for (H, W, C) inputs.
    """
    from seqcore.ops.nn_conv import conv
    data_format = _data_format(data_format)
    for name, image in (("image1", image1), ("image2", image2)):
        if ndim_of(plain(image)) not in (3, 4):
            raise ValueError(
                f"Invalid {name} rank: expected rank 3 (single image) or "
                f"rank 4 (batch of images). Received input with shape: "
                f"{name}.shape={shape_of(plain(image))}")
    dtype = convert_to_array(plain(image1)).dtype
    compute = dtype if dtype.kind == "f" else np.dtype("float32")
    a, added = _to_batch_last(npo.cast(image1, compute), data_format,
                              "ssim")
    b, _ = _to_batch_last(npo.cast(image2, compute), data_format, "ssim")
    batch, height, width, channels = shape_of(plain(a))
    kernel = _gaussian(filter_size, filter_sigma, compute)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2

    def planes(x):   # (B, H, W, C) -> (B*C, H, W, 1)
        return npo.reshape(npo.transpose(x, (0, 3, 1, 2)),
                           (-1, height, width, 1))

    def blur(x):
        return conv(x, kernel, padding="valid", data_format="channels_last")

    a, b = planes(a), planes(b)
    mu1, mu2 = blur(a), blur(b)
    mu11, mu22 = npo.multiply(mu1, mu1), npo.multiply(mu2, mu2)
    mu12 = npo.multiply(mu1, mu2)
    var1 = npo.subtract(blur(npo.multiply(a, a)), mu11)
    var2 = npo.subtract(blur(npo.multiply(b, b)), mu22)
    cov = npo.subtract(blur(npo.multiply(a, b)), mu12)
    top = npo.multiply(npo.add(npo.multiply(mu12, 2.0), c1),
                       npo.add(npo.multiply(cov, 2.0), c2))
    bottom = npo.multiply(npo.add(npo.add(mu11, mu22), c1),
                          npo.add(npo.add(var1, var2), c2))
    per_plane = npo.mean(npo.divide(top, bottom), axis=(1, 2, 3))
    result = npo.mean(npo.reshape(per_plane, (batch, channels)), axis=-1)
    if added:
        result = npo.squeeze(result, 0)
    return npo.cast(result, dtype)


def _homographies(start, end):
    """(N, 8) homographies H mapping each end point to its start point:
    x_s = (h0 x + h1 y + h2) / (h6 x + h7 y + 1), y_s likewise with h3..h5."""
    sx, sy, ex, ey = start[..., 0], start[..., 1], end[..., 0], end[..., 1]
    zero, one = np.zeros_like(ex), np.ones_like(ex)
    rows_x = np.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey],
                      -1)
    rows_y = np.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey],
                      -1)
    system = np.concatenate([rows_x, rows_y], axis=1)
    target = np.concatenate([sx, sy], axis=-1)[..., None]
    return np.linalg.solve(system, target)[..., 0]


def _points(points, name):
    p = np.asarray(plain(points), np.float64)
    if p.shape[-2:] != (4, 2) or p.ndim not in (2, 3):
        raise ValueError(f"Invalid {name} shape: expected (4,2) for a "
                         f"single image or (N,4,2) for a batch. Received "
                         f"shape: {p.shape}")
    return p if p.ndim == 3 else p[None]


def perspective_transform(images, start_points, end_points,
                          interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warp images so that the 4 start points go to the 4 end points:
    each output pixel (x, y) samples the input at H(x, y), H the
    homography taking end points to start points; outside is fill_value.

    Args:
        images: (H, W, C) or (B, H, W, C) (channels_first likewise).
        start_points, end_points: (4, 2) or (N, 4, 2) as (x, y) pairs.
        interpolation: "bilinear" or "nearest".
        fill_value: the value outside the input.
        data_format: "channels_last" or "channels_first".
    """
    data_format = _data_format(data_format)
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`. "
                         f"Expected of one {set(AFFINE_INTERPOLATIONS)}. "
                         f"Received: interpolation={interpolation}")
    x, added = _to_batch_last(images, data_format, "perspective_transform")
    start = _points(start_points, "start_points")
    end = _points(end_points, "end_points")
    if np.shape(plain(start_points)) != np.shape(plain(end_points)):
        raise ValueError(f"start_points and end_points must have the same "
                         f"shape. Received start_points.shape="
                         f"{np.shape(plain(start_points))}, "
                         f"end_points.shape={np.shape(plain(end_points))}")
    batch, height, width, channels = shape_of(plain(x))
    # Keras solves for the homography in float32
    h = _homographies(start.astype(np.float32).astype(np.float64),
                      end.astype(np.float32).astype(np.float64))
    h = np.broadcast_to(h, (batch, 8))[:, :, None, None]
    gx, gy = np.meshgrid(np.arange(width), np.arange(height), indexing="xy")
    denom = h[:, 6] * gx + h[:, 7] * gy + 1.0
    x_in = (h[:, 0] * gx + h[:, 1] * gy + h[:, 2]) / denom
    y_in = (h[:, 3] * gx + h[:, 4] * gy + h[:, 5]) / denom
    shape = (batch, height, width, channels)
    coords = np.stack([
        np.broadcast_to(np.arange(batch)[:, None, None, None], shape),
        np.broadcast_to(y_in[..., None], shape),
        np.broadcast_to(x_in[..., None], shape),
        np.broadcast_to(np.arange(channels), shape)]).astype(np.float32)
    order = AFFINE_INTERPOLATIONS.index(interpolation)
    y = map_coordinates(x, coords, order, fill_mode="constant",
                        fill_value=fill_value)
    return _from_batch_last(y, data_format, added)


# Keras 3.15's set ("triangle", which its docstring names, is refused)
SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic",
                               "bicubic", "tricubic", "lanczos3",
                               "lanczos5")
_KERNEL_OF_METHOD = {"linear": "bilinear", "bilinear": "bilinear",
                     "trilinear": "bilinear",
                     "cubic": "bicubic", "bicubic": "bicubic",
                     "tricubic": "bicubic", "lanczos3": "lanczos3",
                     "lanczos5": "lanczos5"}


def _sampling_weights(in_size, out_size, scale, translation, kernel,
                      antialias):
    """(out_size, in_size) float64 weights: output pixel o (centre o + 0.5)
    samples the input at (o + 0.5 - translation) / scale - 0.5, through
    the kernel widened by 1 / scale when downsampling with antialias;
    rows are normalised, and zero when the sample is outside the input."""
    from seqcore.ops.image import _kernel
    sample = (np.arange(out_size) + 0.5 - translation) / scale - 0.5
    width = max(1.0 / scale, 1.0) if antialias else 1.0
    w = _kernel(kernel, (sample[:, None] - np.arange(in_size)[None, :]) /
                width)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(np.abs(total) > 1000 * np.finfo(np.float32).eps,
                 w / np.where(total == 0, 1, total), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return w * inside[:, None]


def scale_and_translate(images, output_shape, scale, translation,
                        spatial_dims, method, antialias=True):
    """Resample `images` to `output_shape` so that input point p (pixel
    centres at index + 0.5) lands at p * scale + translation along each of
    `spatial_dims`; output samples outside the input are 0.

    Args:
        images: an array of any rank.
        output_shape: the full output shape (other axes keep their size).
        scale, translation: one value per spatial dim.
        spatial_dims: the axes resampled.
        method: "linear" (or "bilinear", "trilinear"), "cubic"
            (or "bicubic", "tricubic"; Keys cubic), "lanczos3", "lanczos5".
        antialias: widen the kernel when downsampling.
    """
    from seqcore.ops.linear_ops import tensordot
    from seqcore.ops.shape_ops import moveaxis
    if method not in SCALE_AND_TRANSLATE_METHODS:
        raise ValueError(f"Invalid value for argument `method`. Expected of "
                         f"one {set(SCALE_AND_TRANSLATE_METHODS)}. "
                         f"Received: method={method}")
    in_shape = shape_of(plain(images))
    output_shape = tuple(int(n) for n in output_shape)
    spatial_dims = tuple(int(d) for d in spatial_dims)
    scale = np.asarray(plain(scale), np.float64).reshape(-1)
    translation = np.asarray(plain(translation), np.float64).reshape(-1)
    if len(output_shape) != len(in_shape):
        raise ValueError(f"scale_and_translate: output_shape must have one "
                         f"size per axis of images {in_shape}, received "
                         f"output_shape={output_shape}")
    if not len(scale) == len(translation) == len(spatial_dims):
        raise ValueError(f"scale_and_translate: expected one scale and one "
                         f"translation per spatial dim {spatial_dims}, "
                         f"received scale={scale.tolist()}, translation="
                         f"{translation.tolist()}")
    dtype = convert_to_array(plain(images)).dtype
    x = images if dtype.kind == "f" else npo.cast(images, "float32")
    out_dtype = dtype if dtype.kind == "f" else np.dtype("float32")
    for d, s, t in zip(spatial_dims, scale, translation):
        w = _sampling_weights(in_shape[d], output_shape[d], s, t,
                              _KERNEL_OF_METHOD[method], antialias)
        x = moveaxis(tensordot(w.astype(out_dtype), x, axes=([1], [d])), 0,
                     d)
    return x
