"""Variable: a named float32 weight array owned by a layer."""
import math

import numpy as np


class Variable:
    """A layer weight: `value` is a numpy array that kernels update in place.

    `path` is `layer_name/weight_name`, as in Keras 3.
    """

    def __init__(self, value, name, path=None, trainable=True):
        self._value = value
        self.name = name
        self.path = path or name
        self.trainable = trainable
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
        return self._value.copy()

    def assign(self, value):
        """Copy `value` into the variable; its shape must match."""
        value = np.asarray(value)
        if value.shape != self._value.shape:
            raise ValueError(
                f"The shape of the target variable and the shape of the "
                f"target value in `variable.assign(value)` must match. "
                f"variable.shape={self._value.shape}, "
                f"Received: value.shape={value.shape}. Target variable: {self}")
        self._value[...] = value

    def __array__(self, dtype=None, copy=None):
        return self._value if dtype is None else self._value.astype(dtype)

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={self.shape}, "
                f"dtype={self.dtype}, value={self._value}>")


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
