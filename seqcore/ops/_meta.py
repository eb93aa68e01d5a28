"""Shape facts of an op argument that may be a traced value (numpy's
np.shape/np.ndim would refuse it): read from its `.shape`."""
import numpy as np


def shape_of(x):
    """x's shape as a tuple (arrays, traced values, Variables, lists)."""
    shape = getattr(x, "shape", None)
    return tuple(shape) if shape is not None else np.shape(x)


def ndim_of(x):
    return len(shape_of(x))


def size_of(x):
    return int(np.prod(shape_of(x), dtype=np.int64))
