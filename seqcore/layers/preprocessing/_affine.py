"""Affine resampling of image batches, for the geometric augmentations.

A transform is 8 numbers [a0, a1, a2, b0, b1, b2, c0, c1] (Keras's form,
c0 = c1 = 0 here) mapping each output pixel (column x, row y) to the input
point (a0 x + a1 y + a2, b0 x + b1 y + b2), sampled by bilinear or nearest
interpolation; taps outside the image follow `fill_mode`.
"""
import numpy as np

FILL_MODES = ("reflect", "wrap", "constant", "nearest", "mirror")
INTERPOLATIONS = ("bilinear", "nearest")


def _fix(index, size, mode):
    """(index inside [0, size), valid) for integer tap indices."""
    if mode == "constant":
        valid = (index >= 0) & (index < size)
        return np.clip(index, 0, size - 1), valid
    if mode == "nearest":
        fixed = np.clip(index, 0, size - 1)
    elif mode == "wrap":
        fixed = np.mod(index, size)
    elif mode == "reflect":          # d c b a | a b c d | d c b a
        fixed = np.mod(index, 2 * size)
        fixed = np.where(fixed >= size, 2 * size - 1 - fixed, fixed)
    else:                            # mirror: d c b | a b c d | c b a
        if size == 1:
            fixed = np.zeros_like(index)
        else:
            period = 2 * size - 2
            fixed = np.mod(index, period)
            fixed = np.where(fixed >= size, period - fixed, fixed)
    return fixed, np.ones(index.shape, bool)


def _round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def affine_transform(images, transforms, interpolation="bilinear",
                     fill_mode="constant", fill_value=0.0):
    """images (n, h, w, c), transforms (n, 8) -> (n, h, w, c) float32."""
    n, h, w, _ = images.shape
    rows, cols = np.meshgrid(np.arange(h, dtype=np.float32),
                             np.arange(w, dtype=np.float32), indexing="ij")
    out = np.empty(images.shape, np.float32)
    for i in range(n):
        # float32, in Keras's order of operations: where a coordinate lands
        # on a half pixel, nearest sampling then picks the same neighbour.
        a0, a1, a2, b0, b1, b2 = np.asarray(transforms[i][:6], np.float32)
        src_x = ((rows * a1 + cols * a0) + a2).astype(np.float64)
        src_y = ((rows * b1 + cols * b0) + b2).astype(np.float64)
        image = images[i].astype(np.float64)
        if interpolation == "nearest":
            taps = [(_round_half_away(src_y).astype(np.int64),
                     _round_half_away(src_x).astype(np.int64), 1.0)]
        else:
            y0, x0 = np.floor(src_y), np.floor(src_x)
            fy, fx = src_y - y0, src_x - x0
            y0, x0 = y0.astype(np.int64), x0.astype(np.int64)
            taps = [(y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                    (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)]
        acc = np.zeros(image.shape)
        for ty, tx, weight in taps:
            ry, vy = _fix(ty, h, fill_mode)
            rx, vx = _fix(tx, w, fill_mode)
            value = np.where((vy & vx)[..., None], image[ry, rx], fill_value)
            acc += np.asarray(weight)[..., None] * value \
                if np.ndim(weight) else weight * value
        out[i] = acc
    return out


def rotation_transform(angle, height, width):
    """Rotation by `angle` radians about the image centre."""
    cos, sin = np.cos(angle), np.sin(angle)
    x_off = ((width - 1) - (cos * (width - 1) - sin * (height - 1))) / 2.0
    y_off = ((height - 1) - (sin * (width - 1) + cos * (height - 1))) / 2.0
    return np.array([cos, -sin, x_off, sin, cos, y_off, 0.0, 0.0])


def zoom_transform(zoom_h, zoom_w, height, width):
    """Scaling by (zoom_w, zoom_h) about the image centre (a zoom above 1
    samples a wider area: the image appears smaller)."""
    x_off = ((width - 1) / 2.0) * (1.0 - zoom_w)
    y_off = ((height - 1) / 2.0) * (1.0 - zoom_h)
    return np.array([zoom_w, 0.0, x_off, 0.0, zoom_h, y_off, 0.0, 0.0])


def translation_transform(dx, dy):
    """Shift the content by (dx, dy) pixels."""
    return np.array([1.0, 0.0, -dx, 0.0, 1.0, -dy, 0.0, 0.0])
