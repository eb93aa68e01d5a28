"""California housing, as Keras's `california_housing.load_data()`: the
`california_housing.npz` file from Keras's cache or SEQCORE_DATA (no
download)."""
from seqcore.datasets._regression import check_split, read_npz, shuffle_split


def load_data(version="large", path="california_housing.npz",
              test_split=0.2, seed=113):
    """(x_train, y_train), (x_test, y_test): 8 features per block, the
    median house value as target.

    Args:
        version: "large" (all 20640 rows) or "small" (the first 600).
        path: the file name (or a path to the file).
        test_split: the fraction kept for testing, in [0, 1).
        seed: the shuffling seed.
    """
    check_split(test_split)
    if version not in ("small", "large"):
        raise ValueError(f"Argument `version` must be one of 'small', "
                         f"'large'. Received: version={version}")
    x, y = read_npz("california_housing", path)
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffle_split(x, y, test_split, seed)
