"""Float64 numpy references of the convolutions of issue 16 (depthwise,
separable, transposed, grouped, 3-D), written independently of the
kernels: loops over taps and channel groups on the existing conv2d
reference, or a direct scatter for the transposed convolutions."""
import numpy as np

from tests import references as ref


def depthwise2d(x, k, bias=None, strides=(1, 1), dilation=(1, 1),
                padding="valid"):
    """x (n, h, w, c), k (kh, kw, c, mult) -> (n, oh, ow, c * mult): each
    channel convolved alone, output channel ch * mult + m."""
    c, mult = k.shape[2], k.shape[3]
    parts = [ref.conv2d(x[..., ch:ch + 1], k[:, :, ch:ch + 1, :],
                        strides=strides, dilation=dilation, padding=padding)
             for ch in range(c)]
    y = np.concatenate(parts, axis=-1)
    return y if bias is None else y + bias


def grouped_conv2d(x, k, groups, bias=None, strides=(1, 1),
                   dilation=(1, 1), padding="valid"):
    """x (n, h, w, c), k (kh, kw, c // groups, f) -> (n, oh, ow, f): group g
    of c // groups input channels feeds filters [g * f / groups, ...)."""
    cg, f = k.shape[2], k.shape[3]
    fg = f // groups
    parts = [ref.conv2d(x[..., g * cg:(g + 1) * cg],
                        k[..., g * fg:(g + 1) * fg], strides=strides,
                        dilation=dilation, padding=padding)
             for g in range(groups)]
    y = np.concatenate(parts, axis=-1)
    return y if bias is None else y + bias


def transpose_length(length, kernel, stride, dilation, padding,
                     output_padding):
    """Keras's output length of a transposed convolution along one axis."""
    eff = (kernel - 1) * dilation + 1
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(eff - stride, 0)
        return length * stride
    pad = 0 if padding == "valid" else eff // 2
    return (length - 1) * stride + eff - 2 * pad + output_padding


def transpose_crop(length, kernel, stride, dilation, padding,
                   output_padding):
    """Cells of the full scatter dropped before the output, as Keras's JAX
    backend pads its dilated input."""
    eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        return 0
    if output_padding is None:
        total = stride + eff - 2
    else:
        total = eff + eff % 2 - 2 + output_padding
    before = min(total // 2 + total % 2, eff - 1)
    return eff - 1 - before


def conv_transpose(x, k, bias=None, strides=None, dilation=None,
                   padding="valid", output_padding=None):
    """x (n, *spatial, c), k (*window, f, c) -> (n, *out_spatial, f) for any
    rank: every input pixel scatters x * k over its window, float64."""
    x = x.astype(np.float64)
    k = k.astype(np.float64)
    rank = x.ndim - 2
    strides = strides or (1,) * rank
    dilation = dilation or (1,) * rank
    output_padding = output_padding or (None,) * rank
    sizes = [transpose_length(x.shape[1 + a], k.shape[a], strides[a],
                              dilation[a], padding, output_padding[a])
             for a in range(rank)]
    crops = [transpose_crop(x.shape[1 + a], k.shape[a], strides[a],
                            dilation[a], padding, output_padding[a])
             for a in range(rank)]
    full = [max((x.shape[1 + a] - 1) * strides[a] +
                (k.shape[a] - 1) * dilation[a] + 1, crops[a] + sizes[a])
            for a in range(rank)]
    y = np.zeros((x.shape[0],) + tuple(full) + (k.shape[-2],))
    for tap in np.ndindex(*k.shape[:rank]):
        index = (slice(None),) + tuple(
            slice(tap[a] * dilation[a],
                  tap[a] * dilation[a] + (x.shape[1 + a] - 1) * strides[a]
                  + 1, strides[a]) for a in range(rank))
        y[index] += x @ k[tap].T
    index = (slice(None),) + tuple(slice(crops[a], crops[a] + sizes[a])
                                   for a in range(rank))
    y = y[index]
    return y if bias is None else y + bias


def conv3d(x, k, bias=None, strides=(1, 1, 1), dilation=(1, 1, 1),
           padding="valid", groups=1):
    """x (n, d, h, w, c), k (kd, kh, kw, c / groups, f) -> (n, od, oh, ow,
    f): a sum over the depth taps of 2-D (grouped) convolutions of depth
    slices, float64."""
    x = x.astype(np.float64)
    n, d, h, w, c = x.shape
    kd = k.shape[0]
    if padding == "same":
        before, after, _ = ref.same_padding(d, kd, strides[0], dilation[0])
        x = np.pad(x, ((0, 0), (before, after), (0, 0), (0, 0), (0, 0)))
    od = (x.shape[1] - (kd - 1) * dilation[0] - 1) // strides[0] + 1
    out = []
    for o in range(od):
        acc = 0
        for t in range(kd):
            acc = acc + grouped_conv2d(
                x[:, o * strides[0] + t * dilation[0]], k[t], groups,
                strides=strides[1:], dilation=dilation[1:], padding=padding)
        out.append(acc)
    y = np.stack(out, axis=1)
    return y if bias is None else y + bias


def pool3d(x, pool, strides, padding, mode):
    """Max or average pooling of x (n, d, h, w, c) over pool windows,
    padded cells ('same': TensorFlow's split) left out of both, float64."""
    x = x.astype(np.float64)
    starts, sizes = [], []
    for a in range(3):
        length = x.shape[1 + a]
        if padding == "same":
            before, _, out = ref.same_padding(length, pool[a], strides[a])
        else:
            before, out = 0, (length - pool[a]) // strides[a] + 1
        starts.append([o * strides[a] - before for o in range(out)])
        sizes.append(out)
    y = np.empty((x.shape[0],) + tuple(sizes) + (x.shape[-1],))
    for od, oh, ow in np.ndindex(*sizes):
        box = tuple(slice(max(starts[a][o], 0), starts[a][o] + pool[a])
                    for a, o in enumerate((od, oh, ow)))
        cells = x[(slice(None),) + box].reshape(x.shape[0], -1, x.shape[-1])
        y[:, od, oh, ow] = cells.max(axis=1) if mode == "max" \
            else cells.mean(axis=1)
    return y
