"""What seqcore's preprocessing layers share: image layouts, input
conversion for integer and string data, and the random generator of the
augmentation layers."""
import numbers

import numpy as np

from seqcore.config import standardize_data_format
from seqcore import random as sc_random


def image_format(layer, value):
    """'channels_last' or 'channels_first' (None: the configured default)."""
    return standardize_data_format(value, layer)


def image_axes(fmt, ndim):
    """(height axis, width axis) of a rank-3 image or rank-4 batch."""
    if ndim not in (3, 4):
        raise ValueError(f"Expected an image (height, width, channels) or a "
                         f"batch of images (rank 3 or 4); received rank "
                         f"{ndim}")
    return (ndim - 2, ndim - 1) if fmt == "channels_first" \
        else (ndim - 3, ndim - 2)


def positive_int(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive integer, "
                         f"received {name}={value!r}")
    return int(value)


def as_ints(layer, inputs):
    """Integer data as an int64 array; whole floats are accepted."""
    data = np.asarray(inputs)
    if data.dtype.kind in "iu":
        return data.astype(np.int64, copy=False)
    if data.dtype.kind in "fb":
        as_int = data.astype(np.int64)
        if np.array_equal(as_int, data):
            return as_int
    raise ValueError(f"{layer}: expected integer inputs, received an array "
                     f"of dtype {data.dtype}")


def as_strings(layer, inputs):
    """String data as a numpy array of Python str (bytes decoded)."""
    data = np.asarray(inputs, dtype=object)
    flat = data.reshape(-1)
    for i, value in enumerate(flat):
        if isinstance(value, bytes):
            flat[i] = value.decode("utf-8")
        elif not isinstance(value, str):
            raise ValueError(f"{layer}: expected string inputs, received "
                             f"{type(value).__name__} {value!r}")
    return data


class SeededRandom:
    """A layer's random stream: its own generator for an int seed, else
    seqcore's global one (reseeded by utils.set_random_seed)."""

    def __init__(self, seed):
        self.seed = seed
        self._rng = sc_random.generator(seed) if seed is not None else None

    def get(self):
        return self._rng or sc_random.generator()
