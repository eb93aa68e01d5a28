"""keras.ops.nn beyond the kernel activations of nn.py: the other
activations (celu, glu, sparsemax, ...), one_hot/multi_hot, the
cross-entropies, moments, batch/layer/RMS normalization, normalize,
dot_product_attention, psnr, depth_to_space/space_to_depth. All are
composed of recorded seqcore ops, so their gradients come from those
ops' vector-Jacobian products."""
import math

import numpy as np

from seqcore.ops._meta import ndim_of, shape_of

from seqcore.engine.tape import constant, plain
from seqcore.ops import numpy_ops as npo
from seqcore.ops.dtypes import FLOATX, convert_to_array
from seqcore.ops.nn import sigmoid, softmax, softplus, tanh, log_softmax


def _eps():
    from seqcore import backend
    return backend.epsilon()


def _dtype_of(x):
    return convert_to_array(plain(x)).dtype


def _zero(x):
    return np.zeros((), _dtype_of(x))


# ---- activations ------------------------------------------------------------

def sparse_sigmoid(x):
    """0 for x <= -1, 1 for x >= 1, (x + 1) / 2 between."""
    return npo.clip(npo.multiply(npo.add(x, 1.0), 0.5), 0.0, 1.0)


def soft_shrink(x, threshold=0.5):
    """x - threshold above it, x + threshold below -threshold, else 0."""
    return npo.where(npo.greater(x, threshold), npo.subtract(x, threshold),
                     npo.where(npo.less(x, -threshold),
                               npo.add(x, threshold), _zero(x)))


def sparse_plus(x):
    """0 for x <= -1, x for x >= 1, (x + 1)**2 / 4 between."""
    inner = npo.multiply(npo.square(npo.add(x, 1.0)), 0.25)
    return npo.where(npo.less_equal(x, -1.0), _zero(x),
                     npo.where(npo.greater_equal(x, 1.0), x, inner))


def squareplus(x, b=4):
    """(x + sqrt(x**2 + b)) / 2."""
    return npo.multiply(npo.add(x, npo.sqrt(npo.add(npo.square(x), b))), 0.5)


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    return npo.add(npo.maximum(x, 0.0), npo.multiply(
        npo.expm1(npo.divide(npo.minimum(x, 0.0), alpha)), alpha))


def glu(x, axis=-1):
    """a * sigmoid(b), with a and b the two halves of x along `axis`."""
    from seqcore.ops.shape_ops import split
    n = shape_of(plain(x))[axis]
    if n % 2:
        raise ValueError(f"glu: axis {axis} must have an even size, "
                         f"received {n}")
    a, b = split(x, 2, axis=axis)
    return npo.multiply(a, sigmoid(b))


def tanh_shrink(x):
    """x - tanh(x)."""
    return npo.subtract(x, tanh(x))


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    return npo.clip(x, -1.0, 1.0)


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return npo.where(npo.greater(npo.abs(x), threshold), x, _zero(x))


def threshold(x, threshold, default_value):  # noqa: F811
    """x where x > threshold, else default_value."""
    return npo.where(npo.greater(x, threshold), x, default_value)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    return npo.negative(softplus(npo.negative(x)))


def sparsemax(x, axis=-1):
    """The Euclidean projection of x onto the probability simplex along
    `axis` (sparse probabilities)."""
    from seqcore.ops.math_ops import cumsum
    from seqcore.ops.sorting import sort
    from seqcore.ops.shape_ops import flip
    x_ = convert_to_array(plain(x))
    axis = axis % x_.ndim
    desc = flip(sort(x, axis=axis), axis)
    csum = cumsum(desc, axis=axis)
    shape = [1] * x_.ndim
    shape[axis] = -1
    r = np.arange(1, x_.shape[axis] + 1, dtype=x_.dtype).reshape(shape)
    support = npo.greater(npo.subtract(desc, npo.divide(
        npo.subtract(csum, 1.0), r)), 0.0)
    k = npo.sum(support, axis=axis, keepdims=True)
    # tau = (sum of the k largest - 1) / k. (Keras 3.15's JAX backend sums
    # the running sums instead, which is wrong as soon as k > 1; see
    # docs/ops.md.)
    tau = npo.divide(npo.subtract(npo.sum(npo.where(
        support, desc, _zero(x)), axis=axis, keepdims=True), 1.0),
        npo.cast(k, x_.dtype))
    return npo.maximum(npo.subtract(x, tau), 0.0)


# ---- encodings --------------------------------------------------------------

@constant
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Integer labels x as one-hot vectors of length num_classes on
    `axis` (float32 unless dtype; out-of-range labels give zeros)."""
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported (seqcore "
                         "has no sparse tensors)")
    x = np.asarray(x)
    if x.dtype.kind == "f":
        x = x.astype(np.int64)
    classes = np.arange(int(num_classes))
    out = (x[..., None] == classes).astype(np.dtype(dtype or FLOATX))
    if axis != -1 and axis != out.ndim - 1:
        out = np.moveaxis(out, -1, axis)
    return out


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False,
              **kwargs):
    """Rows of integer labels as multi-hot vectors (1 for each label
    present); float32 unless dtype."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("multi_hot: num_classes is required")
    x = np.asarray(plain(inputs))
    hot = one_hot(x.astype(np.int32), num_classes, axis=axis, dtype=dtype,
                  sparse=sparse)
    return np.max(hot, axis=1 if x.ndim > 1 else 0)


# ---- cross-entropies --------------------------------------------------------

def _same_shape(name, target, output):
    ts, os_ = shape_of(plain(target)), shape_of(plain(output))
    if ts != os_:
        raise ValueError(
            f"{name}: arguments `target` and `output` must have the same "
            f"shape. Received: target.shape={ts}, output.shape={os_}")


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise -(t log(p) + (1 - t) log(1 - p)), with p = output
    clipped to [epsilon, 1 - epsilon], or p = sigmoid(output) computed
    stably when from_logits."""
    _same_shape("binary_crossentropy", target, output)
    if from_logits:
        t = npo.convert_to_tensor(target)
        return npo.add(npo.multiply(t, softplus(npo.negative(output))),
                       npo.multiply(npo.subtract(1.0, t), softplus(output)))
    eps = _eps()
    p = npo.clip(output, eps, 1.0 - eps)
    bce = npo.add(npo.multiply(target, npo.log(p)),
                  npo.multiply(npo.subtract(1.0, target),
                               npo.log(npo.subtract(1.0, p))))
    return npo.negative(bce)


def _log_probabilities(output, from_logits, axis):
    if from_logits:
        return log_softmax(output, axis=axis)
    eps = _eps()
    p = npo.divide(output, npo.sum(output, axis=axis, keepdims=True))
    return npo.log(npo.clip(p, eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(p)) along `axis`: p = output normalized to sum 1
    and clipped to [epsilon, 1 - epsilon], or log_softmax(output) when
    from_logits."""
    _same_shape("categorical_crossentropy", target, output)
    if ndim_of(plain(target)) < 1:
        raise ValueError("categorical_crossentropy: arguments `target` and "
                         "`output` must be at least rank 1")
    log_p = _log_probabilities(output, from_logits, axis)
    return npo.negative(npo.sum(npo.multiply(target, log_p), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False,
                                    axis=-1):
    """-log(p[target]) with integer targets (a trailing axis of size 1 is
    dropped); p as in categorical_crossentropy."""
    t = np.asarray(plain(target)).astype(np.int32)
    out_shape = shape_of(plain(output))
    if t.ndim == len(out_shape) and t.shape[-1] == 1:
        t = t[..., 0]
    if len(out_shape) < 1:
        raise ValueError("sparse_categorical_crossentropy: argument "
                         "`output` must be at least rank 1")
    if t.shape != out_shape[:-1]:
        raise ValueError(
            f"sparse_categorical_crossentropy: arguments `target` and "
            f"`output` must have the same shape up until the last "
            f"dimension: target.shape={t.shape}, output.shape={out_shape}")
    log_p = _log_probabilities(output, from_logits, axis)
    hot = one_hot(t, out_shape[axis], axis=axis,
                  dtype=_dtype_of(output))
    return npo.negative(npo.sum(npo.multiply(hot, log_p), axis=axis))


# ---- statistics and normalization -------------------------------------------

def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of x over `axes`."""
    if synchronized:
        raise NotImplementedError("moments: synchronized=True needs "
                                  "several devices; seqcore runs on one")
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    dtype = _dtype_of(x)
    x32 = npo.cast(x, FLOATX) if dtype in (np.float16,) else x
    mean = npo.mean(x32, axis=axes, keepdims=True)
    variance = npo.mean(npo.square(npo.subtract(x32, mean)), axis=axes,
                        keepdims=True)
    if not keepdims:
        mean = npo.squeeze(mean, axes)
        variance = npo.squeeze(variance, axes)
    if x32 is not x:
        mean, variance = npo.cast(mean, dtype), npo.cast(variance, dtype)
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None,
                        epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, the 1-D
    statistics laid along `axis`."""
    shape = [1] * ndim_of(plain(x))
    shape[axis] = shape_of(plain(mean))[0]
    mean = npo.reshape(mean, shape)
    variance = npo.reshape(variance, shape)
    inv = npo.divide(1.0, npo.sqrt(npo.add(variance, epsilon)))
    if scale is not None:
        inv = npo.multiply(inv, npo.reshape(scale, shape))
    res = npo.multiply(npo.negative(mean), inv)
    if offset is not None:
        res = npo.add(res, npo.reshape(offset, shape))
    return npo.add(npo.multiply(x, inv), res)


def normalize(x, axis=-1, order=2, epsilon=None):
    """x / max(norm(x, order), epsilon) along `axis` (order an int >= 1)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. "
                         f"Received: order={order}")
    if epsilon is None:
        epsilon = _eps()
    if ndim_of(plain(x)) == 0:
        x = npo.expand_dims(x, 0)
    if order == 2:
        square_sum = npo.sum(npo.square(x), axis=axis, keepdims=True)
        inv = npo.minimum(npo.divide(1.0, npo.sqrt(square_sum)),
                          1.0 / epsilon)
        return npo.multiply(x, inv)
    from seqcore.ops.linalg_extra import norm
    return npo.divide(x, npo.maximum(norm(x, ord=order, axis=axis,
                                          keepdims=True), epsilon))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None,
                        **kwargs):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta over `axis` (or
    x / sqrt(var + epsilon) * gamma with rms_scaling=True)."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    if epsilon is None:
        epsilon = _eps()
    ndim = ndim_of(plain(x))
    axes = sorted(a % ndim for a in ([axis] if isinstance(axis, int)
                                     else axis))
    shape = [1] * ndim
    for a in axes:
        shape[a] = shape_of(plain(x))[a]

    def _b(v):
        if v is not None and ndim_of(plain(v)) != ndim and \
                axes != [ndim - 1]:
            return npo.reshape(v, shape)
        return v
    mean, var = moments(x, axes=axes, keepdims=True)
    inv = npo.divide(1.0, npo.sqrt(npo.add(var, epsilon)))
    if rms_scaling:
        out = npo.multiply(x, inv)
        return out if gamma is None else npo.multiply(out, _b(gamma))
    if gamma is not None:
        inv = npo.multiply(inv, _b(gamma))
    res = npo.multiply(npo.negative(mean), inv)
    if beta is not None:
        res = npo.add(res, _b(beta))
    return npo.add(npo.multiply(x, inv), res)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x**2) + epsilon) * scale over `axis`."""
    if epsilon is None:
        epsilon = _eps()
    if ndim_of(plain(x)) == 0:
        x = npo.expand_dims(x, 0)
    axis = tuple(sorted(axis)) if isinstance(axis, (list, tuple)) else axis
    rrms = npo.divide(1.0, npo.sqrt(npo.add(npo.mean(
        npo.square(x), axis=axis, keepdims=True), epsilon)))
    out = npo.multiply(x, rrms)
    return out if scale is None else npo.multiply(out, scale)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio: 20 log10(max_val) - 10 log10(mse)."""
    s1, s2 = shape_of(plain(x1)), shape_of(plain(x2))
    if s1 != s2:
        raise ValueError(f"Input shapes {s1} and {s2} must match for PSNR "
                         f"calculation.")
    from seqcore.ops.math_ops import log10
    mse = npo.mean(npo.square(npo.subtract(x1, x2)))
    return npo.subtract(20 * math.log10(float(max_val)),
                        npo.multiply(10.0, log10(mse)))


def dot_product_attention(query, key, value, bias=None, mask=None,
                          scale=None, is_causal=False, flash_attention=None,
                          attn_logits_soft_cap=None):
    """softmax(q k^T * scale + bias, masked) v per head.

    Args:
        query: (batch, T, heads, depth) (or without batch).
        key: (batch, S, kv_heads, depth); kv_heads divides heads.
        value: (batch, S, kv_heads, depth_v).
        bias: broadcastable to (batch, heads, T, S).
        mask: bool, broadcastable to (batch, heads, T, S); False is masked.
        scale: defaults to 1 / sqrt(depth).
        is_causal: mask the future (position t sees s <= t).
    Returns:
        (batch, T, heads, depth_v).
    """
    from seqcore.ops.linear_ops import einsum
    from seqcore.ops.shape_ops import repeat
    if flash_attention:
        raise ValueError("dot_product_attention: flash_attention=True needs "
                         "a GPU/TPU kernel; seqcore computes it directly "
                         "(use flash_attention=None or False)")
    unbatched = ndim_of(plain(query)) == 3
    if unbatched:
        query, key, value = (npo.expand_dims(t, 0)
                             for t in (query, key, value))
    heads, kv_heads = shape_of(plain(query))[2], shape_of(plain(key))[2]
    if heads != kv_heads:
        if heads % kv_heads:
            raise ValueError(f"dot_product_attention: the number of query "
                             f"heads ({heads}) must be a multiple of the "
                             f"key heads ({kv_heads})")
        key = repeat(key, heads // kv_heads, axis=2)
        value = repeat(value, heads // kv_heads, axis=2)
    depth = shape_of(plain(query))[-1]
    if scale is None:
        scale = 1.0 / math.sqrt(depth)
    logits = npo.multiply(einsum("BTNH,BSNH->BNTS", query, key),
                          np.asarray(scale, _dtype_of(query)))
    if attn_logits_soft_cap is not None:
        # Keras's documented soft cap: logits / (1 + |logits| / cap).
        cap = attn_logits_soft_cap
        logits = npo.divide(logits, npo.add(1.0, npo.divide(
            npo.abs(logits), cap)))
    if bias is not None:
        logits = npo.add(logits, bias)
    keep = None
    if mask is not None:
        keep = np.asarray(plain(mask)).astype(bool)
    if is_causal:
        t, s = shape_of(plain(logits))[2:]
        causal = np.tril(np.ones((t, s), bool))[None, None]
        keep = causal if keep is None else keep & causal
    if keep is not None:
        dtype = _dtype_of(logits)
        big = np.asarray(-0.7 * np.finfo(dtype).max, dtype)
        logits = npo.where(keep, logits, big)
    probs = softmax(logits, axis=-1)
    out = einsum("BNTS,BSNH->BTNH", probs, value)
    return npo.squeeze(out, 0) if unbatched else out


# ---- space/depth ------------------------------------------------------------

def depth_to_space(x, block_size, data_format="channels_last"):
    """(N, H, W, C) -> (N, H*b, W*b, C/b**2): depth moved into b x b
    spatial blocks (channels_first: (N, C, H, W))."""
    b = int(block_size)
    if data_format == "channels_last":
        n, h, w, c = shape_of(plain(x))
        y = npo.reshape(x, (n, h, w, b, b, c // (b * b)))
        y = npo.transpose(y, (0, 1, 3, 2, 4, 5))
        return npo.reshape(y, (n, h * b, w * b, c // (b * b)))
    n, c, h, w = shape_of(plain(x))
    y = npo.reshape(x, (n, b, b, c // (b * b), h, w))
    y = npo.transpose(y, (0, 3, 4, 1, 5, 2))
    return npo.reshape(y, (n, c // (b * b), h * b, w * b))


def space_to_depth(x, block_size, data_format="channels_last"):
    """(N, H, W, C) -> (N, H/b, W/b, C*b**2): b x b spatial blocks moved
    into depth (channels_first: (N, C, H, W))."""
    b = int(block_size)
    if data_format == "channels_last":
        n, h, w, c = shape_of(plain(x))
        y = npo.reshape(x, (n, h // b, b, w // b, b, c))
        y = npo.transpose(y, (0, 1, 3, 2, 4, 5))
        return npo.reshape(y, (n, h // b, w // b, c * b * b))
    n, c, h, w = shape_of(plain(x))
    y = npo.reshape(x, (n, c, h // b, b, w // b, b))
    y = npo.transpose(y, (0, 3, 5, 1, 2, 4))
    return npo.reshape(y, (n, c * b * b, h // b, w // b))


__all__ = [
    "batch_normalization", "binary_crossentropy",
    "categorical_crossentropy", "celu", "depth_to_space",
    "dot_product_attention", "glu", "hard_shrink", "hard_tanh",
    "layer_normalization", "log_sigmoid", "moments", "multi_hot",
    "normalize", "one_hot", "psnr", "rms_normalization", "soft_shrink",
    "space_to_depth", "sparse_categorical_crossentropy", "sparse_plus",
    "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold",
]
