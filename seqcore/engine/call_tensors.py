"""Tensors passed to a layer call other than its inputs: `layer(x,
initial_state=[h, c])`, `custom(x, y)`. Keras 3 makes each a graph input of
the call's node, so the layers that made them are part of the model and
train. A node keeps them after its inputs (`node.input_tensors[n_main:]`),
each with where it went in the call (`node.tensor_slots`).

Backward: a layer's `backward` gives the gradients of its inputs; a layer
that uses tensor arguments differentiably gives theirs from
`_argument_grads()`, a dict {parameter name: gradient or list of them}
(the recurrent layers for `initial_state`)."""
import inspect

from seqcore.engine.keras_tensor import KerasTensor


def _leaves(value, path, found, kind):
    if isinstance(value, kind):
        found.append((path, value))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _leaves(v, path + (i,), found, kind)
    elif isinstance(value, dict):
        for k, v in value.items():
            _leaves(v, path + (k,), found, kind)


def find(args, kwargs, kind=KerasTensor):
    """[(slot, tensor)] for every `kind` value in args/kwargs; a slot is
    ("args", i, ...) or ("kwargs", name, ...) down to the leaf."""
    found = []
    for i, value in enumerate(args):
        _leaves(value, ("args", i), found, kind)
    for name, value in kwargs.items():
        if name != "mask":
            _leaves(value, ("kwargs", name), found, kind)
    return found


def substitute(args, kwargs, slots, values):
    """(args, kwargs) with the leaf at each slot replaced by a value."""
    args = [_copy(a) for a in args]
    kwargs = {k: _copy(v) for k, v in kwargs.items()}
    for slot, value in zip(slots, values):
        container = args if slot[0] == "args" else kwargs
        keys = slot[1:]
        for key in keys[:-1]:
            container = container[key]
        container[keys[-1]] = value
    return tuple(args), kwargs


def _copy(value):
    """Lists for tuples (so leaves can be replaced), recursively."""
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def parameter_name(layer, slot):
    """The call parameter a slot belongs to (positional args are named by
    the signature of `layer.call`, after its inputs)."""
    if slot[0] == "kwargs":
        return slot[1]
    try:
        names = [p.name for p in inspect.signature(
            type(layer).call).parameters.values()][2:]    # self, inputs
        return names[slot[1]]
    except (TypeError, ValueError, IndexError):
        return f"argument {slot[1] + 1}"


def argument_grads(layer, slots, needed):
    """Gradients for a call's tensor arguments after its backward.

    Args:
        layer: the layer whose backward just ran.
        slots: each argument's slot (see find).
        needed: per argument, whether its gradient is used (False for a
            tensor coming straight from an Input).
    Returns:
        one gradient (or None) per slot.
    Raises:
        NotImplementedError when a needed gradient is not provided: a
        silently missing gradient would train the wrong model."""
    by_slot = layer.__dict__.get("_argument_slot_grads")   # a tape's
    provided = layer._argument_grads() if hasattr(
        layer, "_argument_grads") else {}
    grads = []
    for slot, need in zip(slots, needed):
        name = parameter_name(layer, slot)
        if by_slot is not None and slot in by_slot:
            grads.append(by_slot[slot])
            continue
        value = provided.get(name)
        for key in slot[2:]:
            if value is None:
                break
            value = value[key]
        if isinstance(value, list) and len(slot) == 2 and len(value) == 1:
            value = value[0]        # one state given without a list
        if value is None and need:
            raise NotImplementedError(
                f"Layer '{layer.name}' ({type(layer).__name__}) received a "
                f"tensor from another layer in its call argument "
                f"'{name}', but seqcore cannot differentiate "
                f"{type(layer).__name__} with respect to '{name}'. Pass "
                f"that tensor as an input, or compute it from an Input.")
        grads.append(value)
    return grads
