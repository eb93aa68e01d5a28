"""The UCI optical recognition of handwritten digits data, bundled.

1,797 grey-level 8x8 images (pixel values 0..16) of the digits 0-9, the test
part of "Optical Recognition of Handwritten Digits" by E. Alpaydin and
C. Kaynak (1998), UCI Machine Learning Repository,
https://doi.org/10.24432/C50P49, licensed CC BY 4.0. Stored here as
data/digits.npz (uint8 images and labels, in the original order).
"""
import pathlib

import numpy as np

_FILE = pathlib.Path(__file__).resolve().parent / "data" / "digits.npz"

ATTRIBUTION = ("UCI optical digits: E. Alpaydin, C. Kaynak (1998), UCI "
               "Machine Learning Repository, doi:10.24432/C50P49, CC BY 4.0")


def load_digits(test_split=0.2, seed=113):
    """(x_train, y_train), (x_test, y_test): uint8 images (n, 8, 8) with
    values 0..16 and uint8 labels (n,), shuffled with `seed` and split so
    that the last `test_split` of the samples are the test set."""
    if not 0.0 <= test_split < 1.0:
        raise ValueError(f"load_digits: test_split must be in [0, 1), "
                         f"received {test_split}")
    with np.load(_FILE) as data:
        images, labels = data["images"], data["labels"]
    order = np.random.default_rng(seed).permutation(len(labels))
    images, labels = images[order], labels[order]
    cut = len(labels) - int(round(len(labels) * test_split))
    return (images[:cut], labels[:cut]), (images[cut:], labels[cut:])
