"""keras.datasets-style loaders, reading files already on the machine (no
download): `mnist`, `fashion_mnist`, `cifar10`, `imdb` and `reuters`
(`load_data()`), and `load_digits()` for the digits bundled with seqcore."""
from seqcore.datasets import cifar10, fashion_mnist, imdb, mnist, reuters
from seqcore.datasets import boston_housing, california_housing, cifar100
from seqcore.datasets.digits import load_digits

__all__ = ["boston_housing", "california_housing", "cifar100", "cifar10", "fashion_mnist", "imdb", "load_digits", "mnist",
           "reuters"]
