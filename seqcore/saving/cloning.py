"""keras.models.clone_model: a model of the same architecture with new
layers (new weights, not copied), Keras 3's signature and behaviour.

Sequential models are rebuilt from their cloned layers; functional models
are rewired from their config with each layer cloned once (so a shared
layer stays shared); any other model (subclassed) is rebuilt from its
config (`from_config(get_config())`).
"""
from seqcore.engine.input_layer import InputLayer
from seqcore.engine.keras_tensor import KerasTensor


def _default_clone(layer):
    return layer.__class__.from_config(layer.get_config())


def _kind(model):
    name = type(model).__name__
    if getattr(model, "_stack", None) is not None:
        return "sequential"
    if name == "Functional" or (hasattr(model, "_nodes") and
                                hasattr(model, "_inputs_struct")):
        return "functional"
    return "other"


def _wrap(clone_function, call_function, recursive, cache):
    """The clone function applied once per layer (cached by identity), which
    descends into nested Sequential/functional models when `recursive`."""
    base = clone_function or _default_clone

    def wrapped(layer):
        if id(layer) in cache:
            return cache[id(layer)]
        if recursive and getattr(layer, "_is_model", False) and \
                _kind(layer) != "other":
            clone = clone_model(layer, clone_function=base,
                                call_function=call_function
                                if _kind(layer) == "functional" else None,
                                recursive=True, _cache=cache)
        else:
            clone = base(layer)
        cache[id(layer)] = clone
        return clone
    return wrapped


def _compile_like(model, clone):
    """Compile the clone with the model's compile settings (a new
    optimizer of the same config), as Keras does."""
    from seqcore.saving.files import _compile_config, _compile_from_config
    settings = _compile_config(model)
    if settings:
        _compile_from_config(clone, settings, None)


def clone_model(model, input_tensors=None, clone_function=None,
                call_function=None, recursive=False, **kwargs):
    """A new model with the architecture of `model` and new weights.

    Args:
        model: a Sequential, functional or subclassed model.
        input_tensors: symbolic tensors (from `keras.Input`) to build the
            clone on, in the structure of `model.input`; default: new
            inputs of the same shapes, names and dtypes.
        clone_function: `fn(layer) -> layer` applied to each non-input
            layer (default: `layer.__class__.from_config(layer.get_config())`,
            new weights); return the layer itself to share it, or copy its
            weights inside the function to keep them.
        call_function: `fn(layer, *args, **kwargs) -> outputs` making each
            layer call of a functional clone (default: `layer(*args,
            **kwargs)`); functional models only.
        recursive: also clone the layers inside nested Sequential and
            functional models with `clone_function` (otherwise a nested
            model is one layer for `clone_function`).

    Returns:
        The clone: the model's class for Sequential/functional models,
        compiled like `model` when it was compiled.

    Raises:
        ValueError: `call_function` for a Sequential model; either option
            for a subclassed model; input tensors of the wrong structure or
            type; a clone_function that is not callable.
    """
    cache = kwargs.pop("_cache", None)
    if kwargs:
        raise ValueError(f"clone_model: unexpected keyword arguments "
                         f"{sorted(kwargs)}")
    if cache is None:
        cache = {}
    if clone_function is not None and not callable(clone_function):
        raise ValueError(f"Expected `clone_function` argument to be a "
                         f"callable. Received: clone_function="
                         f"{clone_function!r}")
    kind = _kind(model)
    if kind == "sequential":
        if call_function is not None:
            raise ValueError(
                f"`call_function` argument is not supported with Sequential "
                f"models.  In a Sequential model, layers aren't called at "
                f"model-construction time (they're merely listed). Use "
                f"`call_function` with Functional models only. Received "
                f"model of type '{type(model).__name__}', with "
                f"call_function={call_function!r}")
        clone = _clone_sequential(
            model, _wrap(clone_function, None, recursive, cache),
            input_tensors)
    elif kind == "functional":
        clone = _clone_functional(
            model, _wrap(clone_function, call_function, recursive, cache),
            input_tensors, call_function)
    else:
        if clone_function is not None or input_tensors is not None:
            raise ValueError(
                f"Arguments `clone_function` and `input_tensors` are only "
                f"supported for Sequential models or Functional models. "
                f"Received model of type '{type(model).__name__}', with "
                f"clone_function={clone_function!r} and input_tensors="
                f"{input_tensors!r}")
        if call_function is not None:
            raise ValueError(
                f"Argument `call_function` is only supported for Functional "
                f"models. Received model of type '{type(model).__name__}', "
                f"with call_function={call_function!r}")
        from seqcore.saving.serialization import (deserialize_keras_object,
                                                  serialize_keras_object)
        config = serialize_keras_object(model)
        config.pop("compile_config", None)
        clone = deserialize_keras_object(
            config, custom_objects={type(model).__name__: type(model)})
    _compile_like(model, clone)
    return clone


def _single_input_tensor(input_tensors):
    if isinstance(input_tensors, (list, tuple)):
        if len(input_tensors) != 1:
            raise ValueError("Argument `input_tensors` must contain a single "
                             "tensor.")
        input_tensors = input_tensors[0]
    if not isinstance(input_tensors, KerasTensor):
        raise ValueError(f"Argument `input_tensors` must be a KerasTensor. "
                         f"Received invalid value: input_tensors="
                         f"{input_tensors!r}")
    source = input_tensors._keras_history[0]
    if not isinstance(source, InputLayer):
        raise ValueError("seqcore: a Sequential clone can start from a "
                         "`keras.Input` tensor only (not from a layer's "
                         "output); clone it as a functional model instead.")
    return input_tensors


def _clone_sequential(model, clone, input_tensors):
    from seqcore.engine.input_layer import Input
    new_layers = [clone(layer) for layer in model.layers]
    first = model._stack[0] if model._stack else None
    if input_tensors is not None:
        new_layers = [_single_input_tensor(input_tensors)] + new_layers
    elif isinstance(first, InputLayer):
        new_layers = [Input(batch_shape=first.batch_shape, dtype=first.dtype,
                            name=first.name)] + new_layers
    return type(model)(new_layers, name=model.name,
                       trainable=model.trainable) \
        if _takes_layers(type(model)) else \
        _plain_sequential(new_layers, model)


def _takes_layers(cls):
    import inspect
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return False
    return "layers" in params


def _plain_sequential(new_layers, model):
    from seqcore.engine.sequential import Sequential
    return Sequential(new_layers, name=model.name, trainable=model.trainable)


def _flatten(struct):
    if isinstance(struct, (list, tuple)):
        out = []
        for item in struct:
            out += _flatten(item)
        return out
    if isinstance(struct, dict):
        out = []
        for key in struct:
            out += _flatten(struct[key])
        return out
    return [struct]


def _clone_functional(model, clone, input_tensors, call_function):
    from seqcore.saving.serialization import (functional_config,
                                              functional_from_config,
                                              serialize_keras_object)
    if input_tensors is not None:
        given = _flatten(input_tensors)
        expected = _flatten(model._inputs_struct)
        if not all(isinstance(t, KerasTensor) for t in given):
            raise ValueError(f"All entries in `input_tensors` must be "
                             f"KerasTensors. Received invalid values: "
                             f"inputs_tensors={input_tensors!r}")
        if len(given) != len(expected):
            raise ValueError(f"`input_tensors` must have the same structure "
                             f"as model.input\nReference structure: "
                             f"{len(expected)} tensors\nReceived structure: "
                             f"{len(given)} tensors")
        input_tensors = given
    originals = {layer.name: layer for layer in
                 getattr(model, "_operations", model.layers)}

    def entry(layer):   # the wiring only: the layers are cloned, not read
        if isinstance(layer, InputLayer):
            return serialize_keras_object(layer)
        return {"class_name": type(layer).__name__, "config": {}}
    config = functional_config(model, serialize_layer=entry)

    def make_layer(entry):
        return clone(originals[entry["name"]])
    new = functional_from_config(config, make_layer=make_layer,
                                 input_tensors=input_tensors,
                                 call_function=call_function)
    return new
