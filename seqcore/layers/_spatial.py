"""Helpers of the spatial reshaping layers (padding, cropping, upsampling):
argument normalisation in Keras's forms and the spatial axes of a layout."""
import numbers

import numpy as np

from seqcore.config import standardize_data_format


def data_format(layer, value):
    """'channels_last' or 'channels_first' (None: the configured default)."""
    return standardize_data_format(value, layer)


def spatial_axes(fmt, rank):
    """The spatial axes of an input of `rank` dims in layout `fmt`."""
    return tuple(range(2, rank)) if fmt == "channels_first" \
        else tuple(range(1, rank - 1))


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def pair(layer, name, value):
    """A non-negative int or 2 of them -> (before, after)."""
    if _is_int(value):
        value = (value, value)
    try:
        value = tuple(value)
    except TypeError:
        value = ()
    if len(value) != 2 or not all(_is_int(v) and v >= 0 for v in value):
        raise ValueError(f"{layer}: {name} must be a non-negative integer or "
                         f"a tuple of 2 of them, received {name}={value!r}")
    return tuple(int(v) for v in value)


def pairs(layer, name, value, n):
    """Keras's forms for n spatial axes: an int (same on every side), n
    ints (symmetric per axis), or n pairs -> n (before, after) tuples."""
    if _is_int(value):
        if value < 0:
            raise ValueError(f"{layer}: {name} cannot be negative, received "
                             f"{name}={value!r}")
        return ((int(value), int(value)),) * n
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    if len(items) != n:
        raise ValueError(f"{layer}: {name} should have {n} elements (an int, "
                         f"{n} ints or {n} pairs of ints), received "
                         f"{name}={value!r}")
    return tuple(pair(layer, f"entry {i} of {name}", item)
                 for i, item in enumerate(items))


def sizes(layer, name, value, n):
    """A positive int or n of them -> an n-tuple."""
    values = (value,) * n if _is_int(value) else value
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    if len(values) != n or not all(_is_int(v) and v > 0 for v in values):
        raise ValueError(f"{layer}: {name} must be a positive integer or a "
                         f"tuple of {n} of them, received {name}={value!r}")
    return tuple(int(v) for v in values)


def apply_along(x, matrix, axis):
    """x with `axis` mapped by matrix (out, in): y[..., o, ...] =
    sum_i matrix[o, i] x[..., i, ...]."""
    y = np.tensordot(x, matrix.astype(x.dtype), axes=([axis], [1]))
    return np.moveaxis(y, -1, axis)
