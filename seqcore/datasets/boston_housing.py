"""Boston housing, as Keras's `boston_housing.load_data()`: the
`boston_housing.npz` file from Keras's cache or SEQCORE_DATA (no
download)."""
from seqcore.datasets._regression import check_split, read_npz, shuffle_split


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """(x_train, y_train), (x_test, y_test): 13 features per house, the
    median value as target; shuffled with `seed` and split as Keras does.

    Args:
        path: the file name (or a path to the file).
        test_split: the fraction kept for testing, in [0, 1).
        seed: the shuffling seed.
    """
    check_split(test_split)
    x, y = read_npz("boston_housing", path)
    return shuffle_split(x, y, test_split, seed)
