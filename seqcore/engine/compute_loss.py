"""Keras 3's `Model.compute_loss` hook.

The default (`default_compute_loss`) is the compiled loss plus
`model.losses`. A model that overrides `compute_loss` is trained on what
its override returns: `override_loss` runs it on a tape with the outputs
watched, and its backward gives d loss / d outputs (and writes the
gradients of weights the override reads). Inside a recording, a built-in
loss is one tape entry whose gradient is the loss's own.
"""
import inspect

import numpy as np

from seqcore.engine import data as data_utils
from seqcore.engine.tape import Tape, plain, recording
from seqcore.engine.traced import Traced


def overrides_compute_loss(model):
    from seqcore.engine.trainer import Trainer
    return type(model).compute_loss is not Trainer.compute_loss


def call_compute_loss(model, x, y, y_pred, sample_weight, training):
    """model.compute_loss as Keras calls it: positionally, and with
    `training` only when the override takes it (Keras 2-era overrides
    have no such parameter)."""
    method = model.compute_loss
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        parameters = {}
    takes_training = "training" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    if takes_training:
        return method(x, y, y_pred, sample_weight, training=training)
    return method(x, y, y_pred, sample_weight)


def _loss_term(loss, weight, y_true, y_pred, sample_weight):
    """weight * loss(y_true, y_pred): recorded when y_pred is traced."""
    if type(y_pred) is not Traced:
        return weight * float(loss(y_true, plain(y_pred), sample_weight))
    value = float(loss(y_true, y_pred.value, sample_weight))
    grad = np.asarray(loss.gradient(y_true, y_pred.value, sample_weight),
                      y_pred.dtype) * y_pred.dtype.type(weight)
    out = np.asarray(weight * value, y_pred.dtype)
    return y_pred.tape.record_call(out, [y_pred.node],
                                   lambda g: [g * grad])


def default_compute_loss(model, y, y_pred, sample_weight):
    """The compiled losses (weighted per output) plus model.losses."""
    compiled = model._compiled
    ys = model._output_list(y) if y is not None else \
        [None] * len(compiled.losses)
    preds = model._output_list(y_pred)
    total = 0.0
    for i, (loss, weight, t, p) in enumerate(zip(
            compiled.losses, compiled.loss_weights, ys, preds)):
        if loss is not None:
            total = total + _loss_term(
                loss, weight, t, p, data_utils.output_weight(sample_weight,
                                                             i))
    for value in model.losses:
        total = total + float(value)
    return total


def override_loss(model, xs, ys, outputs, sample_weight):
    """(loss value, run_backward) for a model overriding compute_loss:
    run_backward() returns d loss / d output per output (call it once the
    step's gradient buffers are reset)."""
    tape = Tape(model.name, kind="Loss")
    with recording(tape):
        traced = [tape.watch(o) for o in outputs]
        y_pred = model._output_struct(traced)
        y = ys[0] if ys is not None and len(ys) == 1 else ys
        value = call_compute_loss(model, model._model_input(xs), y, y_pred,
                                  sample_weight, training=True)
    loss = float(np.sum(plain(value)))

    def run_backward():
        if type(value) is not Traced:
            return [None] * len(traced)
        grads = tape.backward([(value.node, np.ones((), value.dtype))])
        return [grads.get(t.node) if type(t) is Traced else None
                for t in traced]
    return loss, run_backward
