"""How a mask weights losses and metrics, as Keras 3 does it.

A model's output may carry a mask: a boolean array over the leading axes of
the output (for a sequence output `(batch, steps, features)`, the mask is
`(batch, steps)`), True where the step is real and False where it is padding
(see docs/masking.md for which layers make, pass or drop one). A loss or a
metric then weighs each per-step value by the mask, combined with any
`sample_weight`:

- losses with reduction "sum_over_batch_size" (the default) or "mean": a real
  step weighs `total / valid` (`total` = the number of mask entries, `valid`
  = how many are True) and padding weighs 0, so that the usual division by
  the number of values becomes a division by the number of real steps;
- losses with any other reduction, and metrics: the mask weighs 1 or 0;
- the mask's weights multiply `sample_weight` after Keras's rank rule
  (`match_rank`) and numpy broadcasting; a sample weight that does not
  broadcast (for instance `(batch,)` against a `(batch, steps)` mask when
  batch != steps) is an error, as in Keras: pass `(batch, steps)` weights.

Everything here works on numpy arrays; `reduce_weighted` also returns the
derivative of the reduced loss with respect to each per-step value, which is
what training multiplies into the loss gradient.
"""
import numpy as np


def match_rank(x1, x2, expand_rank_1=True):
    """Keras's rule for two arrays whose ranks differ by one: the longer one
    loses a trailing axis of size 1, except that a rank-1 partner of a
    `(n, 1)` array gains that axis instead (with `expand_rank_1`).

    Args:
        x1, x2: numpy arrays.
        expand_rank_1: whether a rank-1 array is expanded rather than its
            partner squeezed.

    Returns:
        (x1, x2), possibly reshaped; other rank pairs are returned as given.
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., np.newaxis]
        else:
            x1 = x1[..., 0]
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., np.newaxis]
        else:
            x2 = x2[..., 0]
    return x1, x2


def combine_masks(first, second):
    """The logical and of two optional boolean masks (None = no mask)."""
    if first is None:
        return second
    if second is None:
        return first
    return np.logical_and(first, second)


def _multiply(weights, factor, what):
    """weights * factor under numpy broadcasting, with a clear error."""
    try:
        return weights * factor
    except ValueError:
        raise ValueError(
            f"Cannot combine sample_weight of shape {weights.shape} with "
            f"{what} of shape {factor.shape}: after Keras's rank rule (a "
            f"trailing axis of size 1 squeezed or added) the shapes must "
            f"broadcast, as in Keras. With a mask over (batch, steps), "
            f"pass sample_weight of shape (batch, steps) or (batch, 1)."
        ) from None


def mask_weights(mask, reduction, dtype=np.float32):
    """The weight each mask entry gives its value: 0 for padding; for
    real steps 1, or `total / valid` under "sum_over_batch_size" and
    "mean" (0 everywhere when no step is real).

    Args:
        mask: boolean array, e.g. `(batch, steps)`.
        reduction: the loss's reduction ("sum" for metrics).
        dtype: dtype of the result.

    Returns:
        Array of `mask`'s shape and `dtype`.
    """
    mask = np.asarray(mask, bool)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = int(np.count_nonzero(mask))
        scale = dtype(mask.size) / dtype(valid) if valid else dtype(0)
        return np.where(mask, scale, dtype(0)).astype(dtype)
    return mask.astype(dtype)


def apply_mask(sample_weight, mask, reduction, dtype=np.float32):
    """sample_weight with the mask merged in (Keras's `apply_mask`).

    Args:
        sample_weight: None or an array (`(batch,)`, `(batch, steps)`, ...).
        mask: None or a boolean array.
        reduction: the loss's reduction, or "sum" for metrics.
        dtype: dtype of the weights.

    Returns:
        The merged weights, or `sample_weight` unchanged when there is no
        mask.
    """
    if mask is None:
        return sample_weight
    weights = mask_weights(mask, reduction, dtype)
    if sample_weight is None:
        return weights
    sample_weight = np.asarray(sample_weight, dtype)
    weights, sample_weight = match_rank(weights, sample_weight)
    return _multiply(sample_weight, weights, "the output's mask")


def _unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting added to `shape`."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def reduce_weighted(values, sample_weight=None, mask=None,
                    reduction="sum_over_batch_size", with_scale=False):
    """Weigh per-sample (or per-step) loss values and reduce them.

    Args:
        values: array of per-sample losses, e.g. `(batch,)` or
            `(batch, steps)`.
        sample_weight: None or weights broadcastable after `match_rank`.
        mask: None or a boolean array of the values' shape (the output's
            mask, and-ed with any mask the loss itself makes).
        reduction: "sum_over_batch_size", "mean", "sum",
            "mean_with_sample_weight" or "none".
        with_scale: also return d(result)/d(values).

    Returns:
        The reduced loss (an array of the weighted values for "none" or a
        scalar input), or `(loss, scale)` with `with_scale`, `scale` shaped
        like `values`.
    """
    values = np.asarray(values)
    dtype = values.dtype.type if values.dtype.kind == "f" else np.float32
    weights = None if sample_weight is None else \
        np.asarray(sample_weight, dtype)
    weights = apply_mask(weights, mask, reduction, dtype)
    weighted, w = values, None
    if weights is not None:
        v, w = match_rank(values, weights.astype(dtype, copy=False))
        weighted = _multiply(w, v, "the loss values")
    if reduction in (None, "none") or weighted.shape in ((), (0,)):
        if with_scale:
            if reduction in (None, "none"):
                raise ValueError("A loss with reduction='none' has no "
                                 "scalar to differentiate")
            scale = np.ones(values.shape, dtype) if w is None else \
                np.broadcast_to(w, values.shape).astype(dtype)
            return weighted, scale
        return weighted
    total = np.sum(weighted)
    if reduction == "sum":
        divisor = None
    elif reduction == "mean_with_sample_weight" and w is not None:
        divisor = np.sum(w, dtype=dtype)
    else:
        divisor = dtype(weighted.size)
    if divisor is None:
        loss = total
    else:
        loss = total / divisor if divisor else total * dtype(0)
    if not with_scale:
        return loss
    if w is None:                   # unweighted: one scale for every value
        step = dtype(1) if divisor is None else \
            (dtype(1) / divisor if divisor else dtype(0))
        return loss, np.full(values.shape, step, dtype)
    # d loss / d values: each value's weight over the divisor, summed back
    # over any axes that broadcasting added to the values.
    full = np.ones(weighted.shape, dtype) if w is None else \
        np.broadcast_to(w, weighted.shape).astype(dtype)
    if divisor is not None:
        full = full / divisor if divisor else np.zeros_like(full)
    rank_matched = match_rank(values, w)[0].shape if w is not None \
        else values.shape
    scale = _unbroadcast(full, rank_matched).reshape(values.shape)
    return loss, scale.astype(dtype, copy=False)


def metric_weights(sample_weight, mask):
    """The weights a mean metric applies: the mask as 0/1 times
    sample_weight (Keras merges them with reduction "sum")."""
    return apply_mask(sample_weight, mask, "sum", np.float64)


def output_masks(model, count):
    """The masks of a model's outputs after its last call: a list of
    `count` entries (None where an output has no mask)."""
    mask = getattr(model, "_output_mask", None)
    if count == 1:
        return [mask[0] if isinstance(mask, list) else mask]
    if not isinstance(mask, list):
        return [None] * count
    return list(mask)


# ---- masks through a functional graph -------------------------------------

def node_input_mask(node, masks):
    """The mask a graph node's layer receives: its input's mask, or for a
    layer of several inputs the list of their masks (None when none has
    one). masks: {id(tensor): mask}."""
    found = [masks.get(id(t)) for t in node.input_tensors[:node.n_main]]
    if len(found) == 1:
        return found[0]
    return None if all(m is None for m in found) else found


def record_output_masks(node, out_mask, masks):
    """Store a node's output mask(s) in `masks`. As in Keras, a list of
    masks pairs with the outputs in order (a single output takes the
    first)."""
    outputs = node.output_tensors
    if isinstance(out_mask, (list, tuple)):
        pairs = zip(outputs, out_mask)
    else:
        pairs = ((t, out_mask) for t in outputs)
    for tensor, mask in pairs:
        masks[id(tensor)] = mask
