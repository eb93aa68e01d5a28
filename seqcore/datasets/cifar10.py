"""CIFAR-10, as Keras's `cifar10.load_data()`: the python batches of
`cifar-10-batches-py/` from Keras's cache or SEQCORE_DATA, read with an
unpickler that rebuilds only arrays and plain containers."""
import numpy as np

from seqcore.datasets._files import find
from seqcore.datasets._pickled import safe_load

FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)


def _batch(path):
    with open(path, "rb") as f:
        d = safe_load(f, encoding="bytes")
    if not isinstance(d, dict) or b"data" not in d or b"labels" not in d:
        raise ValueError(f"{path}: not a CIFAR-10 python batch")
    data = np.asarray(d[b"data"], np.uint8).reshape(-1, 3, 32, 32)
    return data, np.asarray(d[b"labels"], np.uint8)


def load_data():
    """(x_train, y_train), (x_test, y_test): uint8 (50000, 32, 32, 3) and
    (50000, 1), uint8 (10000, 32, 32, 3) and (10000, 1)."""
    folder = find("cifar10", FILES, subdir="cifar-10-batches-py")
    parts = [_batch(folder / name) for name in FILES]
    x_train = np.concatenate([p[0] for p in parts[:5]])
    y_train = np.concatenate([p[1] for p in parts[:5]])
    x_test, y_test = parts[5]
    return ((x_train.transpose(0, 2, 3, 1), y_train.reshape(-1, 1)),
            (x_test.transpose(0, 2, 3, 1), y_test.reshape(-1, 1)))
