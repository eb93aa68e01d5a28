"""Keras 3 config dicts for layers and models, both ways.

Classes are looked up by name in a registry of seqcore's own classes plus
those registered with `register_keras_serializable` or passed as
`custom_objects`: nothing from a config is ever evaluated or imported.
"""
import copy

import numpy as np

_REGISTRY = {}          # class name -> class (built-in layers and models)
_CUSTOM_OBJECTS = {}    # "package>name" and "name" -> registered objects

MODULE_OF = {"Sequential": "keras",
             "Functional": "keras.src.models.functional", "Model": "keras"}


def get_object(identifier, classes, aliases, kind):
    """An object of a small family (initializers, regularizers) from a name
    (an alias or the class name), a serialized dict, or an instance or
    callable, which is returned as it is; None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        cls = aliases.get(identifier) or classes.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret {kind} identifier: "
                             f"{identifier!r}; known names: {sorted(aliases)}")
        return cls()
    if isinstance(identifier, dict):
        cls = classes.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown {kind} class "
                             f"{identifier.get('class_name')!r}")
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: "
                     f"{identifier!r}")


def serialize_object(obj, module):
    """Keras's dict for an initializer or regularizer (None stays None)."""
    if obj is None:
        return None
    return {"module": module, "class_name": obj.__class__.__name__,
            "config": obj.get_config(), "registered_name": None}


def register_builtin(cls):
    """Make a seqcore class loadable by its Keras class name."""
    _REGISTRY[cls.__name__] = cls
    return cls


def register_keras_serializable(package="Custom", name=None):
    """Decorator: make a custom class or function loadable by name."""
    def decorator(obj):
        registered = name or obj.__name__
        key = f"{package}>{registered}"
        if key in _CUSTOM_OBJECTS:
            raise ValueError(f"{key} has already been registered to "
                             f"{_CUSTOM_OBJECTS[key]}")
        _CUSTOM_OBJECTS[key] = obj
        obj._registered_name = key
        return obj
    return decorator


def serialize_keras_object(obj):
    """{'module', 'class_name', 'config', 'registered_name', 'build_config'}."""
    if obj is None:
        return None
    cls_name = obj.__class__.__name__
    # A subclass of a registered class is not registered itself.
    registered = obj.__class__.__dict__.get("_registered_name")
    module = getattr(obj, "_keras_module", None)
    if module is not None:          # an operation node (op_layer.py)
        registered = cls_name
    config = {
        "module": module or MODULE_OF.get(cls_name, "keras.layers"),
        "class_name": cls_name,
        "config": obj.get_config(),
        "registered_name": registered,
    }
    build_shape = getattr(obj, "_build_shape", None)
    if build_shape is not None and cls_name not in MODULE_OF:
        config["build_config"] = {"input_shape": list(build_shape)}
    return config


def _lookup(class_name, registered_name, custom_objects):
    for table in (custom_objects or {}, _CUSTOM_OBJECTS):
        if registered_name and registered_name in table:
            return table[registered_name]
        if class_name in table:
            return table[class_name]
    if class_name in _REGISTRY:
        return _REGISTRY[class_name]
    raise ValueError(
        f"Unknown layer class {class_name!r}: it is not a seqcore layer and "
        f"not in `custom_objects` or registered with "
        f"`seqcore.saving.register_keras_serializable`.")


def _takes_custom_objects(cls):
    import inspect
    try:
        return "custom_objects" in inspect.signature(
            cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def deserialize_keras_object(config, custom_objects=None):
    """A layer or model from its serialized dict."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Expected a serialized Keras object (a dict with "
                         f"'class_name' and 'config'); received {config!r}")
    if config.get("module") == "keras.src.ops.numpy":
        from seqcore.engine.op_layer import OP_LAYERS
        if config["class_name"] not in OP_LAYERS:
            raise ValueError(f"The operation {config['class_name']!r} on "
                             f"symbolic tensors is not supported by seqcore")
        return OP_LAYERS[config["class_name"]].from_config(
            config.get("config", {}))
    cls = _lookup(config["class_name"], config.get("registered_name"),
                  custom_objects)
    inner = copy.deepcopy(config.get("config", {}))
    if hasattr(cls, "from_config"):
        try:
            obj = cls.from_config(inner, custom_objects) \
                if config["class_name"] in MODULE_OF or \
                _takes_custom_objects(cls) else cls.from_config(inner)
        except TypeError as exc:
            raise ValueError(f"Cannot rebuild {config['class_name']} from its "
                             f"config: {exc}") from None
    else:
        obj = cls(**inner)
    build = config.get("build_config")
    if build and build.get("input_shape") is not None and \
            not getattr(obj, "built", True):
        obj._maybe_build(tuple(build["input_shape"]))
    return obj


def sequential_config(model):
    from seqcore.engine.layer import dtype_policy_config
    config = {"name": model.name, "trainable": model.trainable,
              "dtype": dtype_policy_config(),
              "layers": [serialize_keras_object(l) for l in model._stack]}
    if model.built:
        config["build_input_shape"] = model._stack[0].batch_shape
    return config


def sequential_from_config(cls, config, custom_objects=None):
    model = cls(name=config.get("name"),
                trainable=config.get("trainable", True))
    for layer_config in config.get("layers", []):
        model.add(deserialize_keras_object(layer_config, custom_objects),
                  rebuild=False)
    model._maybe_rebuild()
    shape = config.get("build_input_shape")
    if not model.built and shape is not None:
        model.build(tuple(shape))
    return model


def functional_config(model):
    """Keras 3's functional config: layers with their inbound nodes (each
    seqcore layer takes one input tensor per call)."""
    model_nodes = {id(n) for n in model._nodes}
    layers = []
    for layer in model.layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        inbound = []
        for node in layer._inbound_nodes:
            if id(node) not in model_nodes or not node.input_tensors:
                continue
            inbound.append({"args": _node_arguments(node),
                            "kwargs": dict(getattr(node, "call_kwargs", {}))})
        entry["inbound_nodes"] = inbound
        layers.append(entry)

    def refs(struct):
        """Keras 3 keeps the structure: one tensor is [name, node, index],
        a list of tensors a list of those."""
        if isinstance(struct, (list, tuple)):
            return [refs(t) for t in struct]
        history = struct._keras_history
        return [history[0].name, history[1], history[2]]

    return {"name": model.name, "trainable": model.trainable,
            "layers": layers, "input_layers": refs(model._inputs_struct),
            "output_layers": refs(model._outputs_struct)}


def _argument_config(value):
    """One call argument as Keras 3 writes it in an inbound node: tensors
    as `__keras_tensor__`, slices as `__slice__`, lists kept."""
    from seqcore.engine.keras_tensor import KerasTensor
    if isinstance(value, KerasTensor):
        src, idx, tidx = value._keras_history
        return {"class_name": "__keras_tensor__", "config": {
            "shape": list(value.shape), "dtype": value.dtype,
            "keras_history": [src.name, idx, tidx]}}
    if isinstance(value, (list, tuple)):
        return [_argument_config(v) for v in value]
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {
            "start": value.start, "stop": value.stop, "step": value.step}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    raise ValueError(f"Cannot save a functional model whose node takes "
                     f"{value!r} (of type {type(value).__name__}) as an "
                     f"argument")


def _node_arguments(node):
    """The positional arguments of a node's call, in Keras 3's form: the
    op's arguments for arithmetic nodes, the input structure (one tensor
    or a list of them) for layers."""
    ops_args = getattr(node, "op_arguments", None)
    if ops_args is not None:
        return [_argument_config(a) for a in ops_args]
    arguments = getattr(node, "arguments", None)
    if arguments is not None:
        inputs, args, _ = arguments
        return [_argument_config(inputs)] + \
            [_argument_config(a) for a in args]
    tensors = node.input_tensors
    return [_argument_config(tensors[0] if len(tensors) == 1 else tensors)]


def _node_refs(node):
    """[(layer name, node index, tensor index)] of one inbound node, in
    Keras 3's form ({'args': [keras tensors]}) or Keras 2's ([[name, node,
    tensor, kwargs], ...])."""
    if isinstance(node, dict):
        refs = []
        for arg in node.get("args", []):
            items = arg if isinstance(arg, list) else [arg]
            for item in items:
                if isinstance(item, dict) and \
                        item.get("class_name") == "__keras_tensor__":
                    refs.append(tuple(item["config"]["keras_history"]))
        return refs
    return [tuple(ref[:3]) for ref in node]


def _node_kwargs(node, layer):
    """The call options of a Keras 3 inbound node that `layer` takes back
    (those it lists in `_serialized_call_kwargs`, e.g. MultiHeadAttention's
    use_causal_mask); others are dropped."""
    allowed = getattr(layer, "_serialized_call_kwargs", ())
    kwargs = node.get("kwargs") if isinstance(node, dict) else None
    return {k: v for k, v in (kwargs or {}).items() if k in allowed}


def _argument_value(item, outputs):
    """A call argument from its config: tensors from the nodes built so
    far, slices, lists, constants."""
    if isinstance(item, list):
        return [_argument_value(v, outputs) for v in item]
    if isinstance(item, dict) and item.get("class_name") == \
            "__keras_tensor__":
        name, index, tensor = item["config"]["keras_history"]
        return outputs[(name, index)][tensor]
    if isinstance(item, dict) and item.get("class_name") == "__slice__":
        c = item.get("config", {})
        return slice(c.get("start"), c.get("stop"), c.get("step"))
    return item


def functional_from_config(config, custom_objects=None):
    """Rebuild a functional model: create each layer, then call it on the
    tensors its inbound nodes name, in order, until every node is wired."""
    from seqcore.engine.functional import Functional
    from seqcore.engine.input_layer import InputLayer
    if not isinstance(config, dict) or "layers" not in config:
        raise ValueError("A functional model config needs 'layers', "
                         "'input_layers' and 'output_layers'")
    layers, pending = {}, []
    for entry in config["layers"]:
        layer_config = dict(entry)
        layer = deserialize_keras_object(layer_config, custom_objects)
        name = entry.get("name") or entry.get("config", {}).get("name")
        layers[name] = layer
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(layer, InputLayer):
            pending.append((layer, [(_node_refs(n), n) for n in nodes]))
    outputs = {}   # (layer name, node index) -> list of output tensors
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            outputs[(name, 0)] = [layer.output]
    progress = True
    while pending and progress:
        progress, remaining = False, []
        for layer, nodes in pending:
            done = 0
            for refs, raw in nodes:
                if not all((r[0], r[1]) in outputs for r in refs):
                    break
                if isinstance(raw, dict):
                    args = [_argument_value(a, outputs) for a in
                            raw.get("args", [])]
                    if type(layer).__name__ == "GetItem" and \
                            isinstance(args[-1], list):
                        args[-1] = tuple(args[-1])
                    result = layer(*args, **_node_kwargs(raw, layer))
                else:
                    args = [outputs[(r[0], r[1])][r[2]] for r in refs]
                    result = layer(args[0] if len(args) == 1 else args)
                index = len([k for k in outputs if k[0] == layer.name])
                outputs[(layer.name, index)] = result if \
                    isinstance(result, list) else [result]
                done += 1
            if done:
                progress = True
            if nodes[done:]:
                remaining.append((layer, nodes[done:]))
        pending = remaining
    if pending:
        raise ValueError(f"Functional model config: cannot connect layers "
                         f"{[l.name for l, _ in pending]} (their inputs are "
                         f"missing from the config)")

    def tensors(refs):
        refs = refs if refs and isinstance(refs[0], list) else [refs]
        found = []
        for ref in refs:
            key = (ref[0], ref[1])
            if key not in outputs:
                raise ValueError(f"Functional model config names unknown "
                                 f"tensor {ref}")
            found.append(outputs[key][ref[2]])
        return found
    def flat(refs):   # one [name, node, index] or a list of them
        return bool(refs) and isinstance(refs[0], str)
    in_refs = config.get("input_layers", [])
    out_refs = config.get("output_layers", [])
    inputs, outs = tensors(in_refs), tensors(out_refs)
    return Functional(inputs[0] if flat(in_refs) else inputs,
                      outs[0] if flat(out_refs) else outs,
                      name=config.get("name"),
                      trainable=config.get("trainable", True))
