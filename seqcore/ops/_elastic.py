"""The pieces of keras.ops.image.elastic_transform, on numpy arrays in
channels_last batches: a Gaussian blur of the noise fields (zero padding,
"same" size, Keras's kernel) and the resampling of each image at its
displaced points (map_coordinates' bilinear or nearest taps, fill modes).
"""
import numpy as np

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
INTERPOLATIONS = ("nearest", "bilinear")


def gaussian_kernel_1d(size, sigma):
    """(size,) float64 weights exp(-x^2 / 2 sigma^2) normalised to sum 1,
    x centred on the middle tap."""
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    k = np.exp(-0.5 * (x / float(sigma)) ** 2)
    return k / np.sum(k)


def blur_fields(fields, sigma):
    """fields (n, h, w) blurred by Keras's elastic kernel: size
    int(6 sigma) | 1 in both axes, zeros outside, output the input's size.
    The 2-D kernel is the outer product of one 1-D kernel, so two 1-D
    passes give it exactly (up to rounding)."""
    size = int(6 * float(sigma)) | 1
    k = gaussian_kernel_1d(size, sigma)
    before, after = (size - 1) // 2, size - 1 - (size - 1) // 2
    f = np.asarray(fields, np.float64)
    n, h, w = f.shape
    padded = np.pad(f, ((0, 0), (before, after), (0, 0)))
    rows = np.zeros((n, h, w))
    for i in range(size):
        rows += k[i] * padded[:, i:i + h, :]
    padded = np.pad(rows, ((0, 0), (0, 0), (before, after)))
    out = np.zeros((n, h, w))
    for i in range(size):
        out += k[i] * padded[:, :, i:i + w]
    return out


def _fix(index, size, mode):
    """(index folded into [0, size), tap valid) as map_coordinates."""
    if mode == "constant":
        return np.clip(index, 0, size - 1), (index >= 0) & (index < size)
    if mode == "nearest":
        fixed = np.clip(index, 0, size - 1)
    elif mode == "wrap":
        fixed = np.mod(index, size)
    elif mode == "reflect":          # d c b a | a b c d | d c b a
        fixed = np.mod(index, 2 * size)
        fixed = np.where(fixed >= size, 2 * size - 1 - fixed, fixed)
    elif size == 1:                  # mirror of one pixel
        fixed = np.zeros_like(index)
    else:                            # mirror: d c b | a b c d | c b a
        period = 2 * size - 2
        fixed = np.mod(index, period)
        fixed = np.where(fixed >= size, period - fixed, fixed)
    return fixed, np.ones(index.shape, bool)


def sample_points(images, src_y, src_x, interpolation, fill_mode,
                  fill_value):
    """images (n, h, w, c) read at the points (src_y, src_x), each
    (n, h2, w2): -> (n, h2, w2, c) float64. Bilinear: the 4 neighbours;
    nearest: the point rounded half away from zero; taps outside follow
    fill_mode (constant: fill_value per tap)."""
    images = np.asarray(images, np.float64)
    n, h, w, _ = images.shape
    src_y = np.asarray(src_y, np.float64)
    src_x = np.asarray(src_x, np.float64)
    if interpolation == "nearest":
        taps = [(np.sign(src_y) * np.floor(np.abs(src_y) + 0.5),
                 np.sign(src_x) * np.floor(np.abs(src_x) + 0.5),
                 np.ones(src_y.shape))]
    else:
        y0, x0 = np.floor(src_y), np.floor(src_x)
        fy, fx = src_y - y0, src_x - x0
        taps = [(y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)]
    batch = np.arange(n).reshape((n,) + (1,) * (src_y.ndim - 1))
    out = np.zeros(src_y.shape + images.shape[-1:])
    for ty, tx, weight in taps:
        ry, vy = _fix(ty.astype(np.int64), h, fill_mode)
        rx, vx = _fix(tx.astype(np.int64), w, fill_mode)
        value = np.where((vy & vx)[..., None], images[batch, ry, rx],
                         fill_value)
        out += weight[..., None] * value
    return out


def warp(images, noise_x, noise_y, alpha, sigma, interpolation, fill_mode,
         fill_value):
    """images (n, h, w, c) resampled at (x + alpha dx, y + alpha dy), where
    dx = blur(sigma noise_x), dy = blur(sigma noise_y) (Keras's recipe:
    the noise is scaled by sigma before the blur); -> float64."""
    dx = blur_fields(np.asarray(noise_x, np.float64) * sigma, sigma)
    dy = blur_fields(np.asarray(noise_y, np.float64) * sigma, sigma)
    _, h, w, _ = np.shape(images)
    y, x = np.meshgrid(np.arange(h, dtype=np.float64),
                       np.arange(w, dtype=np.float64), indexing="ij")
    return sample_points(images, y + alpha * dy, x + alpha * dx,
                         interpolation, fill_mode, fill_value)
