"""Array creation ops (keras.ops.ones, zeros, full, eye, arange, linspace,
*_like, identity, tri, tril, triu) with Keras 3's default dtypes: float32
(floatx) unless a dtype is given or, for arange, the arguments are
integers (int32). tril and triu are differentiable."""
import builtins

import numpy as np

from seqcore.engine.tape import constant, differentiable
from seqcore.ops.dtypes import FLOATX, convert_to_array


def _dtype(dtype, default=FLOATX):
    """A dtype argument (None, a name or a numpy dtype) as a numpy dtype."""
    if dtype is None:
        return np.dtype(default)
    if hasattr(dtype, "dtype") and not isinstance(dtype, type):
        return np.dtype(dtype.dtype)
    return np.dtype(dtype)


def _shape_arg(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def ones(shape, dtype=None):
    """Ones of `shape` (an int or a tuple); float32 unless `dtype`."""
    return np.ones(_shape_arg(shape), _dtype(dtype))


def zeros(shape, dtype=None):
    """Zeros of `shape`; float32 unless `dtype`."""
    return np.zeros(_shape_arg(shape), _dtype(dtype))


def empty(shape, dtype=None):
    """An array of `shape` (zero-filled here, as values are unspecified)."""
    return np.zeros(_shape_arg(shape), _dtype(dtype))


def full(shape, fill_value, dtype=None):
    """`fill_value` repeated to `shape`; float32 unless `dtype`."""
    from seqcore.engine.tape import plain
    return np.full(_shape_arg(shape), plain(fill_value), _dtype(dtype))


@constant
def ones_like(x, dtype=None):
    """Ones with the shape of x and its dtype unless `dtype`."""
    x = convert_to_array(x)
    return np.ones(x.shape, _dtype(dtype, x.dtype))


@constant
def zeros_like(x, dtype=None):
    """Zeros with the shape of x and its dtype unless `dtype`."""
    x = convert_to_array(x)
    return np.zeros(x.shape, _dtype(dtype, x.dtype))


@constant
def empty_like(x, dtype=None):
    """An array with x's shape (zero-filled) and its dtype unless `dtype`."""
    x = convert_to_array(x)
    return np.zeros(x.shape, _dtype(dtype, x.dtype))


@constant
def full_like(x, fill_value, dtype=None):
    """`fill_value` with the shape of x and its dtype unless `dtype`."""
    x = convert_to_array(x)
    return np.full(x.shape, fill_value, _dtype(dtype, x.dtype))


def eye(N, M=None, k=0, dtype=None):
    """(N, M) array with ones on diagonal k; float32 unless `dtype`."""
    return np.eye(int(N), None if M is None else int(M), int(k),
                  dtype=_dtype(dtype))


def identity(n, dtype=None):
    """The (n, n) identity; float32 unless `dtype`."""
    return np.eye(int(n), dtype=_dtype(dtype))


def tri(N, M=None, k=0, dtype=None):
    """(N, M) array with ones at and below diagonal k; float32 unless
    `dtype`."""
    return np.tri(int(N), None if M is None else int(M), int(k),
                  dtype=_dtype(dtype))


def _arange_dtype(values):
    kinds = []
    for v in values:
        if v is None:
            continue
        dtype = getattr(v, "dtype", None)
        if dtype is not None:
            kinds.append(np.dtype(dtype))
        elif isinstance(v, (bool, np.bool_)):
            kinds.append(np.dtype(bool))
        elif isinstance(v, (int, np.integer)):
            kinds.append(np.dtype("int32"))
        else:
            kinds.append(FLOATX)
    floats = [d for d in kinds if d.kind == "f"]
    if floats:
        return np.result_type(*floats)
    return np.dtype("int32")


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop) by `step` (numpy's rules for
    a single argument); int32 for integer arguments, else float32."""
    dtype = _arange_dtype([start, stop, step]) if dtype is None else \
        _dtype(dtype)
    step = 1 if step is None else step
    if stop is None:
        start, stop = 0, start
    return np.arange(start, stop, step).astype(dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None,
             axis=0):
    """`num` evenly spaced values from start to stop (float32 unless
    `dtype`); with retstep, (values, step)."""
    values, step = np.linspace(np.asarray(start, np.float64),
                               np.asarray(stop, np.float64), int(num),
                               endpoint=endpoint, retstep=True, axis=axis)
    values = values.astype(_dtype(dtype))
    if retstep:
        return values, np.asarray(step, _dtype(dtype))
    return values


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None,
             axis=0):
    """base ** linspace(start, stop, num): float32 unless `dtype`."""
    values = np.logspace(float(start), float(stop), int(num),
                         endpoint=endpoint, base=base, axis=axis)
    return values.astype(_dtype(dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values in geometric progression; float32 unless `dtype`."""
    values = np.geomspace(np.asarray(start, np.float64),
                          np.asarray(stop, np.float64), int(num),
                          endpoint=endpoint, axis=axis)
    return values.astype(_dtype(dtype))


def _band_vjp(keep):
    def vjp(g, out, x, k=0):
        return (keep(g, k),)
    return vjp


@differentiable(_band_vjp(np.tril))
def tril(x, k=0):
    """The lower triangle of the last two axes of x (at and below
    diagonal k), zeros elsewhere."""
    return np.tril(convert_to_array(x), k)


@differentiable(_band_vjp(np.triu))
def triu(x, k=0):
    """The upper triangle of the last two axes of x (at and above
    diagonal k), zeros elsewhere."""
    return np.triu(convert_to_array(x), k)


__all__ = [n for n in ("arange", "empty", "empty_like", "eye", "full",
                       "full_like", "geomspace", "identity", "linspace",
                       "logspace", "ones", "ones_like", "tri", "tril", "triu",
                       "zeros", "zeros_like") if n in globals()]
del builtins
