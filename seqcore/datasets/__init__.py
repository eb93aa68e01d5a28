"""keras.datasets-style loaders, reading files already on the machine (no
download): `mnist` and `fashion_mnist` (`load_data()`), and `load_digits()`
for the digits bundled with seqcore."""
from seqcore.datasets import fashion_mnist, mnist
from seqcore.datasets.digits import load_digits

__all__ = ["fashion_mnist", "load_digits", "mnist"]
