"""keras.ops.nn's adaptive pools and the sliding-block ops: adaptive_max_pool
and adaptive_average_pool (PyTorch's bins: output i of n covers input
[floor(i L / n), ceil((i + 1) L / n))), unfold (im2col of NCHW images)
and fold (its adjoint: blocks summed back into images)."""
import itertools

import numpy as np

from seqcore.engine.tape import differentiable, plain
from seqcore.ops import numpy_ops as npo
from seqcore.ops._meta import ndim_of, shape_of
from seqcore.ops.dtypes import convert_to_array


def _adaptive(inputs, output_size, data_format, reduce, name):
    from seqcore.ops.nn_conv import _data_format, _from_last, _to_last
    rank = ndim_of(inputs) - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"{name}: inputs must be 3-D, 4-D or 5-D, received "
                         f"shape {shape_of(inputs)}")
    sizes = (output_size,) * rank if isinstance(output_size, int) else \
        tuple(output_size)
    if len(sizes) != rank:
        raise ValueError(f"{name}: output_size needs {rank} entries, "
                         f"received {output_size}")
    fmt = _data_format(data_format)
    x = _to_last(inputs, fmt)
    for axis, out in enumerate(sizes, start=1):
        n = shape_of(x)[axis]
        pieces = []
        for i in range(out):
            lo = (i * n) // out
            hi = -((-(i + 1) * n) // out)
            key = (slice(None),) * axis + (slice(lo, hi),)
            pieces.append(reduce(npo.take_slice(x, key), axis=axis,
                                 keepdims=True))
        x = npo.concatenate(pieces, axis=axis)
    return _from_last(x, fmt)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """The maximum over adaptive bins giving `output_size` (an int or one
    per spatial axis) for 1 to 3 spatial axes."""
    return _adaptive(inputs, output_size, data_format, npo.max,
                     "adaptive_max_pool")


def adaptive_average_pool(inputs, output_size, data_format=None):
    """The mean over adaptive bins giving `output_size`."""
    return _adaptive(inputs, output_size, data_format, npo.mean,
                     "adaptive_average_pool")


def _pair(v):
    return (int(v), int(v)) if np.ndim(v) == 0 else tuple(int(a) for a in v)


def _block_geometry(hw, kernel, dilation, padding, stride):
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k, d, p, s in
                 zip(hw, kernel, dilation, padding, stride))


def _unfold_np(x, kernel, dilation, padding, stride):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    oh, ow = _block_geometry((h, w), kernel, dilation, padding, stride)
    out = np.empty((n, c, kernel[0] * kernel[1], oh, ow), x.dtype)
    for t, (i, j) in enumerate(itertools.product(range(kernel[0]),
                                                 range(kernel[1]))):
        r0, c0 = i * dilation[0], j * dilation[1]
        out[:, :, t] = xp[:, :, r0:r0 + (oh - 1) * stride[0] + 1:stride[0],
                          c0:c0 + (ow - 1) * stride[1] + 1:stride[1]]
    return out.reshape(n, c * kernel[0] * kernel[1], oh * ow)


def _fold_np(cols, out_hw, kernel, dilation, padding, stride):
    n, ckk, _ = cols.shape
    c = ckk // (kernel[0] * kernel[1])
    oh, ow = _block_geometry(out_hw, kernel, dilation, padding, stride)
    blocks = cols.reshape(n, c, kernel[0] * kernel[1], oh, ow)
    xp = np.zeros((n, c, out_hw[0] + 2 * padding[0],
                   out_hw[1] + 2 * padding[1]), cols.dtype)
    for t, (i, j) in enumerate(itertools.product(range(kernel[0]),
                                                 range(kernel[1]))):
        r0, c0 = i * dilation[0], j * dilation[1]
        xp[:, :, r0:r0 + (oh - 1) * stride[0] + 1:stride[0],
           c0:c0 + (ow - 1) * stride[1] + 1:stride[1]] += blocks[:, :, t]
    return xp[:, :, padding[0]:padding[0] + out_hw[0],
              padding[1]:padding[1] + out_hw[1]]


def _unfold_vjp(g, out, x, kernel, dilation, padding, stride):
    return (_fold_np(g, np.shape(x)[2:], kernel, dilation, padding, stride),)


@differentiable(_unfold_vjp)
def _unfold(x, kernel, dilation, padding, stride):
    return _unfold_np(convert_to_array(x), kernel, dilation, padding, stride)


def _fold_vjp(g, out, x, out_hw, kernel, dilation, padding, stride):
    return (_unfold_np(g, kernel, dilation, padding, stride),)


@differentiable(_fold_vjp)
def _fold(x, out_hw, kernel, dilation, padding, stride):
    return _fold_np(convert_to_array(x), out_hw, kernel, dilation, padding,
                    stride)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of NCHW images as columns (im2col).

    Args:
        x: (N, C, H, W).
        kernel_size, dilation, padding, stride: an int or a pair.
    Returns:
        (N, C * kH * kW, L), L the number of block positions; row
        c * kH * kW + i * kW + j holds kernel tap (i, j) of channel c.
    """
    if ndim_of(x) != 4:
        raise ValueError(f"unfold: expected a 4-D (N, C, H, W) input, "
                         f"received shape {shape_of(x)}")
    return _unfold(x, _pair(kernel_size), _pair(dilation), _pair(padding),
                   _pair(stride))


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of unfold: (N, C * kH * kW, L) columns summed back into
    (N, C, *output_size) images (overlapping taps add up)."""
    if ndim_of(x) != 3:
        raise ValueError(f"fold: expected a 3-D (N, C*kH*kW, L) input, "
                         f"received shape {shape_of(x)}")
    kernel = _pair(kernel_size)
    if shape_of(x)[1] % (kernel[0] * kernel[1]):
        raise ValueError(f"fold: the second axis ({shape_of(x)[1]}) must be "
                         f"a multiple of kH * kW = {kernel[0] * kernel[1]}")
    return _fold(x, _pair(output_size), kernel, _pair(dilation),
                 _pair(padding), _pair(stride))


def polar(abs_, angle):
    """The complex numbers abs_ * exp(1j * angle)."""
    r = np.asarray(plain(abs_))
    t = np.asarray(plain(angle))
    return r * np.cos(t) + 1j * (r * np.sin(t))


__all__ = ["adaptive_average_pool", "adaptive_max_pool", "fold", "polar",
           "unfold"]
