"""CIFAR-100, as Keras's `cifar100.load_data()`: the python files `train`
and `test` of `cifar-100-python/` from Keras's cache or SEQCORE_DATA, read
with an unpickler that rebuilds only arrays and plain containers."""
import numpy as np

from seqcore.config import image_data_format
from seqcore.datasets._files import find
from seqcore.datasets._pickled import safe_load


def _part(path, label_key):
    with open(path, "rb") as f:
        d = safe_load(f, encoding="bytes")
    key = label_key.encode()
    if not isinstance(d, dict) or b"data" not in d or key not in d:
        raise ValueError(f"{path}: not a CIFAR-100 python file")
    data = np.asarray(d[b"data"], np.uint8).reshape(-1, 3, 32, 32)
    return data, np.reshape(np.asarray(d[key]), (-1, 1))


def load_data(label_mode="fine"):
    """(x_train, y_train), (x_test, y_test): uint8 images (50000 and 10000,
    32, 32, 3 for channels_last) and (n, 1) labels.

    Args:
        label_mode: "fine" (100 classes) or "coarse" (20 super-classes).
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode}.")
    folder = find("cifar100", ("train", "test"), subdir="cifar-100-python",
                  extra=())
    key = f"{label_mode}_labels"
    (x_train, y_train), (x_test, y_test) = (_part(folder / "train", key),
                                            _part(folder / "test", key))
    if image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
