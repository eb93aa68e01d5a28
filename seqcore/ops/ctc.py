"""keras.ops.ctc_loss and keras.ops.ctc_decode (also in keras.ops.nn):
Connectionist Temporal Classification on numpy arrays.

ctc_loss runs the forward (alpha) recursion in log space over the label
sequence with blanks interleaved (`2 * label_length + 1` states), in
float64, vectorised over the batch; its gradient with respect to the
logits comes from the backward (beta) recursion:
    d loss / d logits[t, k] = softmax[t, k] - sum_{s: ext[s] = k}
                               exp(alpha[t, s] + beta[t, s] - logp[t, k]
                                   + loss)
for t < output_length (0 after). An alignment that cannot exist (a label
longer than the output allows) gives an infinite loss and a zero gradient.

ctc_decode: "greedy" (best class per step, repeats merged, blanks dropped)
and "beam_search" (a prefix beam search over 2 * beam_width prefixes,
those ending in a blank and those not, merged by prefix at each step), with
Keras 3's outputs: decoded paths `(top_paths, batch, max_length)` padded
with -1, and scores `(batch, top_paths)`.
"""
import numpy as np

from seqcore.engine.tape import differentiable, plain
from seqcore.ops.dtypes import convert_to_array

_NEG = -np.inf


def _loss_dtype(output):
    dtype = np.result_type(output.dtype, np.float32)
    return dtype if dtype.kind == "f" else np.dtype(np.float32)


def _check_ctc_args(target, output, target_length, output_length,
                    mask_index):
    if target.ndim != 2:
        raise ValueError(
            f"ctc_loss: `target` must be integer labels of shape "
            f"(batch_size, max_label_length); received shape {target.shape}")
    if output.ndim != 3:
        raise ValueError(
            f"ctc_loss: `output` must be logits of shape (batch_size, "
            f"max_length, num_classes); received shape {output.shape}")
    for name, arr, other, other_name in (
            ("target", target, output, "output"),
            ("target_length", target_length, target, "target"),
            ("output_length", output_length, output, "output")):
        if arr.ndim < 1 or arr.shape[0] != other.shape[0]:
            raise ValueError(
                f"Arguments `{name}` and `{other_name}` must have the same "
                f"first dimension. Received shapes: `{arr.shape}` and "
                f"`{other.shape}`.")
    batch, steps, classes = output.shape
    if not 0 <= mask_index < classes:
        raise ValueError(
            f"ctc_loss: mask_index must be in [0, {classes}), received "
            f"mask_index={mask_index}")
    if np.any(target_length < 0) or np.any(
            target_length > target.shape[1]):
        raise ValueError(
            f"ctc_loss: target_length must be in [0, {target.shape[1]}]; "
            f"received {target_length.tolist()}")
    if np.any(output_length < 0) or np.any(output_length > steps):
        raise ValueError(
            f"ctc_loss: output_length must be in [0, {steps}]; received "
            f"{output_length.tolist()}")
    used = np.arange(target.shape[1])[None, :] < target_length[:, None]
    labels = target[used]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(
            f"ctc_loss: label {bad} is out of range for {classes} classes")


def _log_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _extended(target, target_length, mask_index):
    """The label sequences with blanks interleaved `(batch, 2L + 1)`, and
    where the skip transition s - 2 -> s is allowed."""
    batch, width = target.shape
    ext = np.full((batch, 2 * width + 1), mask_index, np.int64)
    ext[:, 1::2] = np.where(
        np.arange(width)[None, :] < target_length[:, None], target,
        mask_index)
    skip = np.zeros(ext.shape, bool)
    skip[:, 3::2] = ext[:, 3::2] != ext[:, 1:-2:2]
    return ext, skip


def _shift(x, by):
    """x moved right by `by` states along the last axis, -inf filled."""
    out = np.full(x.shape, _NEG)
    out[:, by:] = x[:, :-by]
    return out


def _shift_left(x, by):
    out = np.full(x.shape, _NEG)
    out[:, :-by] = x[:, by:]
    return out


def _forward_backward(target, output, target_length, output_length,
                      mask_index, with_grad):
    target = np.asarray(target).astype(np.int64)
    output = np.asarray(output)
    target_length = np.asarray(target_length).astype(np.int64).reshape(-1)
    output_length = np.asarray(output_length).astype(np.int64).reshape(-1)
    _check_ctc_args(target, output, target_length, output_length,
                    mask_index)
    batch, steps, classes = output.shape
    logp = _log_softmax(output.astype(np.float64))
    ext, skip = _extended(target, target_length, mask_index)
    states = ext.shape[1]
    rows = np.arange(batch)[:, None]
    emit = logp[rows[:, :, None], np.arange(steps)[None, :, None],
                ext[:, None, :]]                      # (batch, steps, S)
    alpha = np.full((batch, steps, states), _NEG)
    if steps:
        alpha[:, 0, 0] = emit[:, 0, 0]
        alpha[:, 0, 1] = np.where(target_length > 0, emit[:, 0, 1], _NEG)
    with np.errstate(invalid="ignore"):
        for t in range(1, steps):
            prev = alpha[:, t - 1]
            best = np.logaddexp(prev, _shift(prev, 1))
            best = np.where(skip, np.logaddexp(best, _shift(prev, 2)), best)
            alpha[:, t] = best + emit[:, t]
    last = 2 * target_length
    end_t = np.maximum(output_length - 1, 0)
    final = alpha[np.arange(batch), end_t]             # (batch, S)
    log_p = np.logaddexp(
        final[np.arange(batch), last],
        np.where(last > 0, final[np.arange(batch), np.maximum(last - 1, 0)],
                 _NEG))
    # No step: the empty label has probability 1, any other 0.
    log_p = np.where(output_length == 0,
                     np.where(target_length == 0, 0.0, _NEG), log_p)
    loss = -log_p
    if not with_grad:
        return loss, None
    beta = np.full((batch, steps, states), _NEG)
    ends = np.zeros((batch, states), bool)
    ends[np.arange(batch), last] = True
    ends[np.arange(batch), np.maximum(last - 1, 0)] |= last > 0
    skip_next = _shift_left(skip.astype(float), 2) > 0
    with np.errstate(invalid="ignore"):
        for t in range(steps - 1, -1, -1):
            start = np.where(ends, emit[:, t], _NEG)
            if t + 1 < steps:
                nxt = beta[:, t + 1]
                best = np.logaddexp(nxt, _shift_left(nxt, 1))
                best = np.where(skip_next,
                                np.logaddexp(best, _shift_left(nxt, 2)),
                                best)
                carried = best + emit[:, t]
            else:
                carried = np.full((batch, states), _NEG)
            here = (t == output_length - 1)[:, None]
            before = (t < output_length - 1)[:, None]
            beta[:, t] = np.where(here, start,
                                  np.where(before, carried, _NEG))
    feasible = np.isfinite(loss)
    with np.errstate(invalid="ignore", over="ignore"):
        occupancy = np.exp(alpha + beta - emit +
                           np.where(feasible, loss, 0.0)[:, None, None])
    occupancy = np.where(np.isfinite(occupancy), occupancy, 0.0)
    grad = np.exp(logp)
    for s in range(states):
        np.add.at(grad, (np.arange(batch)[:, None],
                         np.arange(steps)[None, :], ext[:, s:s + 1]),
                  -occupancy[:, :, s])
    valid = (np.arange(steps)[None, :] < output_length[:, None]) & \
        feasible[:, None]
    grad = grad * valid[:, :, None]
    return loss, grad


def _ctc_loss_vjp(g, out, target, output, target_length, output_length,
                  *rest, mask_index=0):
    if rest:                                  # mask_index given by position
        mask_index = rest[0]
    _, grad = _forward_backward(target, output, target_length,
                                output_length, mask_index, True)
    dtype = np.asarray(output).dtype
    return [None, (np.asarray(g)[:, None, None] * grad).astype(dtype),
            None, None] + [None] * len(rest)


@differentiable(_ctc_loss_vjp)
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per sequence.

    Args:
        target: integer labels `(batch_size, max_label_length)`.
        output: logits `(batch_size, max_length, num_classes)` (not
            softmax-normalised).
        target_length: `(batch_size,)` label lengths.
        output_length: `(batch_size,)` output lengths.
        mask_index: the blank class. Defaults to 0.

    Returns:
        Array `(batch_size,)` of negative log-likelihoods (float32 for
        float32 logits).

    Raises:
        ValueError: for shapes, lengths or labels out of range.
    """
    output = convert_to_array(output)
    loss, _ = _forward_backward(target, output, target_length,
                                output_length, mask_index, False)
    return loss.astype(_loss_dtype(output))


def ctc_loss_gradient(target, output, target_length, output_length,
                      mask_index=0):
    """(loss `(batch,)`, d loss / d output `(batch, max_length, classes)`),
    the losses' CTC uses it."""
    output = convert_to_array(output)
    loss, grad = _forward_backward(target, output, target_length,
                                   output_length, mask_index, True)
    dtype = _loss_dtype(output)
    return loss.astype(dtype), grad.astype(dtype)


# ---- decoding ---------------------------------------------------------------


def _greedy(inputs, lengths, merge_repeated, mask_index):
    batch, steps, classes = inputs.shape
    indices = np.argmax(inputs, axis=-1)
    scores = np.max(inputs, axis=-1)
    beyond = np.arange(steps)[None, :] >= lengths[:, None]
    indices = np.where(beyond, mask_index, indices)
    scores = np.where(beyond, 0.0, scores)
    if merge_repeated:
        repeat = np.zeros(indices.shape, bool)
        repeat[:, 1:] = indices[:, 1:] == indices[:, :-1]
        indices = np.where(repeat, mask_index, indices)
    blank = indices == mask_index
    decoded = np.full(indices.shape, -1, np.int32)
    for b in range(batch):
        kept = indices[b][~blank[b]]
        decoded[b, :kept.size] = kept
    return decoded[np.newaxis], -np.sum(scores, axis=1)[:, np.newaxis]


def _unique_rows(paths, size, used=None):
    """The distinct rows of `paths` in lexicographic order, padded with
    rows of -1 to `size` rows, and each input row's index among them.
    `used`: how many leading columns can hold a class (the rest are -1).

    Rows are compared as big-endian unsigned bytes of (class + 1), so a
    plain byte sort is the numeric lexicographic order."""
    used = paths.shape[1] if used is None else max(int(used), 1)
    codes = np.ascontiguousarray((paths[:, :used] + 1).astype(">u4"))
    keys = codes.view(np.dtype((np.void, 4 * used))).reshape(-1)
    _, first, inverse = np.unique(keys, return_index=True,
                                  return_inverse=True)
    padded = np.full((size, paths.shape[1]), -1, paths.dtype)
    padded[:first.size] = paths[first]
    return padded, inverse.reshape(-1)


def _merge(inverse, scores, size):
    """log(sum(exp(scores))) per distinct row (-inf for padding rows)."""
    top = np.max(scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        merged = np.bincount(inverse, weights=np.exp(scores - top),
                             minlength=size)
        return np.log(merged) + top


def _beam_one(logp, length, beam_width, top_paths, blank):
    """Beam search over one sequence's log-probabilities `(steps, C)`
    (classes in reversed order, as Keras orders ties)."""
    steps, classes = logp.shape
    width = 2 * beam_width
    size = width * classes
    paths = np.full((width, steps), -1, np.int64)
    first = min(classes, beam_width)
    best = np.argsort(logp[0], kind="stable")[-first:]
    paths[:first, 0] = np.where(best == blank, -1, best)
    scores = np.full(width, _NEG)
    scores[:first] = logp[0, best]
    masked = paths[:, 0] == -1
    class_row = np.arange(classes)
    class_row[blank] = -1
    rows = np.arange(size)
    for t in range(1, steps):
        if t >= length:
            continue
        # every prefix extended by every class
        ext = np.repeat(paths, classes, axis=0)
        ext_scores = np.repeat(scores, classes) + np.tile(logp[t], width)
        was_masked = np.repeat(masked, classes)
        tail_at = np.argmax(ext == -1, axis=1)
        tails = np.where(tail_at == 0, -1, ext[rows, tail_at - 1])
        cls = np.tile(class_row, width)
        masked = cls == -1
        cls = np.where(~was_masked & (tails == cls), -1, cls)
        ext[rows, tail_at] = np.where(cls == -1, ext[rows, tail_at], cls)
        # merge equal prefixes, keep the best `beam_width`
        unique, inverse = _unique_rows(ext, size, t + 1)
        emit = _merge(inverse, np.where(masked, _NEG, ext_scores), size)
        blank_end = _merge(inverse, np.where(masked, ext_scores, _NEG), size)
        with np.errstate(invalid="ignore"):
            total = np.logaddexp(emit, blank_end)
        keep = np.argsort(total, kind="stable")[-beam_width:]
        paths = np.tile(unique[keep], (2, 1))
        scores = np.concatenate([emit[keep], blank_end[keep]])
        masked = np.concatenate([np.zeros(beam_width, bool),
                                 np.ones(beam_width, bool)])
    unique, inverse = _unique_rows(paths, size)
    merged = _merge(inverse, scores, size)
    keep = np.argsort(merged, kind="stable")[-top_paths:][::-1]
    return unique[keep], merged[keep]


def _beam_search(inputs, lengths, beam_width, top_paths, mask_index):
    batch, steps, classes = inputs.shape
    logp = _log_softmax(inputs.astype(np.float64))[:, :, ::-1]
    blank = classes - mask_index - 1
    all_paths = np.full((top_paths, batch, steps), -1, np.int32)
    all_scores = np.zeros((batch, top_paths))
    for b in range(batch):
        paths, scores = _beam_one(logp[b], lengths[b], beam_width,
                                  top_paths, blank)
        paths = np.where(paths == -1, -1, classes - paths - 1)
        all_paths[:paths.shape[0], b] = paths
        all_scores[b, :scores.shape[0]] = scores
    return all_paths, all_scores


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100,
               top_paths=1, merge_repeated=True, mask_index=0):
    """Decode the outputs of a CTC model.

    Args:
        inputs: logits `(batch_size, max_length, num_classes)`.
        sequence_lengths: `(batch_size,)` lengths of the sequences.
        strategy: "greedy" or "beam_search".
        beam_width: prefixes kept per step (beam search).
        top_paths: how many decodings to return (beam search).
        merge_repeated: merge repeated classes (greedy).
        mask_index: the blank class (None: the last class).

    Returns:
        (decoded, scores): int32 `(top_paths, batch_size, max_length)`
        padded with -1 (top_paths = 1 for greedy), and `(batch_size,
        top_paths)`: for greedy minus the sum of the best logits, for beam
        search the log-probability of each decoding.
    """
    inputs = convert_to_array(plain(inputs))
    dtype = _loss_dtype(inputs)
    inputs = inputs.astype(dtype, copy=False)
    if inputs.ndim != 3:
        raise ValueError(
            f"ctc_decode: `inputs` must be logits of shape (batch_size, "
            f"max_length, num_classes); received shape {inputs.shape}")
    lengths = np.asarray(plain(sequence_lengths)).astype(np.int64).reshape(-1)
    if lengths.shape[0] != inputs.shape[0]:
        raise ValueError(
            f"ctc_decode: sequence_lengths must have one length per "
            f"sequence ({inputs.shape[0]}); received shape {lengths.shape}")
    classes = inputs.shape[2]
    if mask_index is None:
        mask_index = classes - 1
    if strategy == "greedy":
        decoded, scores = _greedy(inputs, lengths, merge_repeated,
                                  mask_index)
    elif strategy == "beam_search":
        if int(beam_width) < 1 or int(top_paths) < 1:
            raise ValueError(
                f"ctc_decode: beam_width and top_paths must be positive; "
                f"received beam_width={beam_width}, top_paths={top_paths}")
        decoded, scores = _beam_search(inputs, lengths, int(beam_width),
                                       int(top_paths), mask_index)
    else:
        raise ValueError(
            f"Invalid strategy {strategy}. Supported values are 'greedy' "
            f"and 'beam_search'.")
    return decoded.astype(np.int32), scores.astype(dtype)
