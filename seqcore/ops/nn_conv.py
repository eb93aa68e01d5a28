"""Convolution and pooling ops of keras.ops.nn (conv, depthwise_conv,
separable_conv, conv_transpose, max_pool, average_pool) for 1, 2 and 3
spatial axes, channels_last or channels_first, with their
vector-Jacobian products.

A convolution is a sum over the kernel's offsets of (strided input
slice) @ (kernel at that offset): each product runs on seqcore's GEMM
(float32/float64), and 2-D float32 convolutions without groups run
whole in the C kernels conv2d_forward/conv2d_backward. Grouped
convolutions (depthwise) use a batched product per offset."""
import itertools
import math

import numpy as np

from seqcore.ops._meta import ndim_of, shape_of

from seqcore import _kernels
from seqcore.engine.tape import differentiable, plain
from seqcore.ops.dtypes import convert_to_array, result_type
from seqcore.ops.numpy_ops import reshape, transpose


def _tuple(value, n, name):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"`{name}` must have {n} entries (one per spatial "
                         f"axis), received {value}")
    return value


def _data_format(data_format):
    if data_format is None:
        from seqcore import config
        data_format = config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or "
                         f"'channels_first', received {data_format!r}")
    return data_format


def _to_last(x, data_format):
    if data_format == "channels_last":
        return x
    n = ndim_of(plain(x))
    return transpose(x, (0,) + tuple(range(2, n)) + (1,))


def _from_last(y, data_format):
    if data_format == "channels_last":
        return y
    n = ndim_of(plain(y))
    return transpose(y, (0, n - 1) + tuple(range(1, n - 1)))


def _pads(padding, sizes, windows, strides, dilations):
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding == "valid":
        return tuple((0, 0) for _ in sizes)
    if padding != "same":
        raise ValueError(f"padding must be 'valid' or 'same', received "
                         f"{padding!r}")
    pads = []
    for n, k, s, d in zip(sizes, windows, strides, dilations):
        span = (k - 1) * d + 1
        total = max((math.ceil(n / s) - 1) * s + span - n, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _out_sizes(sizes, windows, strides, dilations):
    return tuple((n - ((k - 1) * d + 1)) // s + 1 for n, k, s, d in
                 zip(sizes, windows, strides, dilations))


def _unpad_index(pads, sizes):
    """The index that cuts the (batch, *padded, channels) array of a
    padded input back to its unpadded `sizes`.

    Args:
        pads: ((low, high), ...) per spatial axis.
        sizes: the unpadded spatial sizes.
    """
    return (slice(None),) + tuple(slice(lo, lo + n) for (lo, _), n in
                                  zip(pads, sizes)) + (slice(None),)


def _window_slice(offset, strides, dilations, out_sizes):
    return (slice(None),) + tuple(
        slice(o * d, o * d + (m - 1) * s + 1, s)
        for o, s, d, m in zip(offset, strides, dilations, out_sizes)) + \
        (slice(None),)


def _product(a, k, groups, out=None):
    """a (M, C) @ k (C/groups, F) per group -> (M, F), added to out."""
    m = a.shape[0]
    cg, f = k.shape
    if groups == 1:
        if a.dtype in (np.float32, np.float64) and k.dtype == a.dtype:
            if out is None:
                return _kernels.gemm(np.ascontiguousarray(a), k)
            _kernels.gemm(np.ascontiguousarray(a), k, out, beta=1.0)
            return out
        r = a @ k
        return r if out is None else np.add(out, r, out=out)
    fg = f // groups
    if out is None:
        out = np.zeros((m, f), result_type(a.dtype, k.dtype))
    if cg == 1:
        # depthwise: each input channel scales its own filters
        view = out.reshape(m, groups, fg)
        view += a.reshape(m, groups, 1) * k.reshape(groups, fg)
        return out
    gemm_ok = a.dtype in (np.float32, np.float64) and k.dtype == a.dtype \
        and out.dtype == a.dtype
    for g in range(groups):
        part_a = a[:, g * cg:(g + 1) * cg]
        part_k = k[:, g * fg:(g + 1) * fg]
        if gemm_ok:
            _kernels.gemm(part_a, np.ascontiguousarray(part_k),
                          out[:, g * fg:(g + 1) * fg], beta=1.0)
        else:
            out[:, g * fg:(g + 1) * fg] += part_a @ part_k
    return out


def _gather(xp, k, strides, dilations, groups):
    """Convolution of the padded xp (N, *S, C) with k (*K, C/g, F)."""
    windows = k.shape[:-2]
    n, c = xp.shape[0], xp.shape[-1]
    out_sizes = _out_sizes(xp.shape[1:-1], windows, strides, dilations)
    f = k.shape[-1]
    rows = n * int(np.prod(out_sizes))
    out = np.zeros((rows, f), result_type(xp.dtype, k.dtype))
    if rows == 0:
        return out.reshape((n,) + out_sizes + (f,))
    for offset in itertools.product(*[range(w) for w in windows]):
        piece = xp[_window_slice(offset, strides, dilations, out_sizes)]
        _product(piece.reshape(rows, c), k[offset], groups, out)
    return out.reshape((n,) + out_sizes + (f,))


def _scatter(g, k, strides, dilations, groups, buf_sizes):
    """The adjoint of _gather: g (N, *O, F) spread back over an input of
    spatial sizes buf_sizes (N, *B, C)."""
    windows = k.shape[:-2]
    n, f = g.shape[0], g.shape[-1]
    out_sizes = g.shape[1:-1]
    cg = k.shape[-2]
    c = cg * groups
    buf = np.zeros((n,) + tuple(buf_sizes) + (c,), g.dtype)
    rows = n * int(np.prod(out_sizes))
    if rows == 0:
        return buf
    g2 = g.reshape(rows, f)
    for offset in itertools.product(*[range(w) for w in windows]):
        kt = k[offset]
        if groups == 1:
            part = _product(g2, np.ascontiguousarray(kt.T), 1)
        else:
            fg = f // groups
            gg = g2.reshape(rows, groups, fg).transpose(1, 0, 2)
            kg = kt.reshape(cg, groups, fg).transpose(1, 2, 0)
            part = np.matmul(gg, kg).transpose(1, 0, 2).reshape(rows, c)
        view = buf[_window_slice(offset, strides, dilations, out_sizes)]
        view += part.reshape(view.shape)
    return buf


def _kernel_grad(xp, g, kshape, strides, dilations, groups):
    """d kernel of _gather(xp, k): per offset, slice^T @ g."""
    windows = kshape[:-2]
    n, c = xp.shape[0], xp.shape[-1]
    f = g.shape[-1]
    out_sizes = g.shape[1:-1]
    rows = n * int(np.prod(out_sizes))
    dk = np.zeros(kshape, g.dtype)
    g2 = g.reshape(rows, f)
    for offset in itertools.product(*[range(w) for w in windows]):
        piece = xp[_window_slice(offset, strides, dilations, out_sizes)]
        a = np.ascontiguousarray(piece.reshape(rows, c))
        if groups == 1:
            if a.dtype in (np.float32, np.float64) and g2.dtype == a.dtype:
                dk[offset] = _kernels.gemm(a, np.ascontiguousarray(g2),
                                           trans_a=True)
            else:
                dk[offset] = a.T @ g2
        else:
            cg, fg = c // groups, f // groups
            ag = a.reshape(rows, groups, cg).transpose(1, 2, 0)
            gg = g2.reshape(rows, groups, fg).transpose(1, 0, 2)
            dk[offset] = np.matmul(ag, gg).transpose(1, 0, 2).reshape(cg, f)
    return dk


def _fast2d(x, k, groups):
    return (groups == 1 and x.ndim == 4 and x.dtype == np.float32 and
            k.dtype == np.float32)


def _conv_core_vjp(g, out, x, kernel, strides, dilations, pads, groups):
    x, k = np.asarray(x), np.asarray(kernel)
    g = np.ascontiguousarray(g, dtype=out.dtype)
    if _fast2d(x, k, groups) and g.dtype == np.float32:
        dk = np.zeros(k.shape, np.float32)
        dx = _kernels.conv2d_backward(
            np.ascontiguousarray(x), np.ascontiguousarray(k), g, strides,
            dilations, (pads[0][0], pads[1][0]), dk=dk)
        return dx, dk
    xp = np.pad(x.astype(out.dtype, copy=False),
                ((0, 0),) + tuple(pads) + ((0, 0),))
    buf = _scatter(g, k.astype(out.dtype, copy=False), strides, dilations,
                   groups, xp.shape[1:-1])
    crop = _unpad_index(pads, x.shape[1:-1])
    dk = _kernel_grad(xp, g, k.shape, strides, dilations, groups)
    return buf[crop].astype(x.dtype, copy=False), dk.astype(k.dtype,
                                                            copy=False)


@differentiable(_conv_core_vjp)
def _conv_core(x, kernel, strides, dilations, pads, groups):
    """channels_last convolution with explicit zero pads."""
    x, k = convert_to_array(x), convert_to_array(kernel)
    if _fast2d(x, k, groups):
        sizes = tuple(n + lo + hi for n, (lo, hi) in
                      zip(x.shape[1:3], pads))
        out_hw = _out_sizes(sizes, k.shape[:2], strides, dilations)
        return _kernels.conv2d_forward(
            np.ascontiguousarray(x), np.ascontiguousarray(k), None, strides,
            dilations, (pads[0][0], pads[1][0]), out_hw)
    dtype = result_type(x.dtype, k.dtype)
    if dtype.kind != "f":
        dtype = np.dtype("float32")
    xp = np.pad(x.astype(dtype, copy=False),
                ((0, 0),) + tuple(pads) + ((0, 0),))
    return _gather(xp, k.astype(dtype, copy=False), strides, dilations,
                   groups)


def _check(inputs, kernel, name):
    nx, nk = ndim_of(plain(inputs)), ndim_of(plain(kernel))
    if nx not in (3, 4, 5) or nk != nx:
        raise ValueError(
            f"{name}: inputs must be 3-D, 4-D or 5-D (batch, spatial..., "
            f"channels) and the kernel of the same rank, received inputs "
            f"of shape {shape_of(plain(inputs))} and kernel of shape "
            f"{shape_of(plain(kernel))}")
    return nx - 2


def conv(inputs, kernel, strides=1, padding="valid", data_format=None,
         dilation_rate=1):
    """N-D convolution (cross-correlation, as Keras computes it).

    Args:
        inputs: (batch, *spatial, channels) (channels_first: (batch,
            channels, *spatial)), 1 to 3 spatial axes.
        kernel: (*window, channels / groups, filters).
        strides, dilation_rate: an int or one per spatial axis.
        padding: "valid" or "same".
    Returns:
        (batch, *out_spatial, filters).
    """
    rank = _check(inputs, kernel, "conv")
    fmt = _data_format(data_format)
    x = _to_last(inputs, fmt)
    k_shape = shape_of(plain(kernel))
    strides = _tuple(strides, rank, "strides")
    dilations = _tuple(dilation_rate, rank, "dilation_rate")
    c = shape_of(plain(x))[-1]
    if c % k_shape[-2]:
        raise ValueError(
            f"conv: the input channels ({c}) must be a multiple of the "
            f"kernel's input channels ({k_shape[-2]})")
    groups = c // k_shape[-2]
    if k_shape[-1] % groups:
        raise ValueError(f"conv: the filters ({k_shape[-1]}) must be a "
                         f"multiple of the groups ({groups})")
    pads = _pads(padding, shape_of(plain(x))[1:-1], k_shape[:-2], strides,
                 dilations)
    y = _conv_core(x, kernel, strides, dilations, pads, groups)
    return _from_last(y, fmt)


def depthwise_conv(inputs, kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Each input channel convolved with its own `multiplier` filters.

    Args:
        inputs: (batch, *spatial, channels).
        kernel: (*window, channels, multiplier).
    Returns:
        (batch, *out_spatial, channels * multiplier), channel c's outputs
        at c * multiplier + m.
    """
    _check(inputs, kernel, "depthwise_conv")
    ks = shape_of(plain(kernel))
    flat = reshape(kernel, tuple(ks[:-2]) + (1, ks[-2] * ks[-1]))
    return conv(inputs, flat, strides, padding, data_format, dilation_rate)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1,
                   padding="valid", data_format=None, dilation_rate=1):
    """depthwise_conv followed by a 1x1 conv with pointwise_kernel
    (*ones, channels * multiplier, filters)."""
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding,
                       data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, 1)


# ---- transposed convolution -------------------------------------------------

def _transpose_pads(windows, strides, dilations, padding, output_padding):
    """(left, right) padding of the strided input, as Keras gives JAX."""
    pads = []
    for i, (k, s, d) in enumerate(zip(windows, strides, dilations)):
        op = None if output_padding is None else output_padding[i]
        kd = (k - 1) * d + 1
        if padding.lower() == "valid":
            op = max(kd, s) - kd if op is None else op
            pads.append((kd - 1, kd - 1 + op))
        elif padding.lower() == "same":
            total = s + kd - 2 if op is None else kd + kd % 2 - 2 + op
            left = min(total // 2 + total % 2, kd - 1)
            pads.append((left, total - left))
        else:
            raise ValueError(f"padding must be 'valid' or 'same', received "
                             f"{padding!r}")
    return tuple(pads)


def _conv_transpose_geometry(in_sizes, windows, strides, dilations, pads):
    """(buffer sizes of the full scatter, offset into it, output sizes)."""
    buf, lo_, out = [], [], []
    for n, k, s, d, (left, right) in zip(in_sizes, windows, strides,
                                         dilations, pads):
        kd = (k - 1) * d + 1
        buf.append((n - 1) * s + kd)
        lo_.append(kd - 1 - left)
        out.append((n - 1) * s + 1 + left + right - kd + 1)
    return tuple(buf), tuple(lo_), tuple(out)


def _place(buf, lows, out_sizes):
    """The output window [lo, lo + out) of buf, zero beyond its end."""
    n, c = buf.shape[0], buf.shape[-1]
    out = np.zeros((n,) + tuple(out_sizes) + (c,), buf.dtype)
    src, dst = [slice(None)], [slice(None)]
    for lo, size, b in zip(lows, out_sizes, buf.shape[1:-1]):
        start, stop = lo, min(lo + size, b)
        src.append(slice(start, max(stop, start)))
        dst.append(slice(0, max(stop - start, 0)))
    out[tuple(dst) + (slice(None),)] = buf[tuple(src) + (slice(None),)]
    return out


def _conv_transpose_core_vjp(g, out, y, kernel, strides, dilations, pads):
    y, k = np.asarray(y), np.asarray(kernel)
    windows = k.shape[:-2]
    buf_sizes, lows, out_sizes = _conv_transpose_geometry(
        y.shape[1:-1], windows, strides, dilations, pads)
    ext = np.zeros((g.shape[0],) + buf_sizes + (g.shape[-1],), g.dtype)
    src, dst = [slice(None)], [slice(None)]
    for lo, size, b in zip(lows, out_sizes, buf_sizes):
        stop = min(lo + size, b)
        dst.append(slice(lo, max(stop, lo)))
        src.append(slice(0, max(stop - lo, 0)))
    ext[tuple(dst) + (slice(None),)] = g[tuple(src) + (slice(None),)]
    kk = k.astype(g.dtype, copy=False)
    # k (*K, out_channels, in_channels) maps out_channels -> in_channels.
    dy = _gather(ext, kk, strides, dilations, 1)
    dk = _kernel_grad(ext, y.astype(g.dtype, copy=False), k.shape, strides,
                      dilations, 1)
    return dy.astype(y.dtype, copy=False), dk.astype(k.dtype, copy=False)


@differentiable(_conv_transpose_core_vjp)
def _conv_transpose_core(y, kernel, strides, dilations, pads):
    y, k = convert_to_array(y), convert_to_array(kernel)
    dtype = result_type(y.dtype, k.dtype)
    if dtype.kind != "f":
        dtype = np.dtype("float32")
    windows = k.shape[:-2]
    buf_sizes, lows, out_sizes = _conv_transpose_geometry(
        y.shape[1:-1], windows, strides, dilations, pads)
    # k (*K, out_channels, in_channels) is the kernel of the convolution
    # this op is the adjoint of (out_channels -> in_channels).
    buf = _scatter(y.astype(dtype, copy=False), k.astype(dtype, copy=False),
                   strides, dilations, 1, buf_sizes)
    return _place(buf, lows, out_sizes)


def conv_transpose(inputs, kernel, strides=1, padding="valid",
                   output_padding=None, data_format=None, dilation_rate=1):
    """Transposed convolution (the adjoint of conv), as Keras 3 sizes it.

    Args:
        inputs: (batch, *spatial, in_channels).
        kernel: (*window, out_channels, in_channels).
        strides, dilation_rate: an int or one per spatial axis.
        padding: "valid" ((n - 1) * s + max(k, s)) or "same" (n * s).
        output_padding: extra size per spatial axis, or None.
    Returns:
        (batch, *out_spatial, out_channels).
    """
    rank = _check(inputs, kernel, "conv_transpose")
    fmt = _data_format(data_format)
    x = _to_last(inputs, fmt)
    ks = shape_of(plain(kernel))
    if shape_of(plain(x))[-1] != ks[-1]:
        raise ValueError(
            f"conv_transpose: the input channels ({shape_of(plain(x))[-1]})"
            f" must equal the kernel's last axis ({ks[-1]})")
    strides = _tuple(strides, rank, "strides")
    dilations = _tuple(dilation_rate, rank, "dilation_rate")
    if output_padding is not None:
        output_padding = _tuple(output_padding, rank, "output_padding")
    pads = _transpose_pads(ks[:-2], strides, dilations, padding,
                           output_padding)
    y = _conv_transpose_core(x, kernel, strides, dilations, pads)
    return _from_last(y, fmt)


# ---- pooling ----------------------------------------------------------------

def _pool_setup(inputs, pool_size, strides, padding, data_format, name):
    nd = ndim_of(plain(inputs))
    if nd not in (3, 4, 5):
        raise ValueError(f"{name}: inputs must be 3-D, 4-D or 5-D, received "
                         f"shape {shape_of(plain(inputs))}")
    rank = nd - 2
    window = _tuple(pool_size, rank, "pool_size")
    strides = window if strides is None else _tuple(strides, rank,
                                                    "strides")
    fmt = _data_format(data_format)
    x = _to_last(inputs, fmt)
    pads = _pads(padding, shape_of(plain(x))[1:-1], window, strides,
                 (1,) * rank)
    return x, window, strides, pads, fmt


def _max_pool_core_vjp(g, out, x, window, strides, pads):
    x = np.asarray(x)
    xp = np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),),
                constant_values=-np.inf if x.dtype.kind == "f" else
                np.iinfo(x.dtype).min)
    out_sizes = out.shape[1:-1]
    dxp = np.zeros(xp.shape, g.dtype)
    taken = np.zeros(out.shape, bool)
    ones = (1,) * len(window)
    for offset in itertools.product(*[range(w) for w in window]):
        sl = _window_slice(offset, strides, ones, out_sizes)
        hit = (xp[sl] == out) & ~taken
        taken |= hit
        dxp[sl] += np.where(hit, g, 0)
    crop = _unpad_index(pads, x.shape[1:-1])
    return (dxp[crop],)


@differentiable(_max_pool_core_vjp)
def _max_pool_core(x, window, strides, pads):
    x = convert_to_array(x)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=fill)
    out_sizes = _out_sizes(xp.shape[1:-1], window, strides, (1,) * len(window))
    out = None
    ones = (1,) * len(window)
    for offset in itertools.product(*[range(w) for w in window]):
        piece = xp[_window_slice(offset, strides, ones, out_sizes)]
        out = piece.copy() if out is None else np.maximum(out, piece, out=out)
    return out


def _avg_counts(shape, window, strides, pads):
    ones = np.ones((1,) + tuple(shape) + (1,), np.float64)
    op = np.pad(ones, ((0, 0),) + tuple(pads) + ((0, 0),))
    out_sizes = _out_sizes(op.shape[1:-1], window, strides, (1,) * len(window))
    count = np.zeros((1,) + out_sizes + (1,))
    for offset in itertools.product(*[range(w) for w in window]):
        count += op[_window_slice(offset, strides, (1,) * len(window),
                                  out_sizes)]
    return count


def _avg_pool_core_vjp(g, out, x, window, strides, pads):
    x = np.asarray(x)
    count = _avg_counts(x.shape[1:-1], window, strides, pads)
    share = (g / count).astype(g.dtype)
    sizes = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], pads))
    dxp = np.zeros((x.shape[0],) + sizes + (x.shape[-1],), g.dtype)
    ones = (1,) * len(window)
    for offset in itertools.product(*[range(w) for w in window]):
        dxp[_window_slice(offset, strides, ones, out.shape[1:-1])] += share
    crop = _unpad_index(pads, x.shape[1:-1])
    return (dxp[crop],)


@differentiable(_avg_pool_core_vjp)
def _avg_pool_core(x, window, strides, pads):
    x = convert_to_array(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype("float32")
    xp = np.pad(x.astype(dtype, copy=False), ((0, 0),) + tuple(pads) +
                ((0, 0),))
    out_sizes = _out_sizes(xp.shape[1:-1], window, strides, (1,) * len(window))
    total = np.zeros((x.shape[0],) + out_sizes + (x.shape[-1],), dtype)
    ones = (1,) * len(window)
    for offset in itertools.product(*[range(w) for w in window]):
        total += xp[_window_slice(offset, strides, ones, out_sizes)]
    count = _avg_counts(x.shape[1:-1], window, strides, pads)
    return (total / count).astype(dtype)


def max_pool(inputs, pool_size, strides=None, padding="valid",
             data_format=None):
    """The maximum over windows of `pool_size` (strides default to it).

    Args:
        inputs: (batch, *spatial, channels), 1 to 3 spatial axes.
        padding: "valid" or "same" (padding never wins the maximum).
    Returns:
        (batch, *out_spatial, channels).
    """
    x, window, strides, pads, fmt = _pool_setup(
        inputs, pool_size, strides, padding, data_format, "max_pool")
    return _from_last(_max_pool_core(x, window, strides, pads), fmt)


def average_pool(inputs, pool_size, strides=None, padding="valid",
                 data_format=None):
    """The mean over windows of `pool_size`; with "same" padding each
    window averages only its positions inside the input."""
    x, window, strides, pads, fmt = _pool_setup(
        inputs, pool_size, strides, padding, data_format, "average_pool")
    return _from_last(_avg_pool_core(x, window, strides, pads), fmt)
