"""The token-sequence preprocessing Keras applies to IMDB and Reuters."""
import numpy as np


def shuffled(rng, xs, labels):
    order = np.arange(len(xs))
    rng.shuffle(order)
    return xs[order], labels[order]


def remove_long(maxlen, xs, labels):
    keep = [i for i, x in enumerate(xs) if len(x) < maxlen]
    return xs[keep], labels[keep]


def _objects(lists):
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def shift(xs, start_char, index_from):
    """Ids shifted by index_from, with start_char first."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    else:
        xs = [[w + index_from for w in x] for x in xs]
    return _objects(xs)


def limit(xs, num_words, skip_top, oov_char):
    """Ids outside [skip_top, num_words) become oov_char (or are dropped);
    num_words defaults to the largest id, as in Keras."""
    if not num_words:
        num_words = max((max(x) for x in xs if len(x)), default=0)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x]
              for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    return _objects(xs)
