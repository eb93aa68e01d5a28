"""keras.backend: Keras 3's names (the config getters and setters,
clear_session, dtype helpers) and the Keras 2 functions scripts still call
(`K.int_shape`, `K.count_params`, `K.get_value`/`K.set_value`, `K.epsilon`).
"""
import numpy as np

from seqcore.config import (backend, epsilon, floatx, image_data_format,
                            set_epsilon, set_floatx, set_image_data_format)

_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
_uids = {}
_INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16",
               "uint32", "uint64")


def clear_session(free_memory=True):
    """Reset the global state, as Keras does: automatic layer names start
    again (the next Dense is `dense`), `get_uid` counters restart, the
    objects of an open `custom_object_scope` are forgotten and
    `keras.config.enable_unsafe_deserialization()` is undone, and the
    large arrays parked for reuse between batches (seqcore's array cache)
    go back to the system. Registered custom objects
    (`register_keras_serializable`) and the config (`image_data_format`,
    `epsilon`) are kept.

    Args:
        free_memory: run Python's garbage collector afterwards.
    """
    from seqcore import config
    from seqcore.engine import array_cache
    from seqcore.engine.naming import reset_names
    from seqcore.saving.object_registration import reset_scope
    reset_names()
    _uids.clear()
    reset_scope()
    config._SETTINGS["unsafe_deserialization"] = False
    if free_memory:
        import gc
        gc.collect()
    array_cache.clear()


def is_keras_tensor(x):
    """Whether `x` is a symbolic tensor (from `keras.Input` or a layer call
    on one)."""
    from seqcore.engine.keras_tensor import KerasTensor
    return isinstance(x, KerasTensor)


def standardize_dtype(dtype):
    """A dtype's canonical name ("float32", "int32", "bool", ...), as Keras
    names them: None and Python's `float` are "float32", "int" and `int`
    are "int32"."""
    if dtype is None or dtype is float:
        return floatx()
    if dtype == "int" or dtype is int:
        return "int32"
    if dtype is bool:
        return "bool"
    if hasattr(dtype, "name") and not isinstance(dtype, (np.dtype, str)):
        dtype = dtype.name
    try:
        name = np.dtype(dtype).name if dtype != "float" else None
    except TypeError:
        name = None
    if name not in _FLOAT_DTYPES + _INT_DTYPES + ("bool", "complex64",
                                                   "complex128"):
        raise ValueError(f"Invalid dtype: {dtype}")
    return name


def is_float_dtype(dtype):
    return standardize_dtype(dtype) in _FLOAT_DTYPES


def is_int_dtype(dtype):
    return standardize_dtype(dtype) in _INT_DTYPES


def result_type(*dtypes):
    """The dtype of an operation on these dtypes, by numpy's promotion with
    Keras's rule that a float32 mixed with integers stays float32."""
    from seqcore.ops.dtypes import result_type as ops_result_type
    return ops_result_type(*dtypes)


def get_uid(prefix=""):
    """1 for the first call with a prefix, then 2, 3, ... (reset by
    clear_session)."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


# ---- Keras 2 functions --------------------------------------------------------

def int_shape(x):
    """The shape of a tensor, array, variable or symbolic tensor as a tuple
    (None for unknown dimensions)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        raise ValueError(f"int_shape: expected a tensor, array or variable, "
                         f"received {type(x).__name__}")
    return tuple(None if d is None else int(d) for d in shape)


def count_params(x):
    """The number of scalars in a variable or array."""
    return int(np.prod(int_shape(x), dtype=np.int64))


def get_value(x):
    """A numpy copy of a variable's value (or the value itself for arrays and
    numbers, as `optimizer.learning_rate`)."""
    if hasattr(x, "numpy"):
        return x.numpy()
    return np.asarray(x) if isinstance(x, (list, tuple, np.ndarray)) else x


def set_value(x, value):
    """Assign `value` to a variable (a layer weight, or an optimizer's
    `learning_rate`)."""
    if not hasattr(x, "assign"):
        raise ValueError(f"set_value: expected a variable (something with "
                         f"`assign`), received {type(x).__name__}")
    x.assign(value)


def batch_get_value(tensors):
    return [get_value(x) for x in tensors]


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


__all__ = ["backend", "batch_get_value", "batch_set_value", "clear_session",
           "count_params", "epsilon", "floatx", "get_uid", "get_value",
           "image_data_format", "int_shape", "is_float_dtype", "is_int_dtype",
           "is_keras_tensor", "result_type", "set_epsilon", "set_floatx",
           "set_image_data_format", "set_value", "standardize_dtype"]
