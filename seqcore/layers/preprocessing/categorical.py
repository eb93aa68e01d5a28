"""Integer-category layers: CategoryEncoding and Discretization, with the
one-hot / multi-hot / count encoding they share."""
import numbers

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.layers.preprocessing import _base
from seqcore.saving.serialization import register_builtin

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def encode(layer, ids, mode, depth, count_weights=None):
    """Encode integer ids (any rank) over `depth` categories, as Keras:
    one_hot adds an axis (replacing a trailing axis of size 1); multi_hot
    and count reduce the last axis (a rank-1 input is one sample)."""
    if mode == "int":
        return ids
    if ids.ndim == 0:
        ids = ids[np.newaxis]
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        bad = ids.min() if ids.min() < 0 else ids.max()
        raise ValueError(f"{type(layer).__name__} '{layer.name}': input "
                         f"value {bad} is out of range for {depth} tokens "
                         f"(values must be in [0, {depth}))")
    if mode == "one_hot":
        if ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ids[..., 0]
        return np.eye(depth, dtype=np.float32)[ids]
    rows = ids.reshape(-1, ids.shape[-1])
    out = np.zeros((rows.shape[0], depth), np.float32)
    if mode == "multi_hot":
        np.put_along_axis(out, rows, 1.0, axis=1)
    else:
        weights = np.ones(rows.shape, np.float32) if count_weights is None \
            else np.asarray(count_weights, np.float32).reshape(rows.shape)
        for i in range(rows.shape[0]):
            np.add.at(out[i], rows[i], weights[i])
    return out.reshape(ids.shape[:-1] + (depth,))


def encoded_shape(mode, input_shape, depth):
    input_shape = tuple(input_shape)
    if mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)


@register_builtin
class CategoryEncoding(Layer):
    """Encodes integer categories in [0, num_tokens).

    Args:
        num_tokens: the number of categories.
        output_mode: 'multi_hot' (default; 'binary' is its old name),
            'one_hot' or 'count' (call(inputs, count_weights=...) weighs
            the counts).
        sparse: must be False (seqcore's arrays are dense).
    Shape: integer ids (batch, n) -> (batch, num_tokens) for multi_hot and
    count; one_hot adds a num_tokens axis.
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False,
                 **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode!r} "
                             f"(expected 'count', 'one_hot' or 'multi_hot')")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If "
                             "the number of tokens is not known beforehand, "
                             "use the IntegerLookup layer instead.")
        self.num_tokens = _base.positive_int("CategoryEncoding",
                                             "num_tokens", num_tokens)
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not supported "
                             "by seqcore (outputs are dense arrays)")
        self.output_mode = output_mode
        self.sparse = False

    def _convert_input(self, inputs):
        return _base.as_ints(self.name, inputs)

    def call(self, inputs, training=None, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"`count_weights` is not used when "
                             f"`output_mode` is not `'count'`. Received "
                             f"`count_weights={count_weights}`.")
        return encode(self, inputs, self.output_mode, self.num_tokens,
                      count_weights)

    def backward(self, dy):
        return None     # integer inputs have no gradient

    def compute_output_shape(self, input_shape):
        return encoded_shape(self.output_mode, input_shape, self.num_tokens)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens,
                       "output_mode": self.output_mode})
        return config


# ---- quantile summaries for Discretization.adapt ----------------------------
#
# A summary is a (2, k) array: sorted values and the number of data points
# each stands for. Batches are summarised, merged, and compressed to about
# 1 / epsilon points; the final boundaries are the interpolated quantiles.

def _summarize(values, epsilon):
    values = np.sort(np.reshape(values, -1))
    step = max(values.size * epsilon, 1)
    picked = values[int(step - 1)::int(step)]
    return np.stack([picked, np.full(picked.shape, step, picked.dtype)])


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = np.arange(0.0, 1.0, epsilon) + epsilon
    cumulative = np.cumsum(summary[1])
    fraction = cumulative / cumulative[-1]
    values = np.interp(targets, fraction, summary[0])
    weights = np.diff(np.interp(targets, fraction, cumulative), prepend=0.0)
    return np.stack([values, weights]).astype(np.float32)


def _merge(a, b, epsilon):
    both = np.concatenate([a, b], axis=1)
    return _compress(both[:, np.argsort(both[0], kind="stable")], epsilon)


@register_builtin
class Discretization(Layer):
    """Buckets numbers by boundaries: bucket i holds bin_boundaries[i-1] <=
    x < bin_boundaries[i] (np.digitize).

    Args:
        bin_boundaries: sorted boundaries (n of them give n + 1 buckets), or
        num_bins: the number of buckets, their boundaries found by adapt().
        epsilon: error tolerance of adapt()'s quantiles.
        output_mode: 'int' (default: bucket ids, int32), 'one_hot',
            'multi_hot' or 'count'.
        sparse: must be False.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01,
                 output_mode="int", sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"Discretization: output_mode must be one of "
                             f"{list(OUTPUT_MODES)}, received "
                             f"output_mode={output_mode!r}")
        if sparse:
            raise ValueError("Discretization: sparse=True is not supported "
                             "by seqcore (outputs are dense arrays)")
        if num_bins is not None and (
                not isinstance(num_bins, numbers.Integral) or num_bins < 0):
            raise ValueError(f"`num_bins` must be greater than or equal to "
                             f"0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should "
                             f"not be set. Received: `num_bins={num_bins}` "
                             f"and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or "
                             "`bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None \
            else [float(b) for b in bin_boundaries]
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self._summary = np.zeros((2, 0), np.float32)

    def adapt(self, data, steps=None):
        """Find num_bins - 1 boundaries at the quantiles of `data` (an
        array or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has "
                             "been initialized with `bin_boundaries`, use "
                             "`num_bins` instead.")
        batches = [data] if isinstance(data, np.ndarray) or \
            not hasattr(data, "__iter__") else list(data)[:steps]
        summary = np.zeros((2, 0), np.float32)
        for batch in batches:
            batch = np.asarray(batch).astype(np.float32)
            summary = _merge(_summarize(batch, self.epsilon), summary,
                             self.epsilon)
        self._summary = summary
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[
            0, :-1].tolist()

    def _depth(self):
        return len(self.bin_boundaries) + 1 if self.bin_boundaries \
            is not None else self.num_bins

    def call(self, inputs, training=None):
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at "
                "construction time or call `adapt(dataset)` before you can "
                "start using the `Discretization` layer.")
        ids = np.digitize(inputs, np.asarray(self.bin_boundaries,
                                             np.float32))
        if self.output_mode == "int":
            return ids.astype(np.int32)
        return encode(self, ids, self.output_mode, self._depth())

    def backward(self, dy):
        return None     # piecewise constant: no gradient

    def _output_dtype(self, input_dtype):
        return "int32" if self.output_mode == "int" else "float32"

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode in ("multi_hot", "count") and \
                len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (self._depth(),)
        return encoded_shape(self.output_mode, input_shape, self._depth())

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse,
                # Keras writes the variable dtype as a string here
                "name": self.name,
                "dtype": self.dtype_policy.variable_dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        boundaries = config.get("bin_boundaries")
        if boundaries is not None and config.get("num_bins") is not None:
            del config["bin_boundaries"]
            layer = cls(**config)
            layer.bin_boundaries = [float(b) for b in boundaries]
            return layer
        return cls(**config)
