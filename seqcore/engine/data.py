"""Input handling for fit / evaluate / predict: arrays in, checked, split
and cut into batches."""
import math

import numpy as np

from seqcore import random as sc_random


def as_array_list(data, what):
    """One array or a list/tuple of arrays (multi-input or multi-output) as
    a list of numpy arrays: integers stay integers (token ids), everything
    else becomes float32."""
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    arrays = []
    for item in items:
        if isinstance(item, dict):
            raise ValueError(f"`{what}` as a dict is not supported by "
                             f"seqcore; pass arrays in the model's order")
        try:
            array = np.asarray(item)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"`{what}` must be numpy arrays; received "
                             f"{type(item).__name__}: {exc}") from None
        if _is_text(array):
            arrays.append(array)    # for the string preprocessing layers
            continue
        if array.dtype == object or array.dtype.kind not in "biuf":
            raise ValueError(f"`{what}` must hold numbers; received an array "
                             f"of dtype {array.dtype}")
        if array.ndim == 0:
            raise ValueError(f"`{what}` must have a batch axis; received a "
                             f"scalar")
        if array.dtype.kind not in "iu":
            array = array.astype(np.float32, copy=False)
        arrays.append(array)
    return arrays


def _is_text(array):
    """Whether `array` holds strings (str or bytes), as the inputs of
    StringLookup or TextVectorization."""
    if array.dtype.kind in "US":
        return array.ndim > 0
    return array.dtype == object and array.size > 0 and array.ndim > 0 and \
        all(isinstance(v, (str, bytes)) for v in array.reshape(-1))


def check_finite(arrays, what):
    for i, array in enumerate(arrays):
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            bad = np.argwhere(~np.isfinite(array))[0]
            name = what if len(arrays) == 1 else f"{what}[{i}]"
            raise ValueError(f"`{name}` contains NaN or infinite values "
                             f"(first at index {tuple(int(b) for b in bad)}); "
                             f"clean the data before training")


class PerOutputWeights:
    """Sample weights given per output (a list, or a dict keyed by output
    name, as Keras accepts for a model with several outputs): one array or
    None per output. Indexing with a batch index slices every array."""

    def __init__(self, arrays):
        self.arrays = list(arrays)

    def __getitem__(self, index):
        return PerOutputWeights(None if a is None else a[index]
                                for a in self.arrays)

    def __len__(self):
        return len(self.arrays)

    def sizes(self):
        return [a.shape[0] for a in self.arrays if a is not None]

    def for_output(self, i):
        return self.arrays[i] if i < len(self.arrays) else None


def output_weight(sample_weight, i):
    """The sample weights of output i: the one array given for all outputs,
    or output i's own when they were given per output."""
    if isinstance(sample_weight, PerOutputWeights):
        return sample_weight.for_output(i)
    return sample_weight


def cardinality(x, y=None, sample_weight=None):
    """The common number of samples, or Keras's error when they differ."""
    sizes = {"x": [a.shape[0] for a in x]}
    if y is not None:
        sizes["y"] = [a.shape[0] for a in y]
    if sample_weight is not None:
        sizes["sample_weight"] = sample_weight.sizes() if isinstance(
            sample_weight, PerOutputWeights) else [sample_weight.shape[0]]
    counts = {n for group in sizes.values() for n in group}
    if len(counts) != 1:
        detail = " ".join(f"'{k}' sizes: {', '.join(map(str, v))}"
                          for k, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous. Make sure all "
                         f"arrays contain the same number of samples. "
                         f"{detail}")
    return counts.pop()


def class_weights_to_sample_weights(y, class_weight):
    """Per-sample weights from {class index: weight}, for integer labels or
    one-hot rows."""
    labels = np.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = np.argmax(labels, axis=-1)
    elif labels.ndim > 1:
        labels = labels[..., 0]
    labels = np.round(labels).astype(np.int64).reshape(labels.shape[0], -1)
    weights = np.ones(labels.shape, np.float32)
    for cls, w in class_weight.items():
        weights[labels == int(cls)] = w
    return weights.reshape(labels.shape[0]) if weights.shape[1] == 1 \
        else weights


def split_validation(arrays, fraction):
    """Keras's validation_split: the last `fraction` of the samples (taken
    before any shuffling). arrays: lists of arrays or None."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_split must be a float in (0, 1), "
                         f"received {fraction}")
    n = next(a[0].shape[0] for a in arrays if a is not None)
    cut = int(math.floor(n * (1.0 - fraction)))
    if cut == 0 or cut == n:
        raise ValueError(f"validation_split={fraction} leaves no training "
                         f"or no validation samples out of {n}")
    train = [None if a is None else [v[:cut] for v in a] for a in arrays]
    val = [None if a is None else [v[cut:] for v in a] for a in arrays]
    return train, val


def batch_indices(n, batch_size, shuffle, steps=None):
    """Index arrays of each batch of one epoch (the last may be partial)."""
    order = sc_random.generator().permutation(n) if shuffle else \
        np.arange(n)
    batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
    if steps is not None:
        cycles = -(-steps // max(len(batches), 1))
        batches = (batches * cycles)[:steps]
    return batches


def take(arrays, index):
    if arrays is None:
        return None
    if isinstance(index, slice):
        return [a[index] for a in arrays]
    return [a[index] for a in arrays]
