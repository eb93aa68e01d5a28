"""Sorting and searching ops (keras.ops.sort, argsort, top_k, in_top_k,
searchsorted, digitize, argpartition, bincount, histogram, unique).
sort and top_k values are differentiable: they gather x by the sorting
indices with take_along_axis, so each value's gradient goes back to the
element it came from."""
import numpy as np

from seqcore.ops._meta import ndim_of, shape_of

from seqcore.engine.tape import constant, plain
from seqcore.ops.dtypes import convert_to_array
from seqcore.ops.shape_ops import take_along_axis


@constant
def argsort(x, axis=-1):
    """The indices that sort x along `axis` (stable; int32; flattened x
    when axis is None)."""
    x = convert_to_array(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.ndim == 0:
        return np.zeros((), np.int32)
    return np.argsort(x, axis=axis, kind="stable").astype(np.int32)


def sort(x, axis=-1):
    """x sorted ascending along `axis` (flattened x when None)."""
    if axis is None:
        from seqcore.ops.shape_ops import ravel
        x, axis = ravel(x), 0
    if ndim_of(plain(x)) == 0:
        return x
    return take_along_axis(x, argsort(x, axis=axis), axis=axis)


@constant
def _top_k_indices(x, k):
    x = convert_to_array(x)
    if x.dtype.kind == "b":
        x = x.astype(np.int8)
    order = np.argsort(-x if x.dtype.kind in "fi" else ~x, axis=-1,
                       kind="stable")
    return order[..., :k].astype(np.int32)


def top_k(x, k, sorted=True):  # noqa: A002 - Keras's argument name
    """The k largest values along the last axis and their int32 indices
    (ties: the lower index first), as (values, indices)."""
    n = shape_of(plain(x))[-1]
    if not 0 <= k <= n:
        raise ValueError(f"top_k: k must be in [0, {n}] (the size of the "
                         f"last axis), received k={k}")
    indices = _top_k_indices(x, k)
    return take_along_axis(x, indices, axis=-1), indices


@constant
def in_top_k(targets, predictions, k):
    """Whether each target class is among the k highest predictions of
    its row (ties with the k-th value count as in)."""
    predictions = convert_to_array(predictions)
    targets = np.asarray(targets).astype(np.int64)
    target_values = np.take_along_axis(predictions, targets[:, None], 1)
    higher = np.sum(predictions > target_values, axis=1)
    finite = np.isfinite(target_values[:, 0])
    return (higher < k) & finite


@constant
def searchsorted(sorted_sequence, values, side="left"):
    """Insertion indices of `values` into the 1-D sorted_sequence (int32)."""
    seq = convert_to_array(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError(f"searchsorted: sorted_sequence must be 1-D, "
                         f"received shape {seq.shape}")
    return np.searchsorted(seq, convert_to_array(values),
                           side=side).astype(np.int32)


@constant
def digitize(x, bins):
    """The index of the bin of each element of x (int32)."""
    return np.digitize(convert_to_array(x),
                       convert_to_array(bins)).astype(np.int32)


@constant
def argpartition(x, kth, axis=-1):
    """Indices that partition x around its kth element along `axis`
    (int32)."""
    return np.argpartition(convert_to_array(x), kth,
                           axis=axis).astype(np.int32)


@constant
def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts of each non-negative int in x (weighted sums with
    `weights`); a 2-D x counts each row."""
    if sparse:
        raise ValueError("bincount: sparse=True is not supported "
                         "(seqcore has no sparse tensors)")
    x = np.asarray(x)
    w = None if weights is None else convert_to_array(weights)
    length = int(max(minlength, (x.max() + 1) if x.size else 0))
    if x.ndim == 1:
        out = np.bincount(x, w, length)
    else:
        out = np.stack([np.bincount(row, None if w is None else w[i],
                                    length) for i, row in enumerate(x)])
    dtype = np.int32 if w is None else w.dtype
    return out.astype(dtype)


@constant
def histogram(x, bins=10, range=None):  # noqa: A002 - Keras's name
    """(counts, bin edges) of the 1-D x."""
    x = convert_to_array(x)
    counts, edges = np.histogram(x, bins=bins, range=range)
    return counts.astype(np.int32), edges.astype(
        x.dtype if x.dtype.kind == "f" else np.float32)


@constant
def unique(x, sorted=True, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):  # noqa: A002
    """The unique elements of x (numpy's unique; `size` pads or cuts the
    result to that length with fill_value)."""
    x = convert_to_array(x)
    result = np.unique(x, return_inverse=return_inverse,
                       return_counts=return_counts, axis=axis)
    if not isinstance(result, tuple):
        result = (result,)
    values = result[0]
    if size is not None:
        fill = values.min() if fill_value is None and values.size else \
            (fill_value or 0)
        pad = np.full(max(size - values.shape[0], 0), fill, values.dtype)
        values = np.concatenate([values[:size], pad])
    rest = [r.astype(np.int32) for r in result[1:]]
    return values if not rest else (values, *rest)
