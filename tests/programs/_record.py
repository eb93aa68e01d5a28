"""What a corpus program is checked on, the same for Keras and seqcore:
the architecture (each layer's name, class and parameter count, the
model's total) and the training record (History's keys, first and last
loss)."""
import math


def layer_rows(model):
    """[(name, class name, parameter count)] for model.layers."""
    return [[layer.name, type(layer).__name__, int(layer.count_params())]
            for layer in model.layers]


def record(namespace):
    """The record of a finished program: its globals `model` and
    `history` (a History or None)."""
    model = namespace["model"]
    history = namespace.get("history")
    out = {"layers": layer_rows(model),
           "params": int(model.count_params())}
    if history is not None:
        losses = history.history.get("loss", [])
        out["history_keys"] = sorted(history.history)
        out["epochs"] = len(losses)
        out["loss_first"] = float(losses[0]) if losses else math.nan
        out["loss_last"] = float(losses[-1]) if losses else math.nan
    return out
