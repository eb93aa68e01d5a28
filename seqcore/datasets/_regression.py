"""The shared reading of Keras's regression .npz datasets (x, y arrays),
shuffled and split as Keras does."""
import numpy as np

from seqcore.datasets._files import find


def check_split(test_split):
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It "
                         f"must be between 0 and 1 (exclusive of 1).")


def read_npz(dataset, path):
    """x and y of `path` (a file name looked for where _files.find looks,
    or an existing path)."""
    import pathlib
    p = pathlib.Path(path)
    if not p.is_file():
        p = find(dataset, [p.name]) / p.name
    with np.load(p, allow_pickle=False) as f:
        if "x" not in f or "y" not in f:
            raise ValueError(f"{p}: expected arrays 'x' and 'y', found "
                             f"{sorted(f.files)}")
        return f["x"], f["y"]


def shuffle_split(x, y, test_split, seed):
    """Keras's order (RandomState(seed).shuffle of the indices), then the
    first (1 - test_split) for training."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), \
        (np.array(x[cut:]), np.array(y[cut:]))
