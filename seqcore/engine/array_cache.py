"""Large arrays reused while a model runs (csrc/array_cache.c).

Inside `fit`, `evaluate`, `predict`, the `*_on_batch` methods and a model's
`__call__`, numpy allocates through seqcore's array cache: a freed block of
1 MiB or more is parked, and a later array of about the same size takes it
instead of fresh memory from the system. A batch's activations are freed
after their last reader and asked for again by the next batch, so a steady
state allocates nothing large: no mmap, page faults and zeroing of memory
(ResNet50 inference at batch 32 spent a fifth of its time on them). Arrays
created outside these calls use numpy's own allocator.

The parked total is capped: by default at a quarter of the machine's
memory, at most 4 GiB, or at the environment's SEQCORE_ARRAY_CACHE_BYTES.
`keras.backend.clear_session()` returns every parked block to the system.
"""
import functools
import os

from seqcore import _kernels

_DEFAULT_MAX_BYTES = 4 << 30


def default_limit_bytes():
    """The parked total allowed when SEQCORE_ARRAY_CACHE_BYTES is unset."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return _DEFAULT_MAX_BYTES // 4
    return min(_DEFAULT_MAX_BYTES, memory // 4)


def _limit_from_environment():
    value = os.environ.get("SEQCORE_ARRAY_CACHE_BYTES")
    if value is None:
        return default_limit_bytes()
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if limit < 0:
        raise ValueError(f"SEQCORE_ARRAY_CACHE_BYTES must be a non-negative "
                         f"integer number of bytes, received {value!r}")
    return limit


_kernels.array_cache_set_limit(_limit_from_environment())


def uses_array_cache(method):
    """Run `method` with numpy allocating through the array cache."""
    @functools.wraps(method)
    def run(*args, **kwargs):
        previous = _kernels.array_cache_use()
        try:
            return method(*args, **kwargs)
        finally:
            _kernels.array_cache_restore(previous)
    return run


def clear():
    """Return every parked block to the system."""
    _kernels.array_cache_clear()
