"""Traced: a value that the active tape differentiates (see tape.py).

It behaves as Keras's tensors do inside a layer's `call`: `shape`, `dtype`,
`ndim`, arithmetic operators, slicing and `.T` are recorded through
`seqcore.ops`. Handing it to a numpy function (np.exp, np.sum, np.asarray,
float()) would lose its gradient, so that raises TracedNumpyError naming
the layer and the seqcore.ops function to use instead.
"""
import numpy as np

from seqcore.engine import tape as tape_module

# numpy ufuncs that an operator on an ndarray (ndarray + Traced) dispatches
# here: recorded as the matching op.
_OPERATOR_UFUNCS = {
    np.add: "add", np.subtract: "subtract", np.multiply: "multiply",
    np.true_divide: "divide", np.power: "power", np.matmul: "matmul",
    np.negative: "negative", np.maximum: "maximum", np.minimum: "minimum",
    np.greater: "greater", np.greater_equal: "greater_equal",
    np.less: "less", np.less_equal: "less_equal", np.equal: "equal",
    np.not_equal: "not_equal",
}


def _ops():
    import seqcore.ops as ops
    return ops


class Traced:
    """An array recorded on `tape` as node `node`.

    Args:
        value: the computed numpy array.
        node: its number on the tape.
        tape: the recording it belongs to.
    """

    __slots__ = ("value", "node", "tape")
    __array_priority__ = 1000

    def __init__(self, value, node, tape):
        self.value = value
        self.node = node
        self.tape = tape

    # ---- array attributes --------------------------------------------------

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def size(self):
        return self.value.size

    @property
    def T(self):
        return _ops().transpose(self)

    def astype(self, dtype):
        return _ops().cast(self, dtype)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and \
            isinstance(shape[0], (tuple, list)) else shape
        return _ops().reshape(self, tuple(shape))

    def sum(self, axis=None, keepdims=False):
        return _ops().sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops().mean(self, axis=axis, keepdims=keepdims)

    def __len__(self):
        return len(self.value)

    def __repr__(self):
        return (f"<Traced shape={self.value.shape}, dtype={self.value.dtype} "
                f"(recorded for the gradient of '{self.tape.owner}')>")

    def numpy(self):
        return self._refuse("`.numpy()`", "keep computing with seqcore.ops")

    # ---- refusing numpy --------------------------------------------------------

    def _refuse(self, what, instead):
        raise tape_module.TracedNumpyError(
            f"{self.tape.kind} '{self.tape.owner}' applied {what} to a value that "
            f"training differentiates (shape {self.value.shape}). Its "
            f"gradient would be lost. Use seqcore.ops (keras.ops) instead: "
            f"{instead}.")

    def __array__(self, dtype=None, copy=None):
        self._refuse("a numpy conversion (np.asarray or a numpy function)",
                     "e.g. ops.exp, ops.sum, ops.matmul, ops.concatenate")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = _OPERATOR_UFUNCS.get(ufunc)
        if method == "__call__" and name is not None and not kwargs:
            return getattr(_ops(), name)(*inputs)
        self._refuse(f"numpy's {ufunc.__name__}",
                     f"ops.{ufunc.__name__}")

    def __array_function__(self, func, types, args, kwargs):
        self._refuse(f"numpy's {func.__name__}", f"ops.{func.__name__}")

    def __float__(self):
        self._refuse("float()", "keep the value as a tensor")

    def __int__(self):
        self._refuse("int()", "keep the value as a tensor")

    def __bool__(self):
        self._refuse("a Python truth test", "ops.where or ops.cond-free "
                     "arithmetic")

    # ---- operators ------------------------------------------------------------

    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __truediv__(self, other):
        return _ops().divide(self, other)

    def __rtruediv__(self, other):
        return _ops().divide(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __neg__(self):
        return _ops().negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops().abs(self)

    def __getitem__(self, key):
        return _ops().take_slice(self, key)

    def __gt__(self, other):
        return _ops().greater(self, other)

    def __ge__(self, other):
        return _ops().greater_equal(self, other)

    def __lt__(self, other):
        return _ops().less(self, other)

    def __le__(self, other):
        return _ops().less_equal(self, other)

    def __eq__(self, other):
        return _ops().equal(self, other)

    def __ne__(self, other):
        return _ops().not_equal(self, other)

    __hash__ = object.__hash__
