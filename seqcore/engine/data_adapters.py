"""What `fit`, `evaluate` and `predict` accept as data, one adapter per
kind of input (as Keras 3's trainers/data_adapters):

- ArrayAdapter: numpy arrays (a list, tuple or dict of them for several
  inputs or outputs), cut into batches by index; the fast path.
- PyDatasetAdapter: a `keras.utils.PyDataset` (`Sequence`), including
  seqcore's ArrayDataset returned by `timeseries_dataset_from_array`,
  `image/text_dataset_from_directory` and `split_dataset`; `len()` batches
  per epoch, prepared ahead by its `workers` threads, `on_epoch_begin` /
  `on_epoch_end` called around each epoch.
- GeneratorAdapter: a Python generator or iterator of batches.

A batch from a dataset or generator is `x`, `(x,)`, `(x, y)` or
`(x, y, sample_weight)`; `x` and `y` may be arrays, lists/tuples of
arrays, or dicts keyed by input / output name.

The EpochIterator walks an adapter epoch by epoch as Keras's does: with
`steps_per_epoch` a dataset or generator is not restarted between
epochs; it is restarted when its last batch has been served.
"""
import inspect
import itertools
import types
import warnings

import numpy as np

from seqcore import config as sc_config
from seqcore import random as sc_random
from seqcore.engine import data as data_utils
from seqcore.utils.py_dataset import PyDataset, batches_in_order

RAN_OUT = ("Your input ran out of data; interrupting training. Make sure "
           "that your dataset or generator can generate at least "
           "`steps_per_epoch * epochs` batches.")


# Marks validation data already converted to checked arrays (the part
# validation_split cuts from fit's arrays).
PREPARED = object()


def is_generator(x):
    """Whether x is a Python generator or iterator (not an array, not a
    PyDataset)."""
    if isinstance(x, (types.GeneratorType,)) or inspect.isgenerator(x):
        return True
    return hasattr(x, "__next__") and hasattr(x, "__iter__") and \
        not isinstance(x, (np.ndarray, PyDataset, str, bytes))


def _unsupported(arg, what, kind):
    raise ValueError(f"`{arg}` argument is not supported when using {kind} "
                     f"as input. Instead, provide {what} as part of the "
                     f"batches your {kind} returns: (x, y) or (x, y, "
                     f"sample_weight).")


def unpack_batch(batch, kind="the dataset"):
    """(x, y, sample_weight) of one batch from a dataset or generator."""
    if isinstance(batch, np.ndarray) or isinstance(batch, dict):
        return batch, None, None
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple) or len(batch) not in (1, 2, 3):
        raise ValueError(
            f"Each batch of {kind} must be a tuple (inputs,), (inputs, "
            f"targets) or (inputs, targets, sample_weights), or a dict of "
            f"inputs. Received: {str(batch)[:100]} of type "
            f"{type(batch).__name__}")
    return batch + (None,) * (3 - len(batch))


def unpack_validation(data):
    """fit's `validation_data` as (x, y, sample_weight): a tuple or list
    (x, y) / (x, y, sample_weight) of arrays, or a PyDataset / generator
    (x, None, None)."""
    if isinstance(data, PyDataset) or is_generator(data):
        return data, None, None
    if isinstance(data, (list, tuple)) and len(data) in (2, 3):
        return tuple(data) + (None,) * (3 - len(data))
    raise ValueError(
        f"validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
        f"val_sample_weight), a keras.utils.PyDataset or a Python "
        f"generator; received {type(data).__name__}"
        + (f" of length {len(data)}" if isinstance(data, (list, tuple))
           else ""))


def no_batches_message(adapter, epoch):
    """The error when an epoch (None: an evaluation) got no batch."""
    where = "" if epoch is None else f" in epoch {epoch + 1}"
    if isinstance(adapter, GeneratorAdapter):
        return (f"The generator gave no batch{where}: a generator is "
                f"consumed once. Pass `steps_per_epoch` (and "
                f"`validation_steps`) with a generator that yields at least "
                f"steps_per_epoch * epochs batches (for example one that "
                f"loops forever), or pass a keras.utils.PyDataset, which is "
                f"read again every epoch.")
    return f"{adapter.kind} gave no batch{where} (it has length 0)"


class DataAdapter:
    """One kind of input. `num_batches`: batches in an epoch (None when
    unknown: the data says when it ends). `iterator()` gives one pass of
    batches; `prepared` says whether they are already (xs, ys, sw) lists
    of checked arrays, or raw batches the trainer converts; `peek()` is a
    first batch (to build the model); `class_weight` is applied by the
    trainer to raw batches."""

    num_batches = None
    prepared = False
    kind = "the data"
    class_weight = None

    def peek(self):
        raise NotImplementedError

    def iterator(self):
        raise NotImplementedError

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


class ArrayAdapter(DataAdapter):
    """Arrays already converted by the trainer (lists xs, ys and the
    sample weights), served as index slices; shuffled each epoch when
    `shuffle` (seqcore.random's generator), `steps` cycles through the
    batches."""

    prepared = True
    kind = "the arrays"

    def __init__(self, xs, ys, sw, batch_size, shuffle=False, steps=None):
        self.xs, self.ys, self.sw = xs, ys, sw
        self.n = xs[0].shape[0]
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps = steps
        self.num_batches = steps or -(-self.n // batch_size)

    def iterator(self):
        if not self.shuffle and self.steps is None:
            for start in range(0, self.n, self.batch_size):
                index = slice(start, start + self.batch_size)
                yield (data_utils.take(self.xs, index),
                       data_utils.take(self.ys, index),
                       None if self.sw is None else self.sw[index])
            return
        for index in data_utils.batch_indices(self.n, self.batch_size,
                                              self.shuffle, self.steps):
            yield (data_utils.take(self.xs, index),
                   data_utils.take(self.ys, index),
                   None if self.sw is None else self.sw[index])


class PyDatasetAdapter(DataAdapter):
    """A PyDataset: batch i is `dataset[i]`; with `shuffle` the batch order
    is shuffled each epoch (finite datasets only, as in Keras)."""

    kind = "the PyDataset"

    def __init__(self, dataset, shuffle=False, batch_size=None):
        from seqcore.utils.dataset_pipeline import DatasetOps
        from seqcore.utils.dataset_utils import ArrayDataset
        if isinstance(dataset, ArrayDataset) and dataset.batch_size is None:
            # An unbatched dataset (split_dataset's): batched here.
            dataset = dataset.batch(batch_size or 32)
        self.dataset = dataset
        self.num_batches = dataset.num_batches
        stands_for_tf_data = isinstance(dataset, DatasetOps)
        if self.num_batches is None and shuffle and not stands_for_tf_data:
            warnings.warn("`shuffle=True` was passed, but will be ignored "
                          "since the data `x` was provided as an infinite "
                          "PyDataset. The PyDataset is expected to already "
                          "be shuffled.", stacklevel=4)
        self.shuffle = shuffle and self.num_batches is not None
        if stands_for_tf_data:
            # seqcore's stand-in for the tf.data.Dataset that Keras's
            # utils (timeseries_dataset_from_array, *_dataset_from_directory,
            # split_dataset) return: Keras's fit never reorders a Dataset
            # (shuffle=True is ignored; the utils shuffle themselves).
            self.shuffle = False

    def peek(self):
        if self.num_batches == 0:
            raise ValueError("The PyDataset has length 0: it has no batch "
                             "to train on")
        return self.dataset[0]

    def iterator(self):
        count = self.num_batches
        if count is None:
            return batches_in_order(self.dataset, None)
        indices = sc_random.generator().permutation(count).tolist() \
            if self.shuffle else range(count)
        return batches_in_order(self.dataset, indices)

    def on_epoch_begin(self):
        hook = getattr(self.dataset, "on_epoch_begin", None)
        if hook is not None:
            hook()

    def on_epoch_end(self):
        hook = getattr(self.dataset, "on_epoch_end", None)
        if hook is not None:
            hook()


class GeneratorAdapter(DataAdapter):
    """A Python generator or iterator: its batches in the order it yields
    them; its length is unknown. `peek()` takes its first batch, which
    the next pass then yields first."""

    kind = "the generator"

    def __init__(self, generator):
        self.generator = generator
        self._first = None

    def peek(self):
        if self._first is None:
            try:
                self._first = (next(iter(self.generator)),)
            except StopIteration:
                raise ValueError("The generator is empty: it yielded no "
                                 "batch") from None
        return self._first[0]

    def iterator(self):
        if self._first is not None:
            first, self._first = self._first, None
            return itertools.chain(first, self.generator)
        return iter(self.generator)


def get_adapter(x, y, sample_weight, batch_size, shuffle, steps, what):
    """The adapter for a non-array `x` (a PyDataset or a generator), after
    Keras's checks of the arguments that such inputs carry in their
    batches; None for arrays (the trainer's fast path)."""
    if isinstance(x, PyDataset):
        kind = "PyDataset"
    elif is_generator(x):
        kind = "a Python generator"
    else:
        return None
    if y is not None:
        _unsupported("y", "the targets", kind)
    if sample_weight is not None:
        _unsupported("sample_weights", "the sample weights", kind)
    if isinstance(x, PyDataset):
        return PyDatasetAdapter(x, shuffle, batch_size)
    return GeneratorAdapter(x)


class EpochIterator:
    """Steps of one epoch after another over an adapter.

    Args:
        adapter: a DataAdapter.
        steps_per_epoch: steps per epoch, or None (the adapter's
            num_batches, or until the data ends).
    """

    def __init__(self, adapter, steps_per_epoch=None):
        cap = sc_config.max_steps_per_epoch()
        if cap and (not steps_per_epoch or cap < steps_per_epoch):
            warnings.warn(f"Limiting steps_per_epoch to {cap}", stacklevel=3)
            steps_per_epoch = cap
        self.adapter = adapter
        self.steps_per_epoch = steps_per_epoch
        self._num_batches = adapter.num_batches
        self._iterator = None
        self._seen = 0

    @property
    def num_batches(self):
        """Steps in an epoch (None while unknown)."""
        return self.steps_per_epoch or self._num_batches

    def epoch(self):
        """Yields (step, batch) for one epoch. The caller calls
        adapter.on_epoch_begin/on_epoch_end around it."""
        steps = self.steps_per_epoch or self._num_batches
        if self.adapter.prepared and self.steps_per_epoch is None:
            yield from enumerate(self.adapter.iterator())
            return
        if self._iterator is None or self.steps_per_epoch is None:
            self._iterator = iter(self.adapter.iterator())
            self._seen = 0
        step = 0
        while steps is None or step < steps:
            if self._num_batches and self._seen >= self._num_batches and \
                    not self.adapter.prepared:
                if self.steps_per_epoch:
                    warnings.warn(RAN_OUT, stacklevel=3)
                break
            try:
                batch = next(self._iterator)
            except StopIteration:
                if self._num_batches is None:
                    self._num_batches = self._seen
                warnings.warn(RAN_OUT, stacklevel=3)
                self._iterator = None
                return
            self._seen += 1
            yield step, batch
            step += 1
        if self._num_batches and self._seen >= self._num_batches:
            self._iterator = None
