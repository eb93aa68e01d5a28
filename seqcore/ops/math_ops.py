"""Elementwise math and reductions of keras.ops beyond numpy_ops.py
(trigonometric and hyperbolic functions, logs and powers, rounding,
predicates, logical ops, cumulative sums and products, logsumexp,
median/quantile, ...), with Keras 3's result dtypes: integer and boolean
inputs of a float function give float32. Each differentiable op is
followed by its vector-Jacobian product."""
import builtins
import math

import numpy as np

from seqcore.ops._meta import ndim_of, shape_of

from seqcore.engine.tape import constant, differentiable, plain, unbroadcast
from seqcore.ops._factories import (keep_dtype, keep_dtype_binary,
                                    no_grad_binary, no_grad_unary,
                                    unary_float)
from seqcore.ops.dtypes import FLOATX, convert_to_array, result_type
from seqcore.ops.numpy_ops import (_axes, _expand_reduced, _float, add,
                                   divide, maximum, minimum, multiply,
                                   subtract, where)
from seqcore.ops.numpy_ops import sum as _sum


def _shape(x):
    return shape_of(x)


tan = unary_float("tan", np.tan, lambda x, y: 1 + y * y,
                  "Tangent, elementwise.")
arcsin = unary_float("arcsin", np.arcsin,
                     lambda x, y: 1 / np.sqrt(1 - x * x),
                     "Inverse sine, elementwise.")
arccos = unary_float("arccos", np.arccos,
                     lambda x, y: -1 / np.sqrt(1 - x * x),
                     "Inverse cosine, elementwise.")
arctan = unary_float("arctan", np.arctan, lambda x, y: 1 / (1 + x * x),
                     "Inverse tangent, elementwise.")
sinh = unary_float("sinh", np.sinh, lambda x, y: np.cosh(x),
                   "Hyperbolic sine, elementwise.")
cosh = unary_float("cosh", np.cosh, lambda x, y: np.sinh(x),
                   "Hyperbolic cosine, elementwise.")
arcsinh = unary_float("arcsinh", np.arcsinh,
                      lambda x, y: 1 / np.sqrt(x * x + 1),
                      "Inverse hyperbolic sine, elementwise.")
arccosh = unary_float("arccosh", np.arccosh,
                      lambda x, y: 1 / np.sqrt(x * x - 1),
                      "Inverse hyperbolic cosine, elementwise.")
arctanh = unary_float("arctanh", np.arctanh, lambda x, y: 1 / (1 - x * x),
                      "Inverse hyperbolic tangent, elementwise.")
log2 = unary_float("log2", np.log2, lambda x, y: 1 / (x * math.log(2)),
                   "Base-2 logarithm, elementwise.")
log10 = unary_float("log10", np.log10,
                    lambda x, y: 1 / (x * math.log(10)),
                    "Base-10 logarithm, elementwise.")
exp2 = unary_float("exp2", np.exp2, lambda x, y: y * math.log(2),
                   "2 ** x, elementwise.")
cbrt = unary_float("cbrt", np.cbrt, lambda x, y: 1 / (3 * y * y),
                   "Cube root, elementwise.")
rsqrt = unary_float("rsqrt", lambda x: 1 / np.sqrt(x),
                    lambda x, y: -0.5 * y * y * y,
                    "1 / sqrt(x), elementwise.")
deg2rad = unary_float("deg2rad", np.deg2rad, lambda x, y: math.pi / 180,
                      "Degrees to radians.")
rad2deg = unary_float("rad2deg", np.rad2deg, lambda x, y: 180 / math.pi,
                      "Radians to degrees.")
fabs = unary_float("fabs", np.fabs, lambda x, y: np.sign(x),
                   "Absolute value, in a float dtype.")

_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def _erf(x):
    return _erf_scalar(np.asarray(x, np.float64)).astype(np.float64)


def _erf_fn(x):
    x = _float(convert_to_array(x))
    return _erf(x).astype(x.dtype)


def _erf_vjp(g, out, x):
    x = np.asarray(x, out.dtype)
    return (g * (2 / math.sqrt(math.pi)) * np.exp(-x * x),)


erf = differentiable(_erf_vjp)(_erf_fn)
erf.__name__ = "erf"
erf.__doc__ = "The error function, elementwise (float64 internally)."


def _erfc_fn(x):
    x = _float(convert_to_array(x))
    return (1 - _erf(x)).astype(x.dtype)


def _erfc_vjp(g, out, x):
    return (-_erf_vjp(g, out, x)[0],)


erfc = differentiable(_erfc_vjp)(_erfc_fn)
erfc.__name__ = "erfc"


def _erfinv_vjp(g, out, x):
    return (g * (math.sqrt(math.pi) / 2) * np.exp(np.square(out)),)


@differentiable(_erfinv_vjp)
def erfinv(x):
    """The inverse error function on (-1, 1): an initial approximation
    refined by Newton steps in float64."""
    x = _float(convert_to_array(x))
    y = np.asarray(x, np.float64)
    w = -np.log(np.clip((1 - y) * (1 + y), 1e-300, None))
    t = 2 / (math.pi * 0.147) - w / 2
    z = np.sign(y) * np.sqrt(np.sqrt(t * t + w / 0.147) - t)
    inside = np.abs(y) < 1
    for _ in range(4):
        step = (_erf(z) - y) / (2 / math.sqrt(math.pi) * np.exp(-z * z))
        z = np.where(inside, z - step, z)
    z = np.where(y >= 1, np.inf, np.where(y <= -1, -np.inf, z))
    return z.astype(x.dtype)


def _sinc_vjp(g, out, x):
    x = np.asarray(x, out.dtype)
    px = np.pi * x
    safe = np.where(x == 0, 1, px)
    d = np.where(x == 0, 0, (np.cos(safe) * safe - np.sin(safe)) /
                 (safe * safe) * np.pi)
    return (g * d,)


@differentiable(_sinc_vjp)
def sinc(x):
    """sin(pi x) / (pi x), 1 at 0."""
    return np.sinc(_float(convert_to_array(x)))


# ---- rounding (no gradient: piecewise constant) -----------------------------

@constant
def floor(x):
    """The largest integer <= x (float result)."""
    return np.floor(_float(convert_to_array(x)))


@constant
def ceil(x):
    """The smallest integer >= x (float result)."""
    return np.ceil(_float(convert_to_array(x)))


@constant
def trunc(x):
    """x rounded toward zero (integers stay integers)."""
    return np.trunc(convert_to_array(x))


@constant
def round(x, decimals=0):  # noqa: A001 - keras.ops.round
    """x rounded half to even to `decimals` places."""
    return np.round(convert_to_array(x), decimals)


signbit = no_grad_unary(np.signbit, "True where the sign bit is set.")


# ---- predicates and logical ops ---------------------------------------------

isnan = no_grad_unary(np.isnan, "True where x is NaN.")
isinf = no_grad_unary(np.isinf, "True where x is +/-inf.")
isfinite = no_grad_unary(np.isfinite, "True where x is neither inf nor NaN.")
isneginf = no_grad_unary(np.isneginf, "True where x is -inf.")
isposinf = no_grad_unary(np.isposinf, "True where x is +inf.")
isreal = no_grad_unary(np.isreal, "True where x has no imaginary part.")


@constant
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return np.isclose(convert_to_array(x1), convert_to_array(x2), rtol,
                      atol, equal_nan)


@constant
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return np.asarray(np.allclose(convert_to_array(x1), convert_to_array(x2),
                                  rtol, atol, equal_nan))


@constant
def isin(x1, x2, assume_unique=False, invert=False):
    return np.isin(convert_to_array(x1), convert_to_array(x2),
                   assume_unique=assume_unique, invert=invert)


logical_and = no_grad_binary(np.logical_and, "x1 and x2, elementwise.")
logical_or = no_grad_binary(np.logical_or, "x1 or x2, elementwise.")
logical_xor = no_grad_binary(np.logical_xor, "x1 xor x2, elementwise.")
logical_not = no_grad_unary(np.logical_not, "not x, elementwise.")

bitwise_and = keep_dtype_binary(np.bitwise_and)
bitwise_or = keep_dtype_binary(np.bitwise_or)
bitwise_xor = keep_dtype_binary(np.bitwise_xor)
bitwise_left_shift = left_shift = keep_dtype_binary(np.left_shift)
bitwise_right_shift = right_shift = keep_dtype_binary(np.right_shift)
gcd = keep_dtype_binary(np.gcd)
lcm = keep_dtype_binary(np.lcm)
bitwise_invert = bitwise_not = no_grad_unary(
    np.invert, "Bitwise not, elementwise.", name="bitwise_invert")


# ---- binary -----------------------------------------------------------------

def _float_pair(x1, x2):
    a, b = convert_to_array(x1), convert_to_array(x2)
    dtype = result_type(a.dtype, b.dtype, FLOATX) if \
        a.dtype.kind != "f" and b.dtype.kind != "f" else \
        result_type(a.dtype, b.dtype)
    if dtype.kind != "f":
        dtype = FLOATX
    return a.astype(dtype, copy=False), b.astype(dtype, copy=False)


def _arctan2_vjp(g, out, x1, x2):
    a, b = np.asarray(x1, out.dtype), np.asarray(x2, out.dtype)
    r = a * a + b * b
    return (unbroadcast(g * b / r, _shape(x1)),
            unbroadcast(-g * a / r, _shape(x2)))


@differentiable(_arctan2_vjp)
def arctan2(x1, x2):
    """The angle of the point (x2, x1), elementwise."""
    return np.arctan2(*_float_pair(x1, x2))


def _hypot_vjp(g, out, x1, x2):
    a, b = np.asarray(x1, out.dtype), np.asarray(x2, out.dtype)
    return (unbroadcast(g * a / out, _shape(x1)),
            unbroadcast(g * b / out, _shape(x2)))


@differentiable(_hypot_vjp)
def hypot(x1, x2):
    """sqrt(x1**2 + x2**2), elementwise."""
    return np.hypot(*_float_pair(x1, x2))


def _log_add(name, np_fn, np_exp, doc):
    """log_b(b**x1 + b**x2) (np_fn) with gradients b**(x_i - out)
    (np_exp the power of base b)."""
    def vjp(g, out, x1, x2):
        a, b = np.asarray(x1, out.dtype), np.asarray(x2, out.dtype)
        return (unbroadcast(g * np_exp(a - out), _shape(x1)),
                unbroadcast(g * np_exp(b - out), _shape(x2)))
    vjp.__name__ = f"_{name}_vjp"

    def fn(x1, x2):
        return np_fn(*_float_pair(x1, x2))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return differentiable(vjp)(fn)


logaddexp = _log_add("logaddexp", np.logaddexp, np.exp,
                     "log(exp(x1) + exp(x2)), computed stably.")
logaddexp2 = _log_add("logaddexp2", np.logaddexp2, np.exp2,
                      "log2(2**x1 + 2**x2), computed stably.")


def _remainder_vjp(quotient):
    """The gradient of x1 - quotient(x1 / x2) * x2 (mod: np.floor, fmod:
    np.trunc); x2 gets one only when it is a float."""
    def vjp(g, out, x1, x2):
        a, b = np.asarray(x1), np.asarray(x2)
        gb = None
        if b.dtype.kind == "f":
            gb = unbroadcast(-g * quotient(a / b), _shape(x2))
        return unbroadcast(g, _shape(x1)), gb
    return vjp


@differentiable(_remainder_vjp(np.floor))
def mod(x1, x2):
    """x1 modulo x2, with the sign of x2 (numpy's mod)."""
    return keep_dtype(np.mod, x1, x2)


@differentiable(_remainder_vjp(np.trunc))
def fmod(x1, x2):
    """x1 modulo x2, with the sign of x1 (C's fmod)."""
    return keep_dtype(np.fmod, x1, x2)


@constant
def floor_divide(x1, x2):
    """x1 // x2, elementwise."""
    return keep_dtype(np.floor_divide, x1, x2)


@constant
def heaviside(x1, x2):
    """0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0."""
    return keep_dtype(np.heaviside, *(_float_pair(x1, x2)))


@constant
def nextafter(x1, x2):
    return np.nextafter(*_float_pair(x1, x2))


def fmax(x1, x2):
    """The elementwise maximum, ignoring NaN."""
    return where(isnan(x1), x2, where(isnan(x2), x1, maximum(x1, x2)))


def fmin(x1, x2):
    """The elementwise minimum, ignoring NaN."""
    return where(isnan(x1), x2, where(isnan(x2), x1, minimum(x1, x2)))


def _divide_no_nan_vjp(g, out, x1, x2):
    b = np.asarray(x2, out.dtype)
    safe = np.where(b == 0, 1, b)
    zero = b == 0
    return (unbroadcast(np.where(zero, 0, g / safe), _shape(x1)),
            unbroadcast(np.where(zero, 0, -g * out / safe), _shape(x2)))


@differentiable(_divide_no_nan_vjp)
def divide_no_nan(x1, x2):
    """x1 / x2, with 0 where x2 is 0."""
    a, b = _float_pair(x1, x2)
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 0, a / safe).astype(a.dtype, copy=False)


def _ldexp_vjp(g, out, x1, x2):
    return (unbroadcast(g * np.exp2(np.asarray(x2, out.dtype)), _shape(x1)),
            None)


@differentiable(_ldexp_vjp)
def ldexp(x1, x2):
    """x1 * 2 ** x2 (x2 integers)."""
    a = _float(convert_to_array(x1))
    return np.ldexp(a, convert_to_array(x2)).astype(a.dtype, copy=False)


def reciprocal(x):
    """1 / x."""
    return divide(1.0, x)


def conjugate(x):
    """The complex conjugate (x itself for real x)."""
    x_ = plain(x)
    if np.iscomplexobj(x_):
        return np.conjugate(x_)
    return x


conj = conjugate


def real(x):
    """The real part (x itself for real x)."""
    x_ = plain(x)
    return np.real(x_) if np.iscomplexobj(x_) else x


@constant
def imag(x):
    """The imaginary part (zeros for real x)."""
    return np.imag(convert_to_array(x)).copy()


@constant
def angle(x):
    """The argument of complex x (0 or pi for real x), in float32."""
    return np.angle(_float(convert_to_array(x)))


def copy(x):
    """A copy of x."""
    from seqcore.ops.numpy_ops import multiply as _mul
    x_ = plain(x)
    if x is x_:
        return np.array(convert_to_array(x))
    return _mul(x, np.ones((), x_.dtype))


# ---- reductions -------------------------------------------------------------

@constant
def all(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops.all
    """True where every element along `axis` is non-zero."""
    return np.all(convert_to_array(x), axis=_tuple(axis), keepdims=keepdims)


@constant
def any(x, axis=None, keepdims=False):  # noqa: A001 - keras.ops.any
    """True where some element along `axis` is non-zero."""
    return np.any(convert_to_array(x), axis=_tuple(axis), keepdims=keepdims)


def _tuple(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@constant
def count_nonzero(x, axis=None):
    """The number of non-zero elements along `axis` (int32)."""
    return np.asarray(np.count_nonzero(convert_to_array(x),
                                       axis=_tuple(axis))).astype(np.int32)


def amax(x, axis=None, keepdims=False):
    from seqcore.ops.numpy_ops import max as _max
    return _max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    from seqcore.ops.numpy_ops import min as _min
    return _min(x, axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    """max - min along `axis`."""
    return subtract(amax(x, axis, keepdims), amin(x, axis, keepdims))


def average(x, axis=None, weights=None):
    """The (weighted) mean along `axis`; weights are 1-D along `axis` or
    x's shape."""
    from seqcore.ops.numpy_ops import mean as _mean, cast as _cast
    x_ = convert_to_array(plain(x))
    dtype = x_.dtype if x_.dtype.kind == "f" else FLOATX
    if weights is None:
        return _mean(_cast(x, dtype) if x_.dtype != dtype else x, axis=axis)
    w_ = convert_to_array(plain(weights))
    dtype = result_type(dtype, w_.dtype if w_.dtype.kind == "f" else dtype)
    w = weights
    if axis is not None and w_.ndim == 1 and x_.ndim > 1:
        shape = [1] * x_.ndim
        shape[axis % x_.ndim] = w_.shape[0]
        from seqcore.ops.numpy_ops import reshape as _reshape
        w = _reshape(weights, shape)
    xw = multiply(_cast(x, dtype), _cast(w, dtype))
    total = _sum(xw, axis=axis)
    from seqcore.ops.numpy_ops import cast as _c
    if axis is not None and w_.ndim == 1 and x_.ndim > 1:
        norm = _sum(_c(weights, dtype))
    else:
        norm = _sum(_c(w, dtype) * np.ones(x_.shape, dtype), axis=axis)
    return divide(total, norm)


def _cumsum_vjp(g, out, x, axis=None, dtype=None):
    if axis is None:
        back = np.flip(np.cumsum(np.flip(g.reshape(-1))))
        return (back.reshape(_shape(x)),)
    back = np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)
    return (back,)


def _cum_dtype(x, dtype):
    if dtype is not None:
        return np.dtype(dtype)
    if x.dtype == bool or (x.dtype.kind in "iu" and x.dtype.itemsize < 4):
        return np.dtype("int32") if x.dtype.kind == "i" or \
            x.dtype == bool else np.dtype("uint32")
    return x.dtype


@differentiable(_cumsum_vjp)
def cumsum(x, axis=None, dtype=None):
    """Running sums along `axis` (of the flattened x when None)."""
    x = convert_to_array(x)
    return np.cumsum(x, axis=axis).astype(_cum_dtype(x, dtype), copy=False)


def _cumprod_vjp(g, out, x, axis=None, dtype=None):
    x_ = np.asarray(x, out.dtype)
    flat = axis is None
    if flat:
        x_, out_, g_, ax = x_.reshape(-1), out.reshape(-1), g.reshape(-1), 0
    else:
        out_, g_, ax = out, g, axis
    # d out_j / d x_i = prod_{k <= j, k != i} x_k: by a reversed running
    # sum of g * out, divided by x_i where x_i != 0; the zeros of x are
    # handled exactly by recomputing with x_i replaced by 1.
    back = np.flip(np.cumsum(np.flip(g_ * out_, ax), axis=ax), ax)
    nonzero = x_ != 0
    dx = np.where(nonzero, back / np.where(nonzero, x_, 1), 0)
    if not nonzero.all():
        moved = np.moveaxis(x_, ax, -1)
        gm = np.moveaxis(g_, ax, -1)
        dxm = np.moveaxis(dx, ax, -1).copy()
        for idx in zip(*np.nonzero(moved == 0)):
            line = moved[idx[:-1]].copy()
            line[idx[-1]] = 1
            prods = np.cumprod(line)
            i = idx[-1]
            dxm[idx] = np.sum(gm[idx[:-1]][i:] * prods[i:])
        dx = np.moveaxis(dxm, -1, ax)
    return (dx.reshape(_shape(x)),)


@differentiable(_cumprod_vjp)
def cumprod(x, axis=None, dtype=None):
    """Running products along `axis` (of the flattened x when None)."""
    x = convert_to_array(x)
    return np.cumprod(x, axis=axis).astype(_cum_dtype(x, dtype), copy=False)


def _logsumexp_vjp(g, out, x, axis=None, keepdims=False):
    g = _expand_reduced(g, _shape(x), axis, keepdims)
    o = _expand_reduced(out, _shape(x), axis, keepdims)
    return (g * np.exp(np.asarray(x, out.dtype) - o),)


@differentiable(_logsumexp_vjp)
def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) along `axis`, computed stably."""
    x = _float(convert_to_array(x))
    axis_ = _tuple(axis)
    top = np.max(x, axis=axis_, keepdims=True) if x.size else np.zeros(())
    top = np.where(np.isfinite(top), top, 0)
    out = np.log(np.sum(np.exp(x - top), axis=axis_, keepdims=True)) + top
    if not keepdims:
        out = np.squeeze(out, axis=_axes(axis, x.ndim)) if x.ndim else out
    return np.asarray(out, x.dtype)


def _sorted_along(x, axis):
    """(x with the reduced axes flattened into the last one, sorted there,
    the kept shape) -- differentiable, by sort's take_along_axis."""
    from seqcore.ops.numpy_ops import reshape as _reshape
    from seqcore.ops.shape_ops import moveaxis
    from seqcore.ops.sorting import sort
    ndim = ndim_of(x)
    axes = _axes(axis, ndim)
    keep = [a for a in range(ndim) if a not in axes]
    moved = moveaxis(x, list(axes), list(range(ndim - len(axes), ndim))) \
        if axes != tuple(range(ndim - len(axes), ndim)) else x
    shape = _shape(plain(moved))
    flat = _reshape(moved, tuple(shape[:len(keep)]) + (-1,))
    return sort(flat, axis=-1), axes


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th quantiles (q in [0, 1], a scalar or 1-D) along `axis`,
    with numpy's methods "linear", "lower", "higher", "midpoint",
    "nearest"; the quantile axis comes first in the result."""
    from seqcore.ops.numpy_ops import cast as _cast, reshape as _reshape
    from seqcore.ops.shape_ops import take
    if method not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise ValueError(f"quantile: method must be one of 'linear', "
                         f"'lower', 'higher', 'midpoint', 'nearest', "
                         f"received {method!r}")
    x_ = convert_to_array(plain(x))
    if x_.dtype.kind != "f":
        x = _cast(x, FLOATX)
    s, axes = _sorted_along(x, axis)
    n = _shape(plain(s))[-1]
    qs = np.asarray(plain(q), np.float64)
    pos = qs.reshape(-1) * (n - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    if method == "lower":
        hi, frac = lo, np.zeros_like(frac)
    elif method == "higher":
        lo = hi = np.ceil(pos).astype(np.int64)
    elif method == "nearest":
        lo = hi = np.round(pos).astype(np.int64)
    elif method == "midpoint":
        frac = np.where(hi > lo, 0.5, 0.0)
    dtype = plain(s).dtype
    a = take(s, lo, axis=-1)
    b = take(s, hi, axis=-1)
    out = add(a, multiply(subtract(b, a), frac.astype(dtype)))
    from seqcore.ops.shape_ops import moveaxis
    out = moveaxis(out, -1, 0)            # quantiles first, as numpy
    kept = [d for i, d in enumerate(x_.shape) if i not in axes]
    if keepdims:
        kept = [1 if i in axes else d for i, d in enumerate(x_.shape)]
    shape = ([len(lo)] if qs.ndim else []) + kept
    return _reshape(out, tuple(shape))


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th percentiles (q in [0, 100]); see quantile."""
    return quantile(x, np.asarray(plain(q), np.float64) / 100.0, axis,
                    method, keepdims)


def median(x, axis=None, keepdims=False):
    """The median along `axis` (the mean of the two middle values for an
    even count)."""
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


# ---- NaN-aware reductions ---------------------------------------------------

def _nan_to(x, value):
    x_ = convert_to_array(plain(x))
    if x_.dtype.kind != "f":
        return x
    return where(isnan(x), np.asarray(value, x_.dtype), x)


def nansum(x, axis=None, keepdims=False):
    """sum ignoring NaN."""
    return _sum(_nan_to(x, 0), axis=axis, keepdims=keepdims)


def nanprod(x, axis=None, keepdims=False):
    from seqcore.ops.numpy_ops import prod
    return prod(_nan_to(x, 1), axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    """mean ignoring NaN."""
    count = _sum(logical_not(isnan(x)), axis=axis, keepdims=keepdims)
    total = nansum(x, axis=axis, keepdims=keepdims)
    return divide(total, count)


def nanmax(x, axis=None, keepdims=False):
    return amax(_nan_to(x, -np.inf), axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    return amin(_nan_to(x, np.inf), axis, keepdims)


def nanvar(x, axis=None, keepdims=False):
    from seqcore.ops.numpy_ops import square
    m = nanmean(x, axis=axis, keepdims=True)
    return nanmean(square(subtract(x, m)), axis=axis, keepdims=keepdims)


def nanstd(x, axis=None, keepdims=False):
    from seqcore.ops.numpy_ops import sqrt
    return sqrt(nanvar(x, axis, keepdims))


@constant
def nanargmax(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    return np.asarray(np.nanargmax(x, axis=axis, keepdims=keepdims),
                      np.int32)


@constant
def nanargmin(x, axis=None, keepdims=False):
    x = convert_to_array(x)
    return np.asarray(np.nanargmin(x, axis=axis, keepdims=keepdims),
                      np.int32)


def nancumsum(x, axis=None, dtype=None):
    return cumsum(_nan_to(x, 0), axis=axis, dtype=dtype)


def nancumprod(x, axis=None, dtype=None):
    return cumprod(_nan_to(x, 1), axis=axis, dtype=dtype)


@constant
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    x = _float(convert_to_array(x))
    return np.nanquantile(x, q, axis=_tuple(axis), method=method,
                          keepdims=keepdims).astype(x.dtype)


@constant
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    x = _float(convert_to_array(x))
    return np.nanpercentile(x, q, axis=_tuple(axis), method=method,
                            keepdims=keepdims).astype(x.dtype)


@constant
def nanmedian(x, axis=None, keepdims=False):
    x = _float(convert_to_array(x))
    return np.nanmedian(x, axis=_tuple(axis),
                        keepdims=keepdims).astype(x.dtype)


def diff(a, n=1, axis=-1):
    """The n-th discrete difference along `axis`."""
    from seqcore.ops.numpy_ops import take_slice
    ndim = ndim_of(a)
    axis = axis % ndim
    for _ in range(n):
        head = (builtins.slice(None),) * axis + (builtins.slice(1, None),)
        tail = (builtins.slice(None),) * axis + (builtins.slice(None, -1),)
        a = subtract(take_slice(a, head), take_slice(a, tail))
    return a


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of y along `axis` by the trapezoidal rule."""
    from seqcore.ops.numpy_ops import take_slice
    ndim = ndim_of(y)
    axis = axis % ndim
    head = (builtins.slice(None),) * axis + (builtins.slice(1, None),)
    tail = (builtins.slice(None),) * axis + (builtins.slice(None, -1),)
    mids = multiply(add(take_slice(y, head), take_slice(y, tail)), 0.5)
    if x is None:
        return multiply(_sum(mids, axis=axis), dx)
    steps = diff(x, axis=-1 if ndim_of(x) == 1 else axis)
    if ndim_of(x) == 1 and ndim > 1:
        shape = [1] * ndim
        shape[axis] = -1
        from seqcore.ops.numpy_ops import reshape as _reshape
        steps = _reshape(steps, shape)
    return _sum(multiply(mids, steps), axis=axis)

