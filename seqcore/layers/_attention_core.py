"""Scaled dot-product attention on groups of matrices, forward and backward.

Every attention layer reduces to independent problems indexed by leading
"group" axes g (batch, heads, ...): queries q[g] (T, H), keys k[g] (S, H),
values v[g] (S, Hv). The arrays may be strided views (a head's rows of a
(B, T, N, H) projection, read in place). Each product is one call of the
project's GEMM (threads over output blocks, so the bits do not depend
on the thread count); the softmax is the C kernel, run in place on the
scores with the masked logits replaced by -1e9 first, which keeps it
numerically stable (it subtracts each row's maximum) and gives a fully
masked row the uniform distribution, as Keras's fused path does.
"""
import numpy as np

from seqcore import _kernels

LARGE_NEGATIVE = np.float32(-1e9)   # Keras's masked logit for float32


def groups(x):
    """The indices of the leading group axes of x (..., rows, cols)."""
    return np.ndindex(*x.shape[:-2])


def masked_softmax(scores, mask=None, zero_masked=False):
    """Softmax over the last axis of scores (G, T, S), in place, with the
    masked logits (mask False) replaced by -1e9 first."""
    if mask is not None:
        np.copyto(scores, LARGE_NEGATIVE, where=~mask)
    probs = _kernels.softmax(scores, out=scores)
    if mask is not None and zero_masked:
        probs *= mask
    return probs


def softmax_backward(probs, dp, mask=None, zero_masked=False):
    """d loss / d logits from d loss / d probabilities (masked logits were
    replaced by a constant: they get no gradient)."""
    if mask is not None and zero_masked:
        dp = dp * mask
    ds = probs * (dp - np.sum(dp * probs, axis=-1, keepdims=True))
    if mask is not None:
        ds *= mask
    return np.ascontiguousarray(ds, dtype=np.float32)


def weigh(weights, v, out=None):
    """context[g] = weights[g] (T, S) @ v[g] (S, Hv), into `out` when given
    (any layout whose rows are contiguous)."""
    context = np.empty(weights.shape[:-1] + v.shape[-1:], np.float32) \
        if out is None else out
    for g in groups(weights):
        _kernels.gemm(weights[g], v[g], context[g])
    return context


def weigh_backward(weights, v, d_context):
    """(d weights, dv) of context = weights @ v; dv has v's layout."""
    dv = np.empty_like(v)
    d_weights = np.empty_like(weights)
    for g in groups(weights):
        _kernels.gemm(weights[g], d_context[g], dv[g], trans_a=True)
        _kernels.gemm(d_context[g], v[g], d_weights[g], trans_b=True)
    return d_weights, dv


def forward(q, k, v, scale, mask=None, zero_masked=False, dropout=None,
            out=None):
    """(context (..., T, Hv), probabilities (..., T, S), state for
    backward).

    q: (..., T, H), k: (..., S, H), v: (..., S, Hv), float32 with unit
    column strides. scale: multiplies q @ k^T. mask: bool (..., T, S) or
    None (True = attend). zero_masked: zero the masked probabilities after
    the softmax (Keras's Softmax layer; a fully masked row then attends to
    nothing). dropout: None or a (..., T, S) float32 array of 0 or
    1/(1-rate) that multiplies the probabilities before they weigh the
    values. out: where the context goes (else a new array).
    """
    scores = np.empty(q.shape[:-1] + k.shape[-2:-1], np.float32)
    for g in groups(q):
        _kernels.gemm(q[g], k[g], scores[g], trans_b=True, alpha=scale)
    probs = masked_softmax(scores, mask, zero_masked)
    weights = probs if dropout is None else probs * dropout
    return weigh(weights, v, out), probs, (q, k, v, scale, mask,
                                           zero_masked, dropout, probs,
                                           weights)


def backward(state, d_context, d_probs=None):
    """(dq, dk, dv), each in the layout of q, k, v, from d loss / d context
    and, when the probabilities were an output too, d loss / d
    probabilities."""
    q, k, v, scale, mask, zero_masked, dropout, probs, weights = state
    d_weights, dv = weigh_backward(weights, v, d_context)
    dp = d_weights if dropout is None else d_weights * dropout
    if d_probs is not None:
        dp = dp + d_probs
    ds = softmax_backward(probs, dp, mask, zero_masked)
    dq = np.empty_like(q)
    dk = np.empty_like(k)
    for g in groups(q):
        _kernels.gemm(ds[g], k[g], dq[g], alpha=scale)
        _kernels.gemm(ds[g], q[g], dk[g], trans_a=True, alpha=scale)
    return dq, dk, dv
