"""keras.quantizers' functions on numpy arrays: abs-max int quantization
(per axis, or grouped with a zero point), fake quantization with min/max
ranges, float8 scaling and quantize-dequantize, and int4 nibble packing."""
import math

import numpy as np

_EPSILON = 1e-7     # Keras's backend.epsilon()

# float8 formats: (mantissa bits, smallest normal exponent, largest value)
_FLOAT8 = {"float8_e4m3fn": (3, -6, 448.0), "float8_e5m2": (2, -14, 57344.0)}


def _float_dtype(x):
    x = np.asarray(x)
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def abs_max_quantize(inputs, axis, value_range=(-127, 127), dtype="int8",
                     epsilon=_EPSILON, to_numpy=False):
    """Symmetric quantization by the absolute maximum along `axis`.

    scale = value_range[1] / (max |x| along axis + epsilon) (kept dims);
    q = clip(round(x * scale), *value_range) cast to `dtype`.

    Args:
        inputs: a float array.
        axis: the axis (or axes) reduced to compute each scale.
        value_range: (min, max) of the quantized values.
        dtype: the quantized dtype.
        epsilon: added to the maximum to avoid dividing by zero.
        to_numpy: accepted for Keras's signature (seqcore is numpy).
    Returns:
        (quantized array, scale in the input's float dtype).
    """
    x = np.asarray(inputs)
    float_dtype = _float_dtype(x)
    x = x.astype(float_dtype, copy=False)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    peak = np.max(np.abs(x), axis=axis, keepdims=True)
    scale = (value_range[1] / (peak + float_dtype.type(epsilon))).astype(
        float_dtype)
    quantized = np.clip(np.round(x * scale), value_range[0], value_range[1])
    return quantized.astype(dtype), scale


def abs_max_quantize_grouped_with_zero_point(inputs, block_size,
                                             value_range=(-8, 7),
                                             dtype="int8", epsilon=_EPSILON,
                                             to_numpy=False):
    """Asymmetric quantization of a 2-D array by groups of `block_size`
    rows: each group and column gets a scale and a zero point.

    Args:
        inputs: `(input_dim, output_dim)` floats.
        block_size: rows per group (the last group is zero-padded).
        value_range: (qmin, qmax).
        dtype: the quantized dtype.
        epsilon: added to each group's range.
        to_numpy: accepted for Keras's signature.
    Returns:
        (quantized `(input_dim, output_dim)`, scale `(groups, output_dim)`,
        zero point `(groups, output_dim)` int8).
    """
    x = np.asarray(inputs)
    if x.ndim != 2:
        raise ValueError(f"abs_max_quantize_grouped_with_zero_point expects "
                         f"a 2-D array (input_dim, output_dim); received "
                         f"shape {x.shape}")
    float_dtype = _float_dtype(x)
    x = x.astype(float_dtype, copy=False)
    rows, cols = x.shape
    groups = math.ceil(rows / block_size)
    qmin, qmax = value_range
    padded = np.zeros((groups * block_size, cols), float_dtype)
    padded[:rows] = x
    blocks = padded.reshape(groups, block_size, cols)
    low = blocks.min(axis=1, keepdims=True)
    high = blocks.max(axis=1, keepdims=True)
    scale = ((high - low) + float_dtype.type(epsilon)) / float_dtype.type(
        qmax - qmin)
    zero = np.clip(np.round(-low / scale) + qmin, qmin, qmax)
    quantized = np.clip(np.round(blocks / scale) + zero, qmin, qmax)
    quantized = quantized.astype(dtype).reshape(-1, cols)[:rows]
    return (quantized, scale[:, 0].astype(float_dtype),
            zero[:, 0].astype("int8"))


def _nudge(min_range, max_range, num_bits, narrow_range):
    """(nudged min, nudged max, scale, 1 / scale) of a [min, max] range
    so that zero is exactly representable."""
    quant_max = (1 << num_bits) - 1
    quant_min = 1 if narrow_range else 0
    span = max_range - min_range
    scale = span / (quant_max - quant_min)
    inv_scale = (quant_max - quant_min) / span
    zero = np.round(np.clip(quant_min - min_range / scale, quant_min,
                            quant_max))
    return ((quant_min - zero) * scale, (quant_max - zero) * scale, scale,
            inv_scale)


def fake_quant_with_min_max_vars(inputs, min_vals, max_vals, num_bits=8,
                                 narrow_range=False, axis=None):
    """Quantize to `num_bits` levels in [min_vals, max_vals] (nudged so
    that zero is exact) and back to floats.

    Args:
        inputs: a float array.
        min_vals, max_vals: scalars, or per-channel arrays along the last
            axis.
        num_bits: the bit width (levels 0..2**num_bits - 1).
        narrow_range: use levels 1..2**num_bits - 1.
        axis: the channel axis of per-channel ranges, or None.
    Returns:
        An array of the input's shape and float dtype.
    """
    x = np.asarray(inputs)
    dtype = _float_dtype(x)
    if axis is not None:
        axis = axis % x.ndim
    low = np.asarray(min_vals, np.float32)
    high = np.asarray(max_vals, np.float32)
    nudged_min, nudged_max, scale, inv_scale = _nudge(
        low, high, int(num_bits), narrow_range)
    quant_zero = np.floor(-nudged_min * inv_scale + 0.5)
    clamped = np.clip(x.astype(np.float32), nudged_min, nudged_max)
    result = np.floor((clamped - nudged_min) * inv_scale - quant_zero +
                      0.5) * scale
    return result.astype(dtype)


def compute_float8_scale(amax, scale, dtype_max, margin=0):
    """The new float8 scale from the running absolute maximum: 1 / ((
    dtype_max / amax) / 2**margin), or the old scale when amax is zero or
    not finite."""
    amax = np.asarray(amax)
    scale = np.asarray(scale)
    old = 1.0 / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = (dtype_max / amax) / (2 ** margin)
    factor = np.where(amax > 0.0, factor, old)
    factor = np.where(np.isfinite(amax), factor, old)
    return (1.0 / factor).astype(_float_dtype(scale))


def compute_float8_amax_history(x, amax_history):
    """The history rolled by one with max |x| as its first entry."""
    history = np.asarray(amax_history)
    new = np.roll(history, -1)
    new[0] = np.max(np.abs(np.asarray(x))).astype(history.dtype)
    return new


def _to_float8(x, name):
    """x (already within the format's range) rounded to the nearest float8
    value (ties to even), as float64."""
    mantissa, min_exponent, _ = _FLOAT8[name]
    x = np.asarray(x, np.float64)
    magnitude = np.abs(x)
    with np.errstate(divide="ignore"):
        exponent = np.floor(np.log2(np.where(magnitude > 0, magnitude, 1.0)))
    exponent = np.maximum(exponent, min_exponent)
    step = np.exp2(exponent - mantissa)
    return np.where(np.isfinite(x), np.round(x / step) * step, x)


def quantize_and_dequantize(inputs, scale, quantized_dtype, compute_dtype):
    """x / scale clipped to the float8 range, rounded to float8, times
    scale, in `compute_dtype`.

    Args:
        inputs: a float array.
        scale: the scale (scalar or broadcastable).
        quantized_dtype: 'float8_e4m3fn' or 'float8_e5m2'.
        compute_dtype: the float dtype of the computation and result.
    """
    name = getattr(quantized_dtype, "name", str(quantized_dtype))
    if name not in _FLOAT8:
        raise ValueError(f"quantize_and_dequantize: quantized_dtype must be "
                         f"one of {sorted(_FLOAT8)}; received "
                         f"{quantized_dtype!r}")
    compute = np.dtype(compute_dtype)
    top = compute.type(_FLOAT8[name][2])
    x = np.asarray(inputs).astype(compute) / np.asarray(scale).astype(
        compute)
    x = np.clip(x, -top, top)
    x = _to_float8(x, name).astype(compute)
    return (x * np.asarray(scale).astype(compute)).astype(compute)


def _check_int4_dtype(dtype):
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got "
                         f"'{dtype}'.")


def pack_int4(arr, axis=0, dtype="int8"):
    """Pack int4 values (in an int8 or uint8 array) two per byte along
    `axis` (low nibble first; an odd length is zero-padded).

    Returns:
        (packed array, its shape, the original length of `axis`).
    """
    _check_int4_dtype(dtype)
    arr = np.asarray(arr)
    if arr.dtype.name != dtype:
        raise TypeError(f"Expected {dtype} tensor for packing, got "
                        f"{arr.dtype.name}.")
    axis = axis % arr.ndim
    front = np.moveaxis(arr, axis, 0)
    length = front.shape[0]
    if length % 2:
        front = np.concatenate([front, np.zeros((1,) + front.shape[1:],
                                                front.dtype)])
    low = front[0::2].astype(np.uint8) & 0x0F
    high = front[1::2].astype(np.uint8) & 0x0F
    packed = (low | (high << 4)).astype(np.uint8).view(dtype)
    packed = np.moveaxis(packed, 0, axis)
    return packed, tuple(packed.shape), length


def unpack_int4(packed, orig_len, axis=0, dtype="int8"):
    """The int4 values of `pack_int4`'s output, `orig_len` of them along
    `axis`, as `dtype` (int8: signed values in [-8, 7])."""
    _check_int4_dtype(dtype)
    packed = np.asarray(packed)
    if packed.dtype.name not in ("int8", "uint8"):
        raise TypeError(f"Expected int8 or uint8 tensor for unpacking, got "
                        f"{packed.dtype}")
    axis = axis % packed.ndim
    front = np.moveaxis(packed, axis, 0).view(np.uint8)
    low = (front & 0x0F).astype(np.int16)
    high = ((front >> 4) & 0x0F).astype(np.int16)
    if dtype == "int8":
        low, high = (low ^ 8) - 8, (high ^ 8) - 8
    both = np.stack([low, high], axis=1).reshape((-1,) + front.shape[1:])
    return np.moveaxis(both[:orig_len].astype(dtype), 0, axis)
