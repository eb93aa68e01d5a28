"""Variable: a named float32 weight array owned by a layer."""
import math

import numpy as np

from seqcore.engine import stateless
from seqcore.scopes import scoped


class Variable:
    """A layer weight: `value` is a numpy array that kernels update in place.

    `path` is the name scopes open when it is made, then its name
    (`sequential/dense/kernel`), as in Keras 3 (seqcore/scopes.py).
    """

    def __init__(self, value, name, path=None, trainable=True):
        self._value = value
        self.name = name
        self.path = scoped(name) if path is None else path
        self.trainable = trainable
        # Whether it was made trainable: what orders a layer's weights
        # (trainable ones first, as Keras 3's lists kept at creation) and
        # which variables follow the layer's `trainable` flag.
        self._created_trainable = bool(trainable)
        self.regularizer = None
        self.constraint = None
        # Training: `grad` is where backward() writes d loss / d self (a view
        # into the optimizer's gradient arena), None when no gradient is
        # wanted (frozen, or not training); `_grad_fresh` is True until the
        # step's first write, so shared layers add their later gradients.
        self.grad = None
        self._grad_fresh = True

    @property
    def value(self):
        scope = stateless._CURRENT[0]
        if scope is not None:           # keras.StatelessScope
            return scope.value_of(self)
        return self._value

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype.name

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def size(self):
        return math.prod(self._value.shape)

    def numpy(self):
        return self.value.copy()

    def assign(self, value):
        """Copy `value` into the variable; its shape must match. (A value
        computed in a recorded call is taken as data: assignments are not
        differentiated, as in Keras.)"""
        from seqcore.engine.tape import plain
        value = np.asarray(plain(value))
        if value.shape != self._value.shape:
            raise ValueError(
                f"The shape of the target variable and the shape of the "
                f"target value in `variable.assign(value)` must match. "
                f"variable.shape={self._value.shape}, "
                f"Received: value.shape={value.shape}. Target variable: {self}")
        scope = stateless._CURRENT[0]
        if scope is not None:           # recorded, the variable unchanged
            scope.add_update((self, value))
            return
        self._value[...] = value

    def assign_add(self, delta):
        """self += delta (Keras's assign_add); returns the variable."""
        from seqcore.engine.tape import plain
        self.assign(self.value + np.asarray(plain(delta)))
        return self

    def assign_sub(self, delta):
        """self -= delta (Keras's assign_sub); returns the variable."""
        from seqcore.engine.tape import plain
        self.assign(self.value - np.asarray(plain(delta)))
        return self

    def __array__(self, dtype=None, copy=None):
        _refuse_while_recording(self, "a numpy conversion or function")
        value = self.value
        return value if dtype is None else value.astype(dtype)

    # Arithmetic as on Keras's variables: through seqcore.ops, so that a
    # custom layer's `x @ self.kernel + self.bias` is differentiated.

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

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __neg__(self):
        return _ops().negative(self)

    def __getitem__(self, key):
        return _ops().take_slice(self, key)

    @property
    def T(self):
        return _ops().transpose(self)

    __array_priority__ = 1000

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from seqcore.engine.traced import _OPERATOR_UFUNCS
        name = _OPERATOR_UFUNCS.get(ufunc)
        if method == "__call__" and name is not None and not kwargs:
            return getattr(_ops(), name)(*inputs)
        _refuse_while_recording(self, f"numpy's {ufunc.__name__}")
        plain = [x._value if isinstance(x, Variable) else x for x in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={self.shape}, "
                f"dtype={self.dtype}, value={self._value}>")


def _ops():
    import seqcore.ops as ops
    return ops


def _refuse_while_recording(variable, what):
    """A trainable variable read by numpy inside a recorded custom layer
    would get no gradient: say so, naming the layer."""
    from seqcore.engine import tape
    active = tape.active()
    if active is not None and variable.trainable:
        raise tape.TracedNumpyError(
            f"{active.kind} '{active.owner}' applied {what} to the weight "
            f"'{variable.path}' while training; its gradient would be lost. "
            f"Use seqcore.ops (keras.ops) instead, e.g. ops.matmul, ops.exp, "
            f"ops.sum.")


def grad_beta(variable):
    """How backward() writes this step's gradient of `variable`: None (not
    wanted), 0.0 (overwrite: the first write of the step) or 1.0 (add)."""
    if variable is None or variable.grad is None:
        return None
    if variable._grad_fresh:
        variable._grad_fresh = False
        return 0.0
    return 1.0


def store_grad(variable, value):
    """Write (or add) `value` as this step's gradient of `variable`."""
    beta = grad_beta(variable)
    if beta is None:
        return
    if beta == 0.0:
        np.copyto(variable.grad, value, casting="same_kind")
    else:
        variable.grad += value
