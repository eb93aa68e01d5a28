"""The tf.data.Dataset methods Keras programs chain on the datasets of
`keras.utils.*_dataset_from_*` (`ds.map(f).shuffle(100).prefetch(...)`),
on seqcore's datasets, without TensorFlow.

Every dataset is a PyDataset of elements served by index (an element is
whatever one index gives: a batch after `batch`, one sample after
`unbatch`); each method returns a new dataset that reads its source lazily.
`fit`, `evaluate` and `predict` consume any of them. Elements that are
tuples are unpacked into `map`'s function, as tf.data does.

`prefetch`, `cache` and `with_options` return the dataset itself (seqcore
reads numpy arrays in memory; `PyDataset(workers=...)` is how loading
overlaps training). `repeat()` without a count is endless, so `fit` needs
`steps_per_epoch`, as in Keras.
"""
import numpy as np

from seqcore.utils.py_dataset import PyDataset

INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
AUTOTUNE = -1


def _apply(function, element):
    return function(*element) if isinstance(element, tuple) \
        else function(element)


def _stack(elements):
    """Elements (arrays, or tuples/dicts of them) stacked leaf-wise."""
    first = elements[0]
    if isinstance(first, tuple):
        return tuple(_stack([e[i] for e in elements])
                     for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack([e[k] for e in elements]) for k in first}
    return np.stack([np.asarray(e) for e in elements])


def _split(element):
    """One batched element as its samples."""
    if isinstance(element, tuple):
        parts = [_split(p) for p in element]
        return [tuple(p[i] for p in parts) for i in range(len(parts[0]))]
    if isinstance(element, dict):
        parts = {k: _split(v) for k, v in element.items()}
        count = len(next(iter(parts.values())))
        return [{k: v[i] for k, v in parts.items()} for i in range(count)]
    return list(np.asarray(element))


class DatasetOps:
    """The chainable methods; a subclass is a PyDataset serving elements
    by index, with `len` (None from num_batches: endless)."""

    def _count(self):
        return self.num_batches

    def map(self, map_func, num_parallel_calls=None, deterministic=None,
            name=None):
        """`map_func` applied to each element when it is read."""
        return _Mapped(self, map_func)

    def batch(self, batch_size, drop_remainder=False,
              num_parallel_calls=None, deterministic=None, name=None):
        """Consecutive elements stacked in groups of `batch_size`."""
        return _Batched(self, int(batch_size), drop_remainder)

    def unbatch(self, name=None):
        """Each element split into its samples."""
        return _Unbatched(self)

    def take(self, count, name=None):
        """The first `count` elements (-1: all)."""
        return _Slice(self, 0, None if count < 0 else int(count))

    def skip(self, count, name=None):
        return _Slice(self, int(count), None)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None,
                name=None):
        """The elements in a random order, drawn again every epoch unless
        `reshuffle_each_iteration=False` (the whole dataset is the
        buffer)."""
        return _Shuffled(self, seed, reshuffle_each_iteration is not False)

    def repeat(self, count=None, name=None):
        """The elements `count` times over (None or -1: endlessly)."""
        return _Repeated(self, None if count in (None, -1) else int(count))

    def filter(self, predicate, name=None):
        """The elements for which `predicate` is true."""
        return _Filtered(self, predicate)

    def concatenate(self, dataset, name=None):
        return _Concatenated(self, dataset)

    def prefetch(self, buffer_size=None, name=None):
        return self

    def cache(self, filename="", name=None):
        return self

    def with_options(self, options, name=None):
        return self

    def as_numpy_iterator(self):
        return iter(self)

    def cardinality(self):
        count = self._count()
        return INFINITE_CARDINALITY if count is None else count

    def __len__(self):
        count = self._count()
        if count is None:
            raise TypeError("The dataset is infinite.")
        return count


class _Derived(DatasetOps, PyDataset):
    """A dataset read from `source`."""

    def __init__(self, source):
        super().__init__()
        self.source = source
        self.class_names = getattr(source, "class_names", None)
        self.file_paths = getattr(source, "file_paths", None)

    @property
    def num_batches(self):
        return self._count()

    def _source_count(self):
        if isinstance(self.source, DatasetOps):
            return self.source._count()
        return self.source.num_batches if isinstance(
            self.source, PyDataset) else len(self.source)

    def _check(self, index):
        count = self._count()
        if index < 0 or (count is not None and index >= count):
            raise IndexError(f"element {index} out of range for a dataset "
                             f"of {count} elements")

    def on_epoch_end(self):
        hook = getattr(self.source, "on_epoch_end", None)
        if hook is not None:
            hook()


class _Mapped(_Derived):
    def __init__(self, source, function):
        super().__init__(source)
        self.function = function

    def _count(self):
        return self._source_count()

    def __getitem__(self, index):
        return _apply(self.function, self.source[index])


class _Batched(_Derived):
    def __init__(self, source, size, drop_remainder):
        if size < 1:
            raise ValueError(f"batch_size must be a positive integer, "
                             f"received {size}")
        super().__init__(source)
        self.size, self.drop_remainder = size, drop_remainder

    def _count(self):
        count = self._source_count()
        if count is None:
            return None
        return count // self.size if self.drop_remainder else \
            -(-count // self.size)

    def __getitem__(self, index):
        self._check(index)
        start = index * self.size
        stop = start + self.size
        count = self._source_count()
        if count is not None:
            stop = min(stop, count)
        return _stack([self.source[i] for i in range(start, stop)])


class _Unbatched(_Derived):
    """Samples of the source's batches; the batch sizes are read once."""

    def __init__(self, source):
        super().__init__(source)
        self._offsets = None

    def _index(self):
        if self._offsets is None:
            sizes = [len(_split(self.source[i]))
                     for i in range(self._source_count())]
            self._offsets = np.cumsum([0] + sizes)
        return self._offsets

    def _count(self):
        return int(self._index()[-1])

    def __getitem__(self, index):
        self._check(index)
        batch = int(np.searchsorted(self._index(), index, side="right")) - 1
        return _split(self.source[batch])[index - self._index()[batch]]


class _Slice(_Derived):
    def __init__(self, source, start, count):
        super().__init__(source)
        self.start, self.count = start, count

    def _count(self):
        total = self._source_count()
        if total is None:
            return self.count
        left = max(total - self.start, 0)
        return left if self.count is None else min(left, self.count)

    def __getitem__(self, index):
        self._check(index)
        return self.source[self.start + index]


class _Shuffled(_Derived):
    def __init__(self, source, seed, reshuffle):
        super().__init__(source)
        self._rng = np.random.default_rng(seed)
        self.reshuffle = reshuffle
        self._order = None

    def _count(self):
        return self._source_count()

    def __getitem__(self, index):
        self._check(index)
        if self._order is None:
            self._order = self._rng.permutation(self._count())
        return self.source[int(self._order[index])]

    def on_epoch_end(self):
        super().on_epoch_end()
        if self.reshuffle:
            self._order = None


class _Repeated(_Derived):
    def __init__(self, source, times):
        super().__init__(source)
        self.times = times

    def _count(self):
        count = self._source_count()
        return None if self.times is None else count * self.times

    def __getitem__(self, index):
        self._check(index)
        return self.source[index % self._source_count()]


class _Filtered(_Derived):
    def __init__(self, source, predicate):
        super().__init__(source)
        self.predicate = predicate
        self._kept = None

    def _index(self):
        if self._kept is None:
            self._kept = [i for i in range(self._source_count())
                          if bool(np.asarray(_apply(self.predicate,
                                                    self.source[i])))]
        return self._kept

    def _count(self):
        return len(self._index())

    def __getitem__(self, index):
        self._check(index)
        return self.source[self._index()[index]]


class _Concatenated(_Derived):
    def __init__(self, source, other):
        super().__init__(source)
        self.other = other

    def _count(self):
        first = self._source_count()
        second = len(self.other)
        return None if first is None else first + second

    def __getitem__(self, index):
        self._check(index)
        first = self._source_count()
        return self.source[index] if index < first else \
            self.other[index - first]
