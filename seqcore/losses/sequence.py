"""The CTC loss (keras.losses.CTC / keras.losses.ctc) over
seqcore.ops.ctc_loss, with the gradient of its backward recursion.

y_true: integer labels `(batch, max_label_length)`, 0 = blank = padding
(a label's length is its number of non-zero entries); y_pred: logits
`(batch, steps, classes)`, every step used.
"""
import numpy as np

from seqcore.losses.base import float_pred
from seqcore.losses.declare import loss_class


def _inputs(y_true, y_pred):
    t, p = np.asarray(y_true), float_pred(y_pred)
    if t.ndim != 2:
        raise ValueError(
            f"Targets `y_true` are expected to be a tensor of shape "
            f"`(batch_size, max_length)` in integer format. Received: "
            f"y_true.shape={t.shape}")
    if p.ndim != 3:
        raise ValueError(
            f"Logits `y_pred` are expected to be a tensor of shape "
            f"`(batch_size, max_length, num_classes)`. Received: "
            f"y_pred.shape={p.shape}")
    t = t.astype(np.int64)
    label_length = np.sum(t != 0, axis=-1)
    output_length = np.full((p.shape[0],), p.shape[1], np.int64)
    return t, p, label_length, output_length


def ctc(y_true, y_pred):
    """CTC loss per sequence.

    Args:
        y_true: integer labels `(batch_size, max_length)`; 0 is the blank
            and pads the labels.
        y_pred: logits `(batch_size, max_length, num_classes)`.

    Returns:
        Array `(batch_size,)`.
    """
    from seqcore.ops.ctc import ctc_loss
    t, p, label_length, output_length = _inputs(y_true, y_pred)
    return ctc_loss(t, p, label_length, output_length, mask_index=0)


def _ctc_vjp(y_true, y_pred, scale):
    from seqcore.ops.ctc import ctc_loss_gradient
    t, p, label_length, output_length = _inputs(y_true, y_pred)
    _, grad = ctc_loss_gradient(t, p, label_length, output_length, 0)
    return grad * np.asarray(scale)[:, None, None]


CTC = loss_class(
    "CTC", ctc, _ctc_vjp, "ctc", name="ctc", vjp=True, module=__name__,
    doc="CTC loss (keras.losses.CTC); gradient from the backward "
        "recursion.")
