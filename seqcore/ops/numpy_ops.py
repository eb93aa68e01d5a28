"""Elementwise and reduction ops (keras.ops names and arguments) on numpy
arrays, with Keras 3's result dtypes: what custom losses and metrics use."""
import numpy as np

from seqcore.ops.dtypes import FLOATX, convert_to_array, result_type


def _float(x):
    """x in a float dtype: integers and booleans become float32."""
    return x if x.dtype.kind == "f" else x.astype(FLOATX)


def _reduced(values, like):
    return np.asarray(values).astype(like, copy=False)


def convert_to_tensor(x, dtype=None):
    x = convert_to_array(x)
    return x if dtype is None else x.astype(dtype)


def cast(x, dtype):
    return convert_to_array(x).astype(dtype)


# ---- elementwise ---------------------------------------------------------------

def abs(x):  # noqa: A001 - keras.ops.abs
    return np.abs(convert_to_array(x))


absolute = abs


def square(x):
    x = convert_to_array(x)
    return np.square(x.astype(np.int32) if x.dtype == bool else x)


def sqrt(x):
    return np.sqrt(_float(convert_to_array(x)))


def exp(x):
    return np.exp(_float(convert_to_array(x)))


def log(x):
    return np.log(_float(convert_to_array(x)))


def negative(x):
    return np.negative(convert_to_array(x))


def sign(x):
    return np.sign(convert_to_array(x))


def _binary(fn, x1, x2):
    a, b = convert_to_array(x1), convert_to_array(x2)
    dtype = result_type(a.dtype, b.dtype)
    return fn(a, b).astype(dtype, copy=False)


def add(x1, x2):
    return _binary(np.add, x1, x2)


def subtract(x1, x2):
    return _binary(np.subtract, x1, x2)


def multiply(x1, x2):
    return _binary(np.multiply, x1, x2)


def divide(x1, x2):
    a, b = convert_to_array(x1), convert_to_array(x2)
    dtype = result_type(a.dtype, b.dtype, FLOATX)
    return np.divide(a, b).astype(dtype, copy=False)


def maximum(x1, x2):
    return _binary(np.maximum, x1, x2)


def minimum(x1, x2):
    return _binary(np.minimum, x1, x2)


def clip(x, x_min, x_max):
    x = convert_to_array(x)
    return np.clip(x, x_min, x_max).astype(x.dtype, copy=False)


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return np.nonzero(convert_to_array(condition))
    return _binary(lambda a, b: np.where(convert_to_array(condition), a, b),
                   x1, x2)


def equal(x1, x2):
    return np.equal(convert_to_array(x1), convert_to_array(x2))


def not_equal(x1, x2):
    return np.not_equal(convert_to_array(x1), convert_to_array(x2))


def greater(x1, x2):
    return np.greater(convert_to_array(x1), convert_to_array(x2))


def greater_equal(x1, x2):
    return np.greater_equal(convert_to_array(x1), convert_to_array(x2))


def less(x1, x2):
    return np.less(convert_to_array(x1), convert_to_array(x2))


def less_equal(x1, x2):
    return np.less_equal(convert_to_array(x1), convert_to_array(x2))


# ---- reductions ---------------------------------------------------------------

def mean(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    out_dtype = x.dtype if x.dtype.kind == "f" else FLOATX
    return _reduced(np.mean(x, axis=axis, keepdims=keepdims,
                            dtype=result_type(x.dtype, FLOATX)), out_dtype)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops.sum
    x = convert_to_array(x)
    dtype = np.int32 if x.dtype == bool else x.dtype
    return _reduced(np.sum(x, axis=axis, keepdims=keepdims), dtype)


def prod(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    return _reduced(np.prod(x, axis=axis, keepdims=keepdims), x.dtype)


def max(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops.max
    x = convert_to_array(x)
    return _reduced(np.max(x, axis=axis, keepdims=keepdims), x.dtype)


def min(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops.min
    x = convert_to_array(x)
    return _reduced(np.min(x, axis=axis, keepdims=keepdims), x.dtype)


def var(x, axis=None, keepdims=False):
    x = _float(convert_to_array(x))
    return _reduced(np.var(x, axis=axis, keepdims=keepdims), x.dtype)


def std(x, axis=None, keepdims=False):
    x = _float(convert_to_array(x))
    return _reduced(np.std(x, axis=axis, keepdims=keepdims), x.dtype)


def argmax(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    return _reduced(np.argmax(x, axis=axis, keepdims=keepdims), np.int32)


def argmin(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    return _reduced(np.argmin(x, axis=axis, keepdims=keepdims), np.int32)


# ---- shapes -----------------------------------------------------------------

def reshape(x, newshape):
    return np.reshape(convert_to_array(x), newshape)


def transpose(x, axes=None):
    return np.transpose(convert_to_array(x), axes)


def expand_dims(x, axis):
    return np.expand_dims(convert_to_array(x), axis)


def squeeze(x, axis=None):
    return np.squeeze(convert_to_array(x), axis)


def concatenate(xs, axis=0):
    return np.concatenate([convert_to_array(x) for x in xs], axis=axis)


def stack(x, axis=0):
    return np.stack([convert_to_array(v) for v in x], axis=axis)


def shape(x):
    return tuple(convert_to_array(x).shape)
