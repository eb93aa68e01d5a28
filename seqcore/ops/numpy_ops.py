"""Elementwise, reduction and shape ops (keras.ops names and arguments) on
numpy arrays, with Keras 3's result dtypes. Each differentiable op is
followed by its vector-Jacobian product `_<op>_vjp(g, out, *inputs,
**options)`, which returns one gradient per positional input; the tape
(seqcore/engine/tape.py) records ops only inside user code in training."""
import builtins

import numpy as np

from seqcore.engine.tape import constant, differentiable, unbroadcast
from seqcore.ops._factories import as_float as _float, no_grad_binary
from seqcore.ops.dtypes import FLOATX, convert_to_array, result_type


def _reduced(values, like):
    return np.asarray(values).astype(like, copy=False)


def _shape(x):
    return np.shape(x)


def _axes(axis, ndim):
    """A reduction's axis argument as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axis = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(sorted(a % ndim if ndim else 0 for a in axis))


def _expand_reduced(g, x_shape, axis, keepdims):
    """A reduction's gradient g, with the reduced axes put back (size 1)."""
    if not keepdims:
        for a in _axes(axis, len(x_shape)):
            g = np.expand_dims(g, a)
    return g


# ---- conversion ------------------------------------------------------------------

@differentiable(lambda g, out, x: (g,))
def _read_variable(x):
    return np.array(x, copy=True)


def convert_to_tensor(x, dtype=None):
    """x as an array (a traced value stays traced when no dtype is given;
    a trainable Variable read while training is recorded, so its gradient
    flows)."""
    from seqcore.engine.tape import active
    from seqcore.engine.traced import Traced
    from seqcore.engine.variables import Variable
    if isinstance(x, Variable) and active() is not None and \
            x.trainable and x.value.dtype.kind == "f":
        x = _read_variable(x)
    if type(x) is Traced and (dtype is None or np.dtype(dtype) == x.dtype):
        return x
    if type(x) is Traced:
        return cast(x, dtype)
    x = convert_to_array(np.asarray(x) if hasattr(x, "__array__") and
                         not isinstance(x, np.ndarray) else x)
    return x if dtype is None else x.astype(dtype)


def _cast_vjp(g, out, x, dtype):
    return (g.astype(x.dtype) if np.asarray(x).dtype.kind == "f" else None,)


@differentiable(_cast_vjp)
def cast(x, dtype):
    return convert_to_array(x).astype(dtype)


# ---- elementwise -----------------------------------------------------------------

def _abs_vjp(g, out, x):
    return (g * np.sign(x),)


@differentiable(_abs_vjp)
def abs(x):  # noqa: A001 - keras.ops.abs
    return np.abs(convert_to_array(x))


absolute = abs


def _square_vjp(g, out, x):
    return (g * (2 * x),)


@differentiable(_square_vjp)
def square(x):
    x = convert_to_array(x)
    return np.square(x.astype(np.int32) if x.dtype == bool else x)


def _sqrt_vjp(g, out, x):
    return (g / (2 * out),)


@differentiable(_sqrt_vjp)
def sqrt(x):
    return np.sqrt(_float(convert_to_array(x)))


def _exp_vjp(g, out, x):
    return (g * out,)


@differentiable(_exp_vjp)
def exp(x):
    return np.exp(_float(convert_to_array(x)))


def _log_vjp(g, out, x):
    return (g / x,)


@differentiable(_log_vjp)
def log(x):
    return np.log(_float(convert_to_array(x)))


def _log1p_vjp(g, out, x):
    return (g / (1 + x),)


@differentiable(_log1p_vjp)
def log1p(x):
    return np.log1p(_float(convert_to_array(x)))


def _expm1_vjp(g, out, x):
    return (g * (out + 1),)


@differentiable(_expm1_vjp)
def expm1(x):
    return np.expm1(_float(convert_to_array(x)))


def _sin_vjp(g, out, x):
    return (g * np.cos(x),)


@differentiable(_sin_vjp)
def sin(x):
    return np.sin(_float(convert_to_array(x)))


def _cos_vjp(g, out, x):
    return (-g * np.sin(x),)


@differentiable(_cos_vjp)
def cos(x):
    return np.cos(_float(convert_to_array(x)))


def _negative_vjp(g, out, x):
    return (-g,)


@differentiable(_negative_vjp)
def negative(x):
    return np.negative(convert_to_array(x))


@constant
def sign(x):
    return np.sign(convert_to_array(x))


def _binary(fn, x1, x2):
    if type(x1) is np.ndarray and type(x2) is np.ndarray and \
            x1.dtype == x2.dtype:
        return fn(x1, x2)              # the common case, without lookups
    a, b = convert_to_array(x1), convert_to_array(x2)
    dtype = result_type(a.dtype, b.dtype)
    return fn(a, b).astype(dtype, copy=False)


def _add_vjp(g, out, x1, x2):
    return unbroadcast(g, _shape(x1)), unbroadcast(g, _shape(x2))


@differentiable(_add_vjp)
def add(x1, x2):
    return _binary(np.add, x1, x2)


def _subtract_vjp(g, out, x1, x2):
    return unbroadcast(g, _shape(x1)), unbroadcast(-g, _shape(x2))


@differentiable(_subtract_vjp)
def subtract(x1, x2):
    return _binary(np.subtract, x1, x2)


def _multiply_vjp(g, out, x1, x2):
    return unbroadcast(g * x2, _shape(x1)), unbroadcast(g * x1, _shape(x2))


@differentiable(_multiply_vjp)
def multiply(x1, x2):
    return _binary(np.multiply, x1, x2)


def _divide_vjp(g, out, x1, x2):
    return (unbroadcast(g / x2, _shape(x1)),
            unbroadcast(-g * out / x2, _shape(x2)))


@differentiable(_divide_vjp)
def divide(x1, x2):
    a, b = convert_to_array(x1), convert_to_array(x2)
    dtype = result_type(a.dtype, b.dtype, FLOATX)
    return np.divide(a, b).astype(dtype, copy=False)


true_divide = divide


def _power_vjp(g, out, x1, x2):
    a = np.asarray(x1)
    gb = None
    if np.asarray(x2).dtype.kind == "f":
        safe = np.where(a > 0, a, 1)
        gb = unbroadcast(g * out * np.log(safe), _shape(x2))
    return unbroadcast(g * x2 * np.power(a, np.subtract(x2, 1)),
                       _shape(x1)), gb


@differentiable(_power_vjp)
def power(x1, x2):
    return _binary(np.power, x1, x2)


def _tie_split(x1, x2, pick):
    """Gradient shares of the two operands of maximum/minimum: all to the
    picked one, half each on ties (as JAX does)."""
    wins = pick(np.asarray(x1), np.asarray(x2)).astype(np.float32)
    ties = np.equal(x1, x2).astype(np.float32)
    share = wins + 0.5 * ties
    return share, 1 - share


def _pick_vjp(pick):
    """The gradient of maximum (pick=np.greater) or minimum (np.less)."""
    def vjp(g, out, x1, x2):
        s1, s2 = _tie_split(x1, x2, pick)
        return (unbroadcast(g * s1, _shape(x1)),
                unbroadcast(g * s2, _shape(x2)))
    return vjp


_maximum_vjp = _pick_vjp(np.greater)
_minimum_vjp = _pick_vjp(np.less)


@differentiable(_maximum_vjp)
def maximum(x1, x2):
    return _binary(np.maximum, x1, x2)


@differentiable(_minimum_vjp)
def minimum(x1, x2):
    return _binary(np.minimum, x1, x2)


def _clip_vjp(g, out, x, x_min, x_max):
    inside = (np.asarray(x) >= x_min) & (np.asarray(x) <= x_max)
    return (g * inside,)


@differentiable(_clip_vjp)
def clip(x, x_min, x_max):
    x = convert_to_array(x)
    return np.clip(x, x_min, x_max).astype(x.dtype, copy=False)


def _where_vjp(g, out, condition, x1, x2):
    c = np.asarray(condition).astype(bool)
    zero = np.zeros((), g.dtype)
    return (None, unbroadcast(np.where(c, g, zero), _shape(x1)),
            unbroadcast(np.where(c, zero, g), _shape(x2)))


@differentiable(_where_vjp)
def _where3(condition, x1, x2):
    return _binary(lambda a, b: np.where(convert_to_array(condition), a, b),
                   x1, x2)


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        from seqcore.engine.tape import plain
        return np.nonzero(convert_to_array(plain(condition)))
    return _where3(condition, x1, x2)


equal = no_grad_binary(np.equal, "x1 == x2, elementwise.")
not_equal = no_grad_binary(np.not_equal, "x1 != x2, elementwise.")
greater = no_grad_binary(np.greater, "x1 > x2, elementwise.")
greater_equal = no_grad_binary(np.greater_equal, "x1 >= x2, elementwise.")
less = no_grad_binary(np.less, "x1 < x2, elementwise.")
less_equal = no_grad_binary(np.less_equal, "x1 <= x2, elementwise.")


# ---- reductions --------------------------------------------------------------------

def _mean_vjp(g, out, x, axis=None, keepdims=False):
    shape = _shape(x)
    count = int(np.prod([shape[a] for a in _axes(axis, len(shape))]))
    g = _expand_reduced(g, shape, axis, keepdims)
    return (np.broadcast_to(g / count, shape),)


@differentiable(_mean_vjp)
def mean(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    out_dtype = x.dtype if x.dtype.kind == "f" else FLOATX
    return _reduced(np.mean(x, axis=axis, keepdims=keepdims,
                            dtype=result_type(x.dtype, FLOATX)), out_dtype)


def _sum_vjp(g, out, x, axis=None, keepdims=False):
    g = _expand_reduced(g, _shape(x), axis, keepdims)
    return (np.broadcast_to(g, _shape(x)),)


@differentiable(_sum_vjp)
def sum(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops.sum
    x = convert_to_array(x)
    dtype = np.int32 if x.dtype == bool else x.dtype
    return _reduced(np.sum(x, axis=axis, keepdims=keepdims), dtype)


def _prod_vjp(g, out, x, axis=None, keepdims=False):
    g = _expand_reduced(g, _shape(x), axis, keepdims)
    o = _expand_reduced(out, _shape(x), axis, keepdims)
    return (g * o / x,)


@differentiable(_prod_vjp)
def prod(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    return _reduced(np.prod(x, axis=axis, keepdims=keepdims), x.dtype)


def _extreme_vjp(g, out, x, axis=None, keepdims=False, initial=None):
    """max/min: the gradient shared equally by the positions that attain
    the extreme (as JAX does); none where `initial` won."""
    g = _expand_reduced(g, _shape(x), axis, keepdims)
    o = _expand_reduced(out, _shape(x), axis, keepdims)
    hits = (np.asarray(x) == o).astype(g.dtype)
    count = np.sum(hits, axis=_axes(axis, np.ndim(x)), keepdims=True)
    return (g * hits / np.maximum(count, 1),)


@differentiable(_extreme_vjp)
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """keras.ops.max; `initial` is the smallest value the result takes."""
    x = convert_to_array(x)
    kwargs = {} if initial is None else {"initial": initial}
    return _reduced(np.max(x, axis=axis, keepdims=keepdims, **kwargs),
                    x.dtype)


@differentiable(_extreme_vjp)
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """keras.ops.min; `initial` is the largest value the result takes."""
    x = convert_to_array(x)
    kwargs = {} if initial is None else {"initial": initial}
    return _reduced(np.min(x, axis=axis, keepdims=keepdims, **kwargs),
                    x.dtype)


def _var_vjp(g, out, x, axis=None, keepdims=False):
    shape = _shape(x)
    count = int(np.prod([shape[a] for a in _axes(axis, len(shape))]))
    g = _expand_reduced(g, shape, axis, keepdims)
    centered = x - np.mean(x, axis=axis, keepdims=True)
    return (g * 2 * centered / count,)


@differentiable(_var_vjp)
def var(x, axis=None, keepdims=False):
    x = _float(convert_to_array(x))
    return _reduced(np.var(x, axis=axis, keepdims=keepdims), x.dtype)


def _std_vjp(g, out, x, axis=None, keepdims=False):
    o = _expand_reduced(out, _shape(x), axis, keepdims)
    (gv,) = _var_vjp(g, out, x, axis, keepdims)
    return (gv / (2 * o),)


@differentiable(_std_vjp)
def std(x, axis=None, keepdims=False):
    x = _float(convert_to_array(x))
    return _reduced(np.std(x, axis=axis, keepdims=keepdims), x.dtype)


@constant
def argmax(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    return _reduced(np.argmax(x, axis=axis, keepdims=keepdims), np.int32)


@constant
def argmin(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    return _reduced(np.argmin(x, axis=axis, keepdims=keepdims), np.int32)


# ---- shapes --------------------------------------------------------------------

def _reshape_vjp(g, out, x, newshape):
    return (g.reshape(_shape(x)),)


@differentiable(_reshape_vjp)
def reshape(x, newshape):
    return np.reshape(convert_to_array(x), newshape)


def _transpose_vjp(g, out, x, axes=None):
    if axes is None:
        return (np.transpose(g),)
    return (np.transpose(g, np.argsort([a % g.ndim for a in axes])),)


@differentiable(_transpose_vjp)
def transpose(x, axes=None):
    return np.transpose(convert_to_array(x), axes)


def _same_size_vjp(g, out, x, *args, **kwargs):
    return (g.reshape(_shape(x)),)


@differentiable(_same_size_vjp)
def expand_dims(x, axis):
    return np.expand_dims(convert_to_array(x), axis)


@differentiable(_same_size_vjp)
def squeeze(x, axis=None):
    return np.squeeze(convert_to_array(x), axis)


def _concatenate_vjp(g, out, xs, axis=0):
    sizes = [np.shape(x)[axis] for x in xs]
    cuts = np.cumsum(sizes)[:-1]
    return (np.split(g, cuts, axis=axis),)


@differentiable(_concatenate_vjp)
def concatenate(xs, axis=0):
    return np.concatenate([convert_to_array(x) for x in xs], axis=axis)


def _stack_vjp(g, out, x, axis=0):
    return ([np.take(g, i, axis=axis) for i in range(len(x))],)


@differentiable(_stack_vjp)
def stack(x, axis=0):
    return np.stack([convert_to_array(v) for v in x], axis=axis)


def _is_basic_index(key):
    keys = key if isinstance(key, tuple) else (key,)
    return builtins.all(k is None or k is Ellipsis or isinstance(
        k, (slice, int, np.integer)) for k in keys)


def _take_slice_vjp(g, out, x, key):
    dx = np.zeros(_shape(x), g.dtype)
    if _is_basic_index(key):
        dx[key] = g
    else:
        np.add.at(dx, key, g)
    return (dx, None)


@differentiable(_take_slice_vjp)
def take_slice(x, key):
    """x[key]: what indexing a traced value records (basic slicing and
    integer-array indexing)."""
    return convert_to_array(x)[key]


@constant
def shape(x):
    return tuple(convert_to_array(x).shape)
