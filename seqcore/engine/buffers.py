"""Whether layers' training calls may reuse last step's arrays.

`fit` and `train_on_batch` run each step inside `reused()`: a layer's
`_buffer(key, shape)` then hands back the array it used under `key` at
the previous step, so that a steady-state step allocates nothing large.
Outside (inference, a training call made by the user) every call gets new
arrays, which the caller owns. A layer that keeps several calls' arrays
itself (TimeDistributed over its inner layer) turns reuse off with
`reused(False)` around them. The setting is per thread (a context
variable), so a step on one thread never changes another's.
"""
import contextlib
import contextvars

_REUSE = contextvars.ContextVar("seqcore_buffer_reuse", default=False)


@contextlib.contextmanager
def reused(on=True):
    """Within the block, training calls reuse arrays (on) or not (off)."""
    token = _REUSE.set(bool(on))
    try:
        yield
    finally:
        _REUSE.reset(token)


def reusing():
    """Whether training calls may reuse last step's arrays now."""
    return _REUSE.get()
