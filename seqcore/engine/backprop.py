"""One layer's backward, with the decisions of the step that runs it as
explicit arguments.

A layer's `backward(dy, need_input_grad=True, dy_is_dz=False)` may take
either option as a keyword: `need_input_grad=False` when nothing uses the
gradient of its input (the first trainable layer, a layer fed only by
model inputs), `dy_is_dz=True` when the loss already gave the gradient
before the layer's activation (softmax or sigmoid fused with its
cross-entropy). A backward written as `backward(self, dy)` gets neither
and computes everything. Which options a class's backward takes is read
once per class from its signature.

A training call leaves its record for backward in the layer
(`_saved`, and `_activity_output` under an activity regularizer); the step
that made the call takes it (`take_state`) and hands it back just before
the backward of that call (`give_state`): a layer called at several places
in a step (shared, or a model used twice) gets each call's own record.
These two functions are the only place the engine touches that record.
"""
import contextlib
import contextvars
import inspect

_OPTIONS = ("need_input_grad", "dy_is_dz")
_accepted = {}


def backward_options(layer):
    """The step options (a tuple of names) that `layer.backward` takes."""
    fn = type(layer).backward
    found = _accepted.get(fn)
    if found is None:
        try:
            parameters = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            parameters = {}
        if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            found = _OPTIONS
        else:
            found = tuple(o for o in _OPTIONS if o in parameters)
        _accepted[fn] = found
    return found


def layer_backward(layer, dy, need_input_grad=True, dy_is_dz=False):
    """dx of the layer's last (restored) training call given dy, after
    adding its activity regularizer's gradient (Keras divides that loss by
    the batch size).

    Args:
        layer: the layer whose call record is in place (see give_state).
        dy: d loss / d output (a list for several outputs).
        need_input_grad: False when no one uses d loss / d input; the layer
            may then skip computing it and return None.
        dy_is_dz: True when dy is the gradient before the layer's
            activation (only for layers with `_takes_preactivation_grad`).
    """
    reg = layer.activity_regularizer
    out = layer.__dict__.get("_activity_output")
    if reg is not None and out is not None:
        dy = dy + (reg.gradient(out) / out.shape[0]).astype(dy.dtype)
    return call_backward(layer, dy, need_input_grad, dy_is_dz)


def call_backward(layer, dy, need_input_grad=True, dy_is_dz=False):
    """layer.backward(dy) with the options its signature takes (see
    layer_backward; no activity regularizer here: what a wrapper uses on
    the layer it wraps)."""
    options = backward_options(layer)
    if not options and not dy_is_dz:
        return layer.backward(dy)
    kwargs = {}
    if "need_input_grad" in options:
        kwargs["need_input_grad"] = need_input_grad
    if dy_is_dz:
        if "dy_is_dz" not in options:
            raise TypeError(f"Layer '{layer.name}': its backward does not "
                            f"take dy_is_dz, but the plan fused its "
                            f"activation into the loss")
        kwargs["dy_is_dz"] = True
    return layer.backward(dy, **kwargs)


def take_state(layer):
    """What the layer's last training call kept for its backward."""
    state = layer.__dict__
    return (state.get("_saved"), state.get("_activity_output"))


def give_state(layer, state):
    """Put back a call record taken by take_state before its backward."""
    layer._saved, layer._activity_output = state


# Whether training calls keep their records (False inside a part of a step
# that backward will not reach), and whether the caller of the next
# outermost graph run wants no gradient of that run's inputs.
_RECORDING = contextvars.ContextVar("seqcore_recording", default=True)
_NO_INPUT_GRAD = contextvars.ContextVar("seqcore_no_input_grad",
                                        default=False)


@contextlib.contextmanager
def _holding(variable, value):
    """The context variable `variable` is `value` within the block (in this
    thread or task only)."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def without_input_grad():
    """Around a training call whose caller will run backward with
    need_input_grad=False (fit's step): the outermost graph run may then
    run the steps before its first trainable one without records."""
    return _holding(_NO_INPUT_GRAD, True)


def claim_no_input_grad():
    """True (once) when the caller said it wants no input gradient; graph
    runs nested in this one then see False."""
    if not _NO_INPUT_GRAD.get():
        return False
    _NO_INPUT_GRAD.set(False)
    return True


def not_recording():
    """Training calls inside keep no record for backward (a frozen part
    before every trainable weight: training semantics, inference memory)."""
    return _holding(_RECORDING, False)


def recording():
    """Whether training calls now keep records for backward."""
    return _RECORDING.get()


def drop_saved(layer):
    """Forget the record of the layer's last training call (keeping its
    activity output, which the step's loss still reads)."""
    if layer.__dict__.get("_saved") is not None:
        layer._saved = None


_backward_listener = contextvars.ContextVar("seqcore_backward_listener",
                                            default=None)


def backward_listener(callback):
    """Within the block, plans call `callback(layers)` after each step's
    backward, with that step's layers (the distribution's overlapped
    allreduce listens: their gradients may be final)."""
    return _holding(_backward_listener, callback)


def active_backward_listener():
    """The callback of the innermost backward_listener, or None."""
    return _backward_listener.get()
