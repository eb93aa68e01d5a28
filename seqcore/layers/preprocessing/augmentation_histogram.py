"""Contrast layers computed from the images' own statistics, as Keras 3.15:
AutoContrast (min/max stretch), Equalization (histogram equalization) and
ContrastLimitedAdaptiveHistogramEqualization (CLAHE: per tile, clipped,
bilinearly blended). No random draws.

AutoContrast and CLAHE transform at inference too; Equalization only in
training (a direct call augments; `predict` passes images unchanged), as
Keras's code does. Inputs and outputs are float32; values are mapped from
`value_range` to [0, 255] and back.
"""
import numpy as np

from seqcore.layers.preprocessing import _image_base as ib
from seqcore.saving.serialization import register_builtin


@register_builtin
class AutoContrast(ib._ImagePreprocessing):
    """Stretches each image channel to the whole `value_range`: its minimum
    goes to the low end, its maximum to the high end (a constant channel is
    left unchanged). Active at training and inference.

    Args:
        value_range: (low, high) of the input values, default (0, 255).
        data_format: 'channels_last' or 'channels_first' (None: the
            configured default).

    Input/output: (h, w, c) or (n, h, w, c) (channels_first: (..., c, h, w)).
    """

    _ALWAYS_ACTIVE = True
    _HAS_SEED = False

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(data_format=kwargs.pop("data_format", None),
                         **kwargs)
        self.value_range = ib.value_range_sorted(value_range)

    def _apply(self, batch, params):
        x = ib.rescale(batch, self.value_range, (0, 255))
        low = x.min(axis=(1, 2), keepdims=True)
        high = x.max(axis=(1, 2), keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.float32(255.0) / (high - low)
            out = x * scale + (-low * scale)
        out = np.clip(out, 0.0, 255.0)
        out = ib.rescale(out, (0, 255), self.value_range)
        return np.where(np.isnan(out), batch, out)

    def get_config(self):
        config = super().get_config()
        config["value_range"] = self.value_range
        return config


def _scale(values, source, target):
    """Keras Equalization's `_scale_values`: values * scale + offset."""
    scale = (target[1] - target[0]) / (source[1] - source[0])
    offset = target[0] - source[0] * scale
    return (values * np.float32(scale) + np.float32(offset)).astype(
        np.float32, copy=False)


@register_builtin
class Equalization(ib._ImagePreprocessing):
    """Histogram equalization per channel: values are binned into `bins`
    bins over [0, 255] (after mapping from value_range) and replaced by
    their rounded cumulative-histogram level. As Keras 3.15, the histogram
    of a channel is taken over the whole batch passed in one call, and a
    channel with at most one occupied bin is left unchanged. Applied in
    training (a direct call); the identity at inference (`predict`).

    Args:
        value_range: (low, high) of the input values, default (0, 255).
        bins: number of histogram bins, default 256.
        data_format: 'channels_last' or 'channels_first'.
    """

    _HAS_SEED = False

    def __init__(self, value_range=(0, 255), bins=256, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) \
                or bins < 1:
            raise ValueError(f"Equalization: `bins` must be a positive "
                             f"integer. Received: bins={bins!r}")
        self.bins = int(bins)
        self.value_range = ib.value_range_sorted(value_range)

    def _histogram(self, channel):
        nbins = self.bins
        scaled = channel * np.float32(nbins - 1) / np.float32(255.0)
        index = np.clip(scaled.astype(np.int32), 0, nbins - 1)
        return np.bincount(index.reshape(-1), minlength=nbins)

    def _equalize(self, channel):
        """channel: (n, h, w) values in [0, 255] -> equalized values."""
        hist = self._histogram(channel)
        if np.count_nonzero(hist) <= 1:
            return channel
        cdf = np.cumsum(hist).astype(np.int64)
        cdf_min = cdf[np.nonzero(cdf)[0][0]]
        denominator = cdf[-1] - cdf_min
        if denominator == 0:
            denominator = 1
        table = np.float32((cdf - cdf_min) * 255) / np.float32(denominator)
        table = np.clip(np.round(table), 0, 255).astype(np.float32)
        scaled = (channel / np.float32(255.0)) * np.float32(self.bins - 1)
        index = np.clip(scaled, 0, self.bins - 1).astype(np.int32)
        return table[index]

    def _apply(self, batch, params):
        out = np.empty_like(batch)
        for c in range(batch.shape[-1]):
            channel = _scale(batch[..., c], self.value_range, (0, 255))
            out[..., c] = _scale(self._equalize(channel), (0, 255),
                                 self.value_range)
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"bins": self.bins, "value_range": self.value_range})
        return config


def _check_grid(tile_grid_size):
    ok = isinstance(tile_grid_size, (tuple, list)) and \
        len(tile_grid_size) == 2 and all(
            isinstance(g, (int, np.integer)) and not isinstance(g, bool)
            and g > 0 for g in tile_grid_size)
    if not ok:
        raise ValueError(
            f"ContrastLimitedAdaptiveHistogramEqualization: `tile_grid_size` "
            f"must be a tuple of 2 positive integers (height, width). "
            f"Received: tile_grid_size={tile_grid_size!r}")


@register_builtin
class ContrastLimitedAdaptiveHistogramEqualization(ib._ImagePreprocessing):
    """CLAHE: the image is cut into a tile_grid_size grid of tiles (padded
    symmetrically to a whole number of tiles); each tile's 256-bin
    histogram is clipped at clip_limit * tile_pixels / 256, the excess
    spread evenly over the bins, and turned into a mapping by its
    cumulative sum; each pixel's value is the bilinear blend of the
    mappings of the four nearest tile centres. Per image and channel;
    active at training and inference, as Keras 3.15.

    Args:
        value_range: (low, high) of the input values, default (0, 255).
        clip_limit: float, default 4.0 (<= 0: no clipping).
        tile_grid_size: (rows, columns) of tiles, default (8, 8).
        data_format: 'channels_last' or 'channels_first'.
    """

    _ALWAYS_ACTIVE = True
    _HAS_SEED = False

    def __init__(self, value_range=(0, 255), clip_limit=4.0,
                 tile_grid_size=(8, 8), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = ib.value_range_kept(value_range)
        if isinstance(clip_limit, bool) or \
                not isinstance(clip_limit, (int, float, np.number)):
            raise ValueError(
                f"ContrastLimitedAdaptiveHistogramEqualization: `clip_limit` "
                f"must be a number. Received: clip_limit={clip_limit!r}")
        _check_grid(tile_grid_size)
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def _mappings(self, tiles, tile_pixels):
        """tiles (n, gh, gw, c, tile_pixels) int values in [0, 255] ->
        (n, gh, gw, c, 256) normalized cumulative histograms."""
        n, gh, gw, c, _ = tiles.shape
        flat = tiles.reshape(-1, tile_pixels)
        offsets = (np.arange(flat.shape[0]) * 256)[:, None]
        hists = np.bincount((flat + offsets).reshape(-1),
                            minlength=flat.shape[0] * 256)
        hists = hists.reshape(n, gh, gw, c, 256).astype(np.float32)
        if self.clip_limit > 0:
            limit = np.float32(self.clip_limit * tile_pixels / 256.0)
            clipped = np.minimum(hists, limit)
            excess = np.sum(hists - clipped, axis=-1, keepdims=True,
                            dtype=np.float32)
            hists = clipped + excess / np.float32(256.0)
        cdf = np.cumsum(hists, axis=-1, dtype=np.float32)
        cdf_min = cdf.min(axis=-1, keepdims=True)
        denominator = np.float32(tile_pixels) - cdf_min
        denominator = np.where(denominator == 0, np.float32(1), denominator)
        return np.clip((cdf - cdf_min) * np.float32(255.0) / denominator,
                       0, 255).astype(np.float32)

    @staticmethod
    def _axis_taps(size, tile, grid):
        """Per padded row (or column): the two tile indices in the edge-
        extended grid and the weight of the second."""
        pos = (np.arange(size, dtype=np.float32) - np.float32(tile / 2.0)) \
            / np.float32(tile) + np.float32(1.0)
        first = np.floor(pos)
        weight = pos - first
        second = np.clip(first + 1, 0, grid + 1).astype(np.int64)
        first = np.clip(first, 0, grid + 1).astype(np.int64)
        return first, second, weight

    def _apply(self, batch, params):
        x = ib.rescale(batch, self.value_range, (0, 255))
        n, h, w, c = x.shape
        gh, gw = self.tile_grid_size
        th, tw = -(-h // gh), -(-w // gw)
        ph, pw = th * gh - h, tw * gw - w
        if ph or pw:
            x = np.pad(x, ((0, 0), (0, ph), (0, pw), (0, 0)),
                       mode="symmetric")
        pixels = np.clip(x, 0, 255).astype(np.int32)
        tiles = pixels.reshape(n, gh, th, gw, tw, c).transpose(
            0, 1, 3, 5, 2, 4).reshape(n, gh, gw, c, th * tw)
        maps = self._mappings(tiles, th * tw)
        maps = np.concatenate([maps[:, :1], maps, maps[:, -1:]], axis=1)
        maps = np.concatenate([maps[:, :, :1], maps, maps[:, :, -1:]],
                              axis=2)
        y0, y1, wy = self._axis_taps(th * gh, th, gh)
        x0, x1, wx = self._axis_taps(tw * gw, tw, gw)
        b = np.arange(n)[:, None, None, None]
        ch = np.arange(c)[None, None, None, :]
        wy = wy[None, :, None, None]
        wx = wx[None, None, :, None]

        def tap(rows, cols):
            return maps[b, rows[None, :, None, None],
                        cols[None, None, :, None], ch, pixels]
        one = np.float32(1.0)
        top = tap(y0, x0) * (one - wx) + tap(y0, x1) * wx
        bottom = tap(y1, x0) * (one - wx) + tap(y1, x1) * wx
        out = (top * (one - wy) + bottom * wy)[:, :h, :w, :]
        return ib.rescale(out.astype(np.float32), (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range,
                       "clip_limit": self.clip_limit,
                       "tile_grid_size": self.tile_grid_size})
        return config
