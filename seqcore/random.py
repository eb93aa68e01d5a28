"""The global random state: one numpy Generator, reseeded by
`seqcore.utils.set_random_seed`, feeds every unseeded initializer and
dropout mask."""
import contextlib
import random as _py_random

import numpy as np

_generator = np.random.default_rng()
_held = 0      # > 0 inside held_streams(): draws advance no stream


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


@contextlib.contextmanager
def held_streams():
    """Within the block random draws leave every stream where it was: the
    global generator and each SeedGenerator. Keras infers a custom layer's
    output shape symbolically, which consumes no random numbers; seqcore
    runs the call on zeros instead (Layer._run_on_zeros), inside this."""
    global _held
    start = _generator
    state = start.bit_generator.state
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        start.bit_generator.state = state


# ---- keras.random ----------------------------------------------------------------

class SeedGenerator:
    """A stream of seeds: each draw that takes this generator gets fresh
    random numbers, and the same initial seed gives the same stream.

    Args:
        seed: an integer (None: drawn from the global generator, so it
            follows `set_random_seed`).
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = int(_generator.integers(0, 2**31 - 1))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"SeedGenerator: seed must be an integer or "
                             f"None, received {seed!r}")
        self._initial_seed = int(seed)
        self._counter = 0
        self.name = name or "seed_generator"

    @property
    def state(self):
        return np.array([self._initial_seed, self._counter], np.uint32)

    def next(self):
        """A numpy Generator for the next draw (advances the stream, except
        inside `held_streams()`)."""
        if _held:
            return np.random.default_rng([self._initial_seed,
                                          self._counter + 1])
        self._counter += 1
        return np.random.default_rng([self._initial_seed, self._counter])

    def get_config(self):
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _draw_generator(seed):
    """The Generator for one draw: a SeedGenerator's next state, a fresh one
    for an integer seed (the same numbers every time), else the global
    one."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    return generator(seed)


def _floatx(dtype):
    name = np.dtype(dtype or "float32").name
    if not name.startswith("float"):
        raise ValueError(f"Expected a float dtype, received dtype={dtype!r}")
    return name


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of N(mean, stddev**2), float32 by default."""
    values = _draw_generator(seed).normal(mean, stddev, size=tuple(shape))
    return values.astype(_floatx(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of U[minval, maxval)."""
    if np.dtype(dtype or "float32").kind in "iu":
        raise ValueError("`keras.random.uniform` requires a floating point "
                         "`dtype`; use `keras.random.randint` for integers. "
                         f"Received: dtype={dtype}")
    values = _draw_generator(seed).uniform(minval, maxval, size=tuple(shape))
    return values.astype(_floatx(dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(mean, stddev**2) with values beyond two standard deviations drawn
    again."""
    rng = _draw_generator(seed)
    values = rng.standard_normal(size=tuple(shape))
    bad = np.abs(values) > 2.0
    while bad.any():
        values[bad] = rng.standard_normal(size=int(bad.sum()))
        bad = np.abs(values) > 2.0
    return (mean + stddev * values).astype(_floatx(dtype))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers uniform in [minval, maxval)."""
    if np.dtype(dtype).kind not in "iu":
        raise ValueError(f"`keras.random.randint` requires an integer "
                         f"`dtype`. Received: dtype={dtype}")
    return _draw_generator(seed).integers(minval, maxval, size=tuple(shape),
                                          dtype=np.dtype(dtype))


def shuffle(x, axis=0, seed=None):
    """A copy of `x` with its entries permuted along `axis`."""
    x = np.asarray(x)
    order = _draw_generator(seed).permutation(x.shape[axis])
    return np.take(x, order, axis=axis)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each entry with probability `rate` and scale the rest by
    1 / (1 - rate); `noise_shape` broadcasts one draw over some axes.

    The mask is drawn here and applied with `seqcore.ops.multiply`, so
    inside a custom layer that training differentiates the gradient flows
    through the kept entries (as Keras's dropout is differentiable)."""
    from seqcore import ops
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1), received "
                         f"rate={rate}")
    if not hasattr(inputs, "shape") or not hasattr(inputs, "dtype"):
        inputs = np.asarray(inputs)
    dtype = np.dtype(inputs.dtype)
    if dtype.kind != "f":
        dtype = np.dtype(_floatx(None))
    shape = tuple(inputs.shape) if noise_shape is None else tuple(
        inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = _draw_generator(seed).uniform(size=shape) >= rate
    scale = np.where(keep, 1.0 / (1.0 - rate), 0.0).astype(dtype)
    return ops.multiply(inputs, scale)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """For each row of unnormalized log-probabilities (batch, classes),
    `num_samples` class indices drawn from its softmax."""
    logits = np.asarray(logits, np.float64)
    if logits.ndim != 2:
        raise ValueError(f"`logits` should be a 2-D tensor with shape "
                         f"[batch_size, num_classes]. Received: "
                         f"logits.shape={logits.shape}")
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = _draw_generator(seed).uniform(size=(logits.shape[0], num_samples))
    draws = np.stack([np.searchsorted(row, ui, side="right")
                      for row, ui in zip(cdf, u)])
    return np.minimum(draws, logits.shape[1] - 1).astype(dtype)


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of Gamma(alpha, 1)."""
    return _draw_generator(seed).gamma(alpha, 1.0, size=tuple(shape)) \
        .astype(_floatx(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples of Beta(alpha, beta)."""
    return _draw_generator(seed).beta(alpha, beta, size=tuple(shape)) \
        .astype(_floatx(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples of Binomial(counts, probabilities), as floats."""
    return _draw_generator(seed).binomial(
        np.asarray(counts).astype(np.int64), probabilities,
        size=tuple(shape)).astype(_floatx(dtype))
