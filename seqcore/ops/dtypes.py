"""Keras 3's dtype rules for ops: Python numbers become float32/int32, and an
integer combined with a float takes the float's type (not float64 as in
numpy)."""
import numpy as np

FLOATX = np.dtype("float32")


def convert_to_array(x):
    """`x` as an ndarray; Python floats become float32, ints int32."""
    if isinstance(x, np.ndarray):
        return x
    arr = np.asarray(x)
    if arr.dtype == np.float64 and not isinstance(x, np.generic):
        return arr.astype(FLOATX)
    if arr.dtype == np.int64 and not isinstance(x, np.generic):
        return arr.astype(np.int32)
    return arr


def result_type(*dtypes):
    """The dtype Keras gives an op on arrays of these dtypes."""
    dtypes = [np.dtype(d) for d in dtypes]
    floats = [d for d in dtypes if d.kind in "fc"]
    if floats and len(floats) < len(dtypes):
        return np.result_type(*floats)
    return np.result_type(*dtypes)
