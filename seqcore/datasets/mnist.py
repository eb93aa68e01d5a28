"""MNIST handwritten digits, as Keras's `mnist.load_data()`: Keras's
`mnist.npz` from its cache or SEQCORE_DATA."""
import numpy as np

from seqcore.datasets._files import find


def load_data(path="mnist.npz"):
    """(x_train, y_train), (x_test, y_test): uint8 (60000, 28, 28) and
    (60000,), uint8 (10000, 28, 28) and (10000,)."""
    folder = find("mnist", (path,))
    try:
        with np.load(folder / path, allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{folder / path}: not Keras's mnist.npz "
                         f"({exc})") from None
