"""keras.Variable: a variable made by user code, with Keras's constructor.

Every seqcore weight is an `engine.variables.Variable`; `keras.Variable` is
that class with Keras's signature, and `isinstance(w, keras.Variable)` holds
for every weight, layers' included.
"""
import numpy as np

from seqcore.engine.variables import Variable as _Variable


class _SameFamily(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _Variable)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, _Variable)


class Variable(_Variable, metaclass=_SameFamily):
    """A variable holding a numpy array.

    Args:
        initializer: the initial value (an array or number) or an
            initializer (name or callable) called with `shape` and `dtype`.
        shape: the shape, needed when `initializer` is not a value.
        dtype: the dtype (default: the float type, float32).
        trainable: whether the optimizer updates it.
        autocast, aggregation, synchronization: accepted as in Keras.
        name: the name (default "variable"); its path is the enclosing
            `keras.name_scope` path followed by the name.
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True,
                 autocast=True, aggregation="none", synchronization="auto",
                 name=None):
        from seqcore import initializers
        from seqcore.backend import standardize_dtype
        from seqcore.engine.tape import plain
        if name is None:
            name = "variable"
        if not isinstance(name, str) or "/" in name:
            raise ValueError(f"Argument `name` must be a string and cannot "
                             f"contain character `/`. Received: name={name}")
        dtype = standardize_dtype(dtype)
        if isinstance(initializer, str) or (
                callable(initializer) and not hasattr(initializer, "shape")
                and not isinstance(initializer, _Variable)):
            if shape is None:
                raise ValueError(f"When creating a Variable from an "
                                 f"initializer, the `shape` argument should "
                                 f"be specified. Received: initializer="
                                 f"{initializer} and shape={shape}")
            value = initializers.get(initializer)(tuple(shape), dtype=dtype)
        else:
            value = plain(initializer)
            if isinstance(value, _Variable):
                value = value.numpy()
        value = np.array(value, dtype=dtype)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(f"Initial value has shape {value.shape}, "
                             f"received shape={tuple(shape)}")
        super().__init__(value, name, trainable=trainable)
        self.autocast = autocast
        self.aggregation = aggregation
        self.synchronization = synchronization
