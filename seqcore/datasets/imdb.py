"""IMDB movie reviews as token ids, as Keras's `imdb.load_data()`: Keras's
`imdb.npz` from its cache or SEQCORE_DATA (its lists of ids are rebuilt
without running pickle code)."""
import numpy as np

from seqcore.datasets._files import find
from seqcore.datasets._pickled import load_npz
from seqcore.datasets._sequences import limit, remove_long, shift, shuffled


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """(x_train, y_train), (x_test, y_test): object arrays of lists of ids
    and their labels, preprocessed as Keras does."""
    folder = find("imdb", (path,))
    data = load_npz(folder / path)
    try:
        x_train, y_train = data["x_train"], data["y_train"]
        x_test, y_test = data["x_test"], data["y_test"]
    except KeyError as exc:
        raise ValueError(f"{folder / path}: not Keras's imdb.npz (missing "
                         f"{exc})") from None
    rng = np.random.RandomState(seed)
    x_train, y_train = shuffled(rng, x_train, y_train)
    x_test, y_test = shuffled(rng, x_test, y_test)
    xs = shift(np.concatenate([x_train, x_test]), start_char, index_from)
    x_train, x_test = xs[:len(x_train)], xs[len(x_train):]
    if maxlen:
        x_train, y_train = remove_long(maxlen, x_train, y_train)
        x_test, y_test = remove_long(maxlen, x_test, y_test)
        if not len(x_train) or not len(x_test):
            raise ValueError(f"After filtering for sequences shorter than "
                             f"maxlen={maxlen}, no sequence was kept. "
                             f"Increase maxlen.")
    xs = limit(np.concatenate([x_train, x_test]), num_words, skip_top,
               oov_char)
    return (xs[:len(x_train)], y_train), (xs[len(x_train):], y_test)
