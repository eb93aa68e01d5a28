"""Reuters newswires as token ids with 46 topics, as Keras's
`reuters.load_data()`: Keras's `reuters.npz` from its cache or SEQCORE_DATA
(its lists of ids are rebuilt without running pickle code)."""
import numpy as np

from seqcore.datasets._files import find
from seqcore.datasets._pickled import load_npz
from seqcore.datasets._sequences import limit, remove_long, shift, shuffled


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None,
              test_split=0.2, seed=113, start_char=1, oov_char=2,
              index_from=3):
    """(x_train, y_train), (x_test, y_test): object arrays of lists of ids
    and topic labels, preprocessed and split as Keras does."""
    folder = find("reuters", (path,))
    data = load_npz(folder / path)
    try:
        xs, labels = data["x"], data["y"]
    except KeyError as exc:
        raise ValueError(f"{folder / path}: not Keras's reuters.npz (missing "
                         f"{exc})") from None
    xs, labels = shuffled(np.random.RandomState(seed), xs, labels)
    xs = shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long(maxlen, xs, labels)
    xs = limit(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return (xs[:cut], labels[:cut]), (xs[cut:], labels[cut:])
