"""Fashion-MNIST: 70,000 28x28 grey images of 10 kinds of clothing
(Zalando Research, MIT licence), as Keras's `fashion_mnist.load_data()`.

Read from `fashion-mnist/` in Keras's cache or SEQCORE_DATA, or from
Debian's `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist).
"""
from seqcore.datasets._files import find, read_idx

FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
DEBIAN = "/usr/share/datasets/fashion-mnist"


def load_data():
    """(x_train, y_train), (x_test, y_test): uint8 (60000, 28, 28) and
    (60000,), uint8 (10000, 28, 28) and (10000,)."""
    folder = find("fashion_mnist", FILES, subdir="fashion-mnist",
                  extra=(DEBIAN,),
                  source="On Debian: apt install dataset-fashion-mnist.")
    y_train, x_train, y_test, x_test = (read_idx(folder / f) for f in FILES)
    return (x_train, y_train), (x_test, y_test)
