"""PyDataset (Keras 2's `Sequence`): a Python object that serves batches by
index, which `fit`, `evaluate` and `predict` consume.

With `workers > 1` the next batches are prepared in a thread pool while the
model trains on the current one (seqcore's kernels release the GIL, so
loading overlaps training), always delivered in index order.
`use_multiprocessing=True` is accepted and served by the same threads:
forking a process that runs OpenMP kernels is unsafe, and threads already
overlap I/O and numpy work with training.
"""
import collections
import concurrent.futures
import itertools


class PyDataset:
    """Base class for datasets served batch by batch.

    Subclasses implement `__len__` (or the `num_batches` property; None
    means endless) and `__getitem__(index)`, which returns a batch: `x`,
    `(x, y)` or `(x, y, sample_weight)`.

    Args:
        workers: threads preparing batches ahead (1: in the training
            thread).
        use_multiprocessing: accepted for compatibility (threads are used).
        max_queue_size: how many batches may be prepared ahead.
    """

    def __init__(self, workers=1, use_multiprocessing=False,
                 max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _settings(self):
        # A subclass that forgot super().__init__() still works.
        return (getattr(self, "_workers", 1),
                getattr(self, "_max_queue_size", 10))

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  f"__getitem__(index), returning a batch")

    @property
    def num_batches(self):
        """The number of batches (None: endless)."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  f"__len__ or the num_batches property")

    def __iter__(self):
        count = self.num_batches
        indices = range(count) if count is not None else itertools.count()
        for index in indices:
            yield self[index]

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch (shuffle here)."""


Sequence = PyDataset


def batches_in_order(dataset, indices):
    """The batches `dataset[i]` for i in `indices` (a count n for 0 .. n - 1,
    an iterable of batch indices, or None for 0, 1, ... until the dataset
    raises IndexError / StopIteration), prepared ahead by its `workers`
    threads (at most `max_queue_size` waiting) and delivered in order."""
    workers, queue_size = dataset._settings() if isinstance(
        dataset, PyDataset) else (1, 10)
    if indices is None:
        indices = itertools.count()
    elif isinstance(indices, int):
        indices = range(indices)
    if workers <= 1:
        for index in indices:
            yield dataset[index]
        return
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        pending = collections.deque()
        indices = iter(indices)
        for index in itertools.islice(indices, max(queue_size, 1)):
            pending.append(pool.submit(dataset.__getitem__, index))
        try:
            while pending:
                batch = pending.popleft().result()
                for index in itertools.islice(indices, 1):
                    pending.append(pool.submit(dataset.__getitem__, index))
                yield batch
        finally:
            for future in pending:     # stopped early: drop what is queued
                future.cancel()
