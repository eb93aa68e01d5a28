"""Builders of the simple elementwise ops that differ only by their numpy
function: the comparisons, predicates and logical ops (no gradient), the
integer ops that keep their operands' result dtype, and the float ops
whose gradient is g * derivative(x, out). Each built op carries its
keras.ops name and a docstring, and takes Keras's argument names (x, or
x1 and x2)."""
import numpy as np

from seqcore.engine.tape import constant, differentiable
from seqcore.ops.dtypes import FLOATX, convert_to_array, result_type


def as_float(x):
    """x in a float dtype: integers and booleans become float32.

    Args:
        x: an array.
    """
    return x if x.dtype.kind == "f" else x.astype(FLOATX)


def _named(fn, name, doc):
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def no_grad_unary(np_fn, doc=None, name=None):
    """op(x) = np_fn(x), without a gradient (a predicate or a logical op).

    Args:
        np_fn: the numpy ufunc.
        doc: the op's docstring.
        name: the op's name (np_fn's by default).
    """
    def fn(x):
        return np_fn(convert_to_array(x))
    return constant(_named(fn, name or np_fn.__name__, doc))


def no_grad_binary(np_fn, doc=None, name=None):
    """op(x1, x2) = np_fn(x1, x2), without a gradient (a comparison or a
    logical op): a boolean result.

    Args:
        np_fn: the numpy ufunc.
        doc: the op's docstring.
        name: the op's name (np_fn's by default).
    """
    def fn(x1, x2):
        return np_fn(convert_to_array(x1), convert_to_array(x2))
    return constant(_named(fn, name or np_fn.__name__, doc))


def keep_dtype(np_fn, x1, x2):
    """np_fn(x1, x2) cast to the operands' result dtype (Keras's rule).

    Args:
        np_fn: the numpy ufunc.
        x1, x2: arrays or scalars (broadcast together).
    """
    a, b = convert_to_array(x1), convert_to_array(x2)
    return np_fn(a, b).astype(result_type(a.dtype, b.dtype), copy=False)


def keep_dtype_binary(np_fn, doc=None):
    """op(x1, x2) = keep_dtype(np_fn, x1, x2), without a gradient (the
    bitwise and integer ops).

    Args:
        np_fn: the numpy ufunc.
        doc: the op's docstring.
    """
    def fn(x1, x2):
        return keep_dtype(np_fn, x1, x2)
    return constant(_named(fn, np_fn.__name__, doc))


def unary_float(name, np_fn, derivative, doc):
    """An elementwise op computing in a float dtype, whose gradient is
    g * derivative(x, out) (x in out's dtype).

    Args:
        name: the op's keras.ops name.
        np_fn: the numpy function of the forward pass.
        derivative: (x, out) -> d out / d x, elementwise.
        doc: the op's docstring.
    """
    def vjp(g, out, x):
        x = np.asarray(x, out.dtype)
        return (g * derivative(x, out),)
    vjp.__name__ = f"_{name}_vjp"

    def fn(x):
        return np_fn(as_float(convert_to_array(x)))
    return differentiable(vjp)(_named(fn, name, doc))
