"""Circle loss (Sun et al., 2020) for metric learning, as Keras 3 computes
it, with a hand-written gradient.

For embeddings P `(batch, dim)` (L2-normalised by the model), references
R (P itself by default) and integer labels, with D = max(1 - P R^T, 0):

    a_ij = -gamma * max(margin + D_ij, 0) * (margin - D_ij)     positives
    b_ij =  gamma * max(1 + margin - D_ij, 0) * (1 - margin - D_ij) negatives
    loss_i = softplus(logsumexp_j a_ij + logsumexp_j b_ij)

Positives are pairs of equal labels (minus the diagonal with
`remove_diagonal`), negatives the others. A sample whose value is 0 (no
positive pair) is masked out, so the default reduction divides by the
number of the other samples, as in Keras.
"""
import numpy as np

from seqcore.losses.base import float_pred
from seqcore.losses.declare import loss_class


def _masks(labels, ref_labels, remove_diagonal):
    positive = labels.reshape(-1, 1) == ref_labels.reshape(1, -1)
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~np.eye(positive.shape[0], positive.shape[1],
                                      dtype=bool)
    return positive, negative


def _labels(y_true, name="circle"):
    labels = np.asarray(y_true)
    if labels.ndim == 2 and labels.shape[-1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"{name}: y_true must hold one integer label per sample, shape "
            f"(batch,) or (batch, 1); received shape {labels.shape}")
    return labels.astype(np.int64)


def _logsumexp_masked(x, mask):
    """logsumexp over axis 1 of x where mask, -inf for an empty row; and
    the softmax weights (0 outside the mask and on empty rows)."""
    masked = np.where(mask, x, -np.inf)
    top = np.max(masked, axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.where(mask, np.exp(masked - top), 0.0)
    total = np.sum(e, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        lse = np.log(total) + top
        weights = np.where(total > 0, e / total, 0.0)
    return lse[:, 0], weights


def _forward(y_true, y_pred, ref_labels, ref_embeddings, remove_diagonal,
             gamma, margin):
    p = float_pred(y_pred)
    if p.ndim != 2:
        raise ValueError(
            f"circle: y_pred must be embeddings of shape (batch, dim); "
            f"received shape {p.shape}")
    labels = _labels(y_true)
    if labels.shape[0] != p.shape[0]:
        raise ValueError(
            f"circle: y_true has {labels.shape[0]} labels for "
            f"{p.shape[0]} embeddings")
    ref = p if ref_embeddings is None else np.asarray(ref_embeddings,
                                                      p.dtype)
    ref_lab = labels if ref_labels is None else _labels(ref_labels)
    sim = p @ ref.T
    dist = np.maximum(1.0 - sim, 0.0)
    positive, negative = _masks(labels, ref_lab, remove_diagonal)
    w_pos = np.maximum((margin + dist) * positive, 0.0)
    w_neg = np.maximum((1.0 + margin - dist) * negative, 0.0)
    a = -gamma * w_pos * (margin - dist)
    b = gamma * w_neg * (1.0 - margin - dist)
    lse_a, soft_a = _logsumexp_masked(a, positive)
    lse_b, soft_b = _logsumexp_masked(b, negative)
    z = lse_a + lse_b
    values = np.where(z > 0, z + np.log1p(np.exp(-np.abs(z))),
                      np.log1p(np.exp(-np.abs(z))))
    values = np.where(np.isneginf(z), 0.0, values).astype(p.dtype)
    return locals()


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None,
           remove_diagonal=True, gamma=80, margin=0.4):
    """Circle loss per sample.

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: L2-normalised embeddings, shape `(batch, dim)`.
        ref_labels: labels of `ref_embeddings` (default: y_true).
        ref_embeddings: reference embeddings `(refs, dim)` (default:
            y_pred).
        remove_diagonal: leave self-pairs out of the positives.
        gamma: the scale of the similarity scores.
        margin: the relaxation margin.

    Returns:
        Array of shape `(batch,)`.
    """
    return _forward(y_true, y_pred, ref_labels, ref_embeddings,
                    remove_diagonal, gamma, margin)["values"]


def _circle_vjp(y_true, y_pred, scale, ref_labels=None, ref_embeddings=None,
                remove_diagonal=True, gamma=80, margin=0.4):
    f = _forward(y_true, y_pred, ref_labels, ref_embeddings,
                 remove_diagonal, gamma, margin)
    z, dist, pos, neg = f["z"], f["dist"], f["positive"], f["negative"]
    finite = np.isfinite(z)
    d_z = np.where(finite, 1.0 / (1.0 + np.exp(-np.where(finite, z, 0.0))),
                   0.0) * scale                       # softplus'
    g_a = f["soft_a"] * d_z[:, None]
    g_b = f["soft_b"] * d_z[:, None]
    # a = -gamma * w_pos * (margin - D), w_pos = max((margin + D) pos, 0)
    on_pos = ((margin + dist) * pos > 0).astype(dist.dtype)
    on_neg = ((1.0 + margin - dist) * neg > 0).astype(dist.dtype)
    d_a = -gamma * (on_pos * pos * (margin - dist) - f["w_pos"])
    d_b = gamma * (-(on_neg * neg) * (1.0 - margin - dist) - f["w_neg"])
    g_dist = g_a * d_a + g_b * d_b
    g_sim = -g_dist * (1.0 - f["sim"] > 0)
    p, ref = f["p"], f["ref"]
    grad = g_sim @ ref
    if ref_embeddings is None:                 # the references are y_pred
        grad = grad + g_sim.T @ p
    return grad


def _circle_values_mask(self, y_true, y_pred, values_shape):
    """Samples whose loss is 0 are masked out of the reduction."""
    values = circle(y_true, y_pred, **self._fn_kwargs)
    return np.asarray(values > 0).reshape(values_shape)


Circle = loss_class(
    "Circle", circle, _circle_vjp, "circle",
    (("gamma", 80.0), ("margin", 0.4), ("remove_diagonal", True)),
    name="circle", vjp=True, module=__name__,
    methods={"_values_mask": _circle_values_mask},
    doc="Circle loss (keras.losses.Circle); hand-written gradient. Samples "
        "whose loss is 0 are masked out of the reduction, as in Keras.")
