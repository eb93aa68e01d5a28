"""How layers written by users run: custom Layer subclasses, Lambda and
subclassed Models, whose backward pass nobody wrote.

In training such a layer's call is recorded on a tape (tape.py) and its
backward replays the tape. Inside a recording, a nested custom layer is
recorded inline, and a built-in layer runs its own call and appears on the
tape as one entry whose gradient is its hand-written backward.

Keras's calling conventions are kept: `training=` and `mask=` reach `call`
only when its signature takes them (training is inherited from the outer
call when not given), inputs may be a list of arrays, and `build` receives
the input shape (a list of shapes for a list of inputs).
"""
import functools
import inspect

import numpy as np

from seqcore.engine import call_tensors
from seqcore.engine import tape as tape_module
from seqcore.engine.tape import Tape, paused, plain, recording
from seqcore.engine.traced import Traced


@functools.lru_cache(maxsize=None)
def call_parameters(cls):
    """(takes training, takes mask) for cls.call's signature."""
    try:
        params = inspect.signature(cls.call).parameters
    except (TypeError, ValueError):
        return True, True
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    return var_kw or "training" in params, var_kw or "mask" in params


def call_arguments(layer, kwargs, training):
    """kwargs for layer.call: `training` (given or inherited) and `mask`
    only when call accepts them."""
    takes_training, takes_mask = call_parameters(type(layer))
    kwargs = dict(kwargs)
    if takes_training:
        if kwargs.get("training") is None and training is not None:
            kwargs["training"] = training
    else:
        kwargs.pop("training", None)
    if not takes_mask:
        kwargs.pop("mask", None)
    return kwargs


def convert_inputs(layer, inputs):
    """Arrays (a list of them for list inputs) as the layer's call wants."""
    if isinstance(inputs, (list, tuple)):
        return [convert_inputs(layer, x) for x in inputs]
    if isinstance(inputs, dict):
        return {k: convert_inputs(layer, v) for k, v in inputs.items()}
    if type(inputs) is Traced or inputs is None:
        return inputs
    from seqcore.engine.layer import Layer
    if type(layer)._convert_input is Layer._convert_input:
        # As Keras's DTypePolicy.convert_input: only floating inputs are
        # cast to the compute dtype; integer and boolean arrays (indices,
        # token ids) reach a user's call with their own dtype.
        if isinstance(inputs, np.ndarray) and inputs.dtype.kind in "iub":
            return inputs
    return layer._convert_input(inputs)


def shapes_of(x):
    if isinstance(x, (list, tuple)):
        return [shapes_of(v) for v in x]
    if isinstance(x, dict):
        return {k: shapes_of(v) for k, v in x.items()}
    return None if x is None else tuple(x.shape)


def _build(layer, x):
    if not layer.built:
        shape = shapes_of(x)
        layer._build_shape = shape if isinstance(shape, tuple) else None
        layer.build(shape)
        layer.built = True
    elif isinstance(x, np.ndarray) or type(x) is Traced:
        layer._check_input(x.shape)


def _watch(tape, x):
    if isinstance(x, (list, tuple)):
        return [_watch(tape, v) for v in x]
    if isinstance(x, dict):
        return {k: _watch(tape, v) for k, v in x.items()}
    return x if x is None else tape.watch(x)


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in _flatten(v)]
    if isinstance(x, dict):
        return [leaf for k in x for leaf in _flatten(x[k])]
    return [x]


def call_plain(layer, inputs, args, kwargs):
    """Inference (or a call outside fit): no recording."""
    x = convert_inputs(layer, inputs)
    _build(layer, x)
    layer._clear_losses()
    return layer.call(x, *args, **call_arguments(layer, kwargs, None))


def call_recorded(layer, inputs, args, kwargs):
    """A training call: record the layer's call on a new tape, keep the
    record (tape, traced inputs, traced outputs) in `layer._saved` for
    backward, and return plain arrays."""
    x = convert_inputs(layer, inputs)
    _build(layer, x)
    layer._clear_losses()
    tape = Tape(layer.name)
    with recording(tape):
        tx = _watch(tape, x)
        # Arrays among the other arguments (`custom(x, gate)`) are
        # differentiated too (engine/call_tensors.py).
        found = call_tensors.find(args, kwargs, np.ndarray)
        slots = [slot for slot, _ in found]
        traced_arguments = [tape.watch(v) for _, v in found]
        args, kwargs = call_tensors.substitute(args, kwargs, slots,
                                               traced_arguments)
        out = layer.call(tx, *args, **call_arguments(layer, kwargs, True))
    layer._saved = (tape, tx, out, slots, traced_arguments)
    return plain(out)


def backward_recorded(layer, record, dy, need_input_grad=True):
    """dx of a recorded call given dy (d loss / d output): the tape's
    backward seeded with dy and with 1 for each add_loss value; None
    (and no work on the inputs' branches) when need_input_grad is False."""
    tape, tx, out, slots, traced_arguments = record
    outs, dys = _flatten(out), _flatten(dy)
    if len(outs) != len(dys):
        raise ValueError(f"Layer '{layer.name}': backward received "
                         f"{len(dys)} gradients for {len(outs)} outputs")
    seeds = [(o.node, g) for o, g in zip(outs, dys)
             if type(o) is Traced and g is not None]
    seeds += [(node, np.ones((), np.float32)) for node in tape.added_losses]
    skip = [t.node for t in _flatten(tx) if type(t) is Traced] \
        if not need_input_grad else ()
    grads = tape.backward(seeds, skip)
    layer._argument_slot_grads = dict(zip(
        slots, _input_grads(list(traced_arguments), grads)))
    return None if skip else _input_grads(tx, grads)


def _input_grads(tx, grads):
    if isinstance(tx, list):
        return [_input_grads(v, grads) for v in tx]
    if isinstance(tx, dict):
        return {k: _input_grads(v, grads) for k, v in tx.items()}
    if type(tx) is not Traced:
        return None
    g = grads.get(tx.node)
    return np.zeros(tx.shape, tx.dtype) if g is None else \
        np.asarray(g, tx.dtype)


def call_on_tape(layer, tape, inputs, args, kwargs):
    """A layer called inside a recording (from a custom layer's call)."""
    if layer._uses_tape():
        x = convert_inputs(layer, inputs)
        tape.owners.append(layer.name)
        try:
            _build(layer, x)
            return layer.call(x, *args,
                              **call_arguments(layer, kwargs, True))
        finally:
            tape.owners.pop()
    return _call_builtin(layer, tape, inputs, args, kwargs)


def _call_builtin(layer, tape, inputs, args, kwargs):
    """A built-in layer (or model) inside a recording: its own call on the
    plain values, recorded as one entry whose gradient is its backward."""
    from seqcore.engine import backprop
    kwargs = dict(kwargs)
    if kwargs.get("training") is None:
        kwargs["training"] = True
    # Traced values among the other arguments (`mha(x, x)`,
    # `lstm(x, initial_state=[h, c])`) are differentiated too.
    traced_arguments = call_tensors.find(args, kwargs, Traced)
    slots = [slot for slot, _ in traced_arguments]
    plain_args, plain_kwargs = call_tensors.substitute(
        args, kwargs, slots, [t.value for _, t in traced_arguments])
    with paused():
        out = layer(plain(inputs), *plain_args, **plain_kwargs)
    flat_in = _flatten(inputs) if isinstance(inputs, (list, tuple)) \
        else [inputs]
    n_inputs = len(flat_in)
    refs = [tape.ref(v)[0] for v in flat_in] + \
        [t.node for _, t in traced_arguments]
    if not kwargs["training"] or (all(r is None for r in refs) and
                                  not layer.trainable_weights):
        return out
    several = isinstance(out, (list, tuple)) and len(out) > 0 and all(
        isinstance(o, np.ndarray) and o.dtype.kind == "f" for o in out)
    if not several and (not isinstance(out, np.ndarray) or
                        out.dtype.kind != "f"):
        raise NotImplementedError(
            f"Layer '{tape.owner}': the built-in layer '{layer.name}' "
            f"returns {type(out).__name__}; inside a custom layer in "
            f"training seqcore differentiates only built-in layers with one "
            f"float output")
    # This call's record, handed back at its backward (the layer may be
    # called again before then).
    state = backprop.take_state(layer)

    def vjp(g):
        backprop.give_state(layer, state)
        dx = backprop.layer_backward(layer, g, True)
        if isinstance(dx, (list, tuple)) and len(dx) == len(refs):
            return list(dx)     # a layer whose call takes all its tensors
        dxs = list(dx) if n_inputs > 1 else [dx]
        return dxs + call_tensors.argument_grads(
            layer, slots, [r is not None for r in refs[n_inputs:]])

    if several:
        return _record_outputs(tape, out, refs, vjp)
    return tape.record_call(out, refs, vjp)


def _record_outputs(tape, outs, refs, vjp):
    """Record a call with several float outputs (a nested functional model
    returning [z_mean, z_log_var, z], an LSTM with its states): one entry
    for the call, whose value is the outputs laid end to end, and one per
    output taking its piece; the call's backward then gets one gradient
    per output (zeros for an output the loss does not reach)."""
    shapes = [o.shape for o in outs]
    sizes = [o.size for o in outs]
    dtype = np.result_type(*outs)
    joint = np.concatenate([np.asarray(o, dtype).reshape(-1) for o in outs])

    def joint_vjp(g):
        pieces, start = [], 0
        for shape, size in zip(shapes, sizes):
            pieces.append(g[start:start + size].reshape(shape))
            start += size
        return vjp(pieces)

    joint_traced = tape.record_call(joint, refs, joint_vjp)
    traced, start = [], 0
    for out, size in zip(outs, sizes):
        def piece_vjp(g, start=start, size=size):
            full = np.zeros(joint.shape, joint.dtype)
            full[start:start + size] = g.reshape(-1)
            return [full]
        traced.append(tape.record_call(out, [joint_traced.node], piece_vjp))
        start += size
    return type(outs)(traced) if isinstance(outs, tuple) else traced
