"""The global random state: one numpy Generator, reseeded by
`seqcore.utils.set_random_seed`, feeds every unseeded initializer and
dropout mask."""
import random as _py_random

import numpy as np

_generator = np.random.default_rng()


def set_seed(seed):
    """Reseed seqcore's generator, Python's `random` and numpy's legacy one."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) \
            or seed < 0:
        raise ValueError(f"set_random_seed: seed must be a non-negative "
                         f"integer, received {seed!r}")
    _generator = np.random.default_rng(int(seed))
    _py_random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)


def generator(seed=None):
    """A Generator: a fresh one for an integer seed, else the global one."""
    if seed is None:
        return _generator
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(int(seed))
