"""Keras 3's serialized form of objects (layers, models, losses,
optimizers, metrics, initializers, functions, plain values), both ways.

`serialize_keras_object` writes what Keras 3 writes: a dict with 'module',
'class_name', 'config' and 'registered_name' for objects (plus
'build_config' for built layers), {'class_name': 'function', ...} for
functions, and plain values, lists and dicts as they are. Reading looks
classes and functions up by name in seqcore's own namespaces and in the
custom objects (`custom_objects=`, an open `custom_object_scope`, or
`register_keras_serializable`): nothing named in a config is imported,
and a Python lambda's code is run only when safe mode is off.
"""
import copy
import importlib
import types
import warnings

import numpy as np

from seqcore.saving import object_registration as registration
from seqcore.saving.object_registration import (  # noqa: F401 (re-exported)
    CustomObjectScope, SafeModeScope, custom_object_scope,
    get_custom_objects, get_registered_name, get_registered_object,
    in_safe_mode, register_keras_serializable)
from seqcore.saving.python_functions import (UNSAFE_LAMBDA_MESSAGE,
                                             dump_function, is_lambda,
                                             load_function)

_REGISTRY = {}          # class name -> class (built-in layers and models)
# Kept for callers of the previous name: the global custom-object table.
_CUSTOM_OBJECTS = registration._GLOBAL_CUSTOM_OBJECTS

MODULE_OF = {"Sequential": "keras",
             "Functional": "keras.src.models.functional", "Model": "keras"}
PLAIN_TYPES = (str, int, float, bool)
# Keras's public modules and the seqcore namespaces that hold their names.
_NAMESPACES = {
    "keras.layers": "seqcore.layers",
    "keras.losses": "seqcore.losses",
    "keras.metrics": "seqcore.metrics",
    "keras.optimizers.schedules": "seqcore.optimizers.schedules",
    "keras.optimizers": "seqcore.optimizers",
    "keras.initializers": "seqcore.initializers",
    "keras.regularizers": "seqcore.regularizers",
    "keras.constraints": "seqcore.constraints",
    "keras.activations": "seqcore.activations",
    "keras.distillation": "seqcore.distillation",
}
# Where Keras looks for a function saved by its bare name.
_FUNCTION_NAMESPACES = ("keras.activations", "keras.losses", "keras.metrics",
                        "keras.initializers", "keras.regularizers")


class DeserializationError(TypeError, ValueError):
    """A config names a class or function that cannot be found or rebuilt
    (Keras raises TypeError; earlier seqcore releases ValueError: both
    catch it)."""


def _namespace(keras_module):
    name = _NAMESPACES.get(keras_module)
    return importlib.import_module(name) if name else None


def get_object(identifier, classes, aliases, kind):
    """An object of a small family (initializers, regularizers) from a name
    (an alias or the class name), a serialized dict, or an instance or
    callable, which is returned as it is; None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        cls = aliases.get(identifier) or classes.get(identifier)
        if cls is None:
            cls = registration.get_registered_object(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret {kind} identifier: "
                             f"{identifier!r}; known names: {sorted(aliases)}")
        return cls()
    if isinstance(identifier, dict):
        cls = classes.get(identifier.get("class_name"))
        if cls is None:
            cls = registration.get_registered_object(
                identifier.get("registered_name") or
                identifier.get("class_name"))
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
    if not isinstance(obj, type) and type(obj).__module__.startswith(
            "seqcore."):
        return {"module": module, "class_name": obj.__class__.__name__,
                "config": obj.get_config(), "registered_name": None}
    return serialize_keras_object(obj)


def register_builtin(cls):
    """Make a seqcore class loadable by its Keras class name."""
    _REGISTRY[cls.__name__] = cls
    return cls


# ---- writing ------------------------------------------------------------------------

_PUBLIC_CACHE = {}


def _public_module(cls):
    """(Keras module, registered_name) of a seqcore class that Keras
    exports publicly, else None."""
    if cls in _PUBLIC_CACHE:
        return _PUBLIC_CACHE[cls]
    found = None
    if cls.__module__.startswith("seqcore."):
        if cls.__name__ in MODULE_OF and _REGISTRY.get(cls.__name__) is cls:
            found = (MODULE_OF[cls.__name__],
                     "Functional" if cls.__name__ == "Functional" else None)
        else:
            for keras_module in _NAMESPACES:
                if getattr(_namespace(keras_module), cls.__name__,
                           None) is cls:
                    found = (keras_module, None)
                    break
            if found is None and _REGISTRY.get(cls.__name__) is cls:
                found = ("keras.layers", None)
    _PUBLIC_CACHE[cls] = found
    return found


def _function_config(fn):
    return {"module": "builtins", "class_name": "function",
            "config": registration.get_registered_name(fn),
            "registered_name": "function"}


def _serialize_value(obj):
    """Serialized form of values that are not Keras objects, or
    NotImplemented."""
    from seqcore.engine.keras_tensor import KerasTensor
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__",
                "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start),
            "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, KerasTensor):
        history = getattr(obj, "_keras_history", None)
        if history:
            history = [history[0].name, history[1], history[2]]
        return {"class_name": "__keras_tensor__", "config": {
            "shape": obj.shape, "dtype": obj.dtype,
            "keras_history": history}}
    if isinstance(obj, np.ndarray) and obj.ndim > 0:
        from seqcore.backend import standardize_dtype
        return {"class_name": "__numpy__", "config": {
            "value": obj.tolist(), "dtype": standardize_dtype(obj.dtype)}}
    if isinstance(obj, (np.generic, np.ndarray)):
        return obj.item()
    if isinstance(obj, np.dtype):
        return obj.name
    return NotImplemented


def _build_config(obj):
    if getattr(obj, "_is_model", False):
        if type(obj).__name__ == "Functional":
            return {"input_shape": None}
        if getattr(obj, "_stack", None) is not None:
            return {"input_shape": list(obj.input_shape)} if obj.built \
                else None
    shape = getattr(obj, "_build_shape", None)
    return None if shape is None else {"input_shape": list(shape)}


def serialize_keras_object(obj):
    """Keras 3's serialized form of `obj`.

    Args:
        obj: a layer, model, loss, metric, optimizer, schedule,
            initializer, regularizer or any object with `get_config()`; a
            function (written by its registered name); None, a str, int,
            float or bool (returned as is); a list, tuple or dict (each item
            serialized); a numpy array or scalar.

    Returns:
        For objects {'module', 'class_name', 'config', 'registered_name'}
        (plus 'build_config' for built layers and models); for functions
        {'module': 'builtins', 'class_name': 'function', 'config': name,
        'registered_name': 'function'}.

    Raises:
        TypeError: for an object without `get_config()`, or whose
            `get_config()` is not a dict.
    """
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return serialize_dict(obj)
    value = _serialize_value(obj)
    if value is not NotImplemented:
        return value
    if is_lambda(obj):
        warnings.warn("The object being serialized includes a `lambda`. "
                      "Reloading it needs `safe_mode=False`; prefer a named "
                      "function.", stacklevel=2)
        return {"class_name": "__lambda__",
                "config": {"value": dump_function(obj)}}
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return _function_config(obj)
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize object {obj!r} of type "
                        f"{type(obj)}. To be serializable, a class must "
                        f"implement the `get_config()` method.")
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(f"The `get_config()` method of {obj!r} should return "
                        f"a dict. It returned: {config!r}")
    cls = type(obj)
    module = getattr(obj, "_keras_module", None)
    if module is not None:          # an operation node (op_layer.py)
        registered = cls.__name__
    else:
        public = _public_module(cls)
        if public is not None:
            module, registered = public
        else:
            module = cls.__module__
            registered = registration.get_registered_name(cls)
            if module == "__main__":
                module = None
    result = {"module": module, "class_name": cls.__name__,
              "config": serialize_dict(config),
              "registered_name": registered}
    build = _build_config(obj)
    if build is not None:
        result["build_config"] = build
    if getattr(obj, "_is_model", False):
        from seqcore.saving.files import _compile_config
        result["compile_config"] = _compile_config(obj) or {}
    return result


def serialize_dict(obj):
    """Each value of a dict serialized."""
    return {key: serialize_keras_object(value) for key, value in obj.items()}


# ---- reading ------------------------------------------------------------------------

def _lookup_function(name, module, objects, full_config):
    found = registration.find((name,), objects)
    if found is not None:
        return found
    namespaces = (module,) if module in _NAMESPACES else ()
    if module in (None, "builtins") or not namespaces:
        namespaces = _FUNCTION_NAMESPACES
    for keras_module in namespaces:
        fn = getattr(_namespace(keras_module), name, None)
        if isinstance(fn, (types.FunctionType, types.BuiltinFunctionType)):
            return fn
    if ">" not in name:
        for table in (objects, registration.get_custom_objects()):
            for key, value in table.items():
                if key.endswith(">" + name):
                    return value
    raise DeserializationError(
        f"Could not locate function '{name}'. Make sure custom classes and "
        f"functions are decorated with "
        f"`@keras.saving.register_keras_serializable()` or passed in "
        f"`custom_objects`. Full object config: {full_config}")


def _lookup_class(class_name, registered_name, module, objects):
    found = registration.find((registered_name, class_name), objects)
    if found is not None:
        return found
    if module in ("keras", "keras.models", "keras.src.models.functional"):
        if class_name in MODULE_OF and class_name in _REGISTRY:
            return _REGISTRY[class_name]
        if class_name == "Model":
            from seqcore.engine.model import Model
            return Model
    namespace = _namespace(module)
    if namespace is not None:
        found = getattr(namespace, class_name, None)
        if isinstance(found, type):
            return found
    if class_name in _REGISTRY:
        return _REGISTRY[class_name]
    if module is None or module.startswith("keras"):
        for keras_module in _NAMESPACES:
            found = getattr(_namespace(keras_module), class_name, None)
            if isinstance(found, type) and hasattr(found, "from_config"):
                return found
    raise DeserializationError(
        f"Unknown layer class {class_name!r}: it is not a seqcore class and "
        f"not in `custom_objects` or registered with "
        f"`keras.saving.register_keras_serializable` (module={module!r}, "
        f"registered_name={registered_name!r}).")


def _takes_custom_objects(cls):
    import inspect
    try:
        return "custom_objects" in inspect.signature(
            cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def _special_value(class_name, inner, objects, safe_mode):
    """Plain values Keras writes as {'class_name': '__x__', ...}, or
    NotImplemented."""
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner.get(k), objects,
                                                safe_mode)
                       for k in ("start", "stop", "step")))
    if class_name == "__lambda__":
        if safe_mode:
            raise ValueError(UNSAFE_LAMBDA_MESSAGE.format(what=""))
        return load_function(inner["value"])
    return NotImplemented


def deserialize_keras_object(config, custom_objects=None, safe_mode=True,
                             **kwargs):
    """The object described by a serialized config (the inverse of
    `serialize_keras_object`).

    Args:
        config: a dict with 'class_name' and 'config' (and optionally
            'module', 'registered_name', 'build_config'), a function entry,
            a list of such, a plain value, or the name of a custom object.
        custom_objects: a dict {name: class or function} searched with the
            open `custom_object_scope` and the registered objects.
        safe_mode: when True (the default) a Python lambda in the config is
            refused; an enclosing load's setting takes precedence.

    Raises:
        TypeError / ValueError: an unknown class or function (the error is
            both), or a class that cannot be rebuilt from its config.
        ValueError: a lambda in safe mode.
    """
    scoped = registration.in_safe_mode()
    safe_mode = scoped if scoped is not None else safe_mode
    objects = registration.all_custom_objects(custom_objects)
    if config is None:
        return None
    if isinstance(config, str):
        found = registration.find((config,), objects)
        if found is not None:
            return found
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, objects, safe_mode)
                for x in config]
    if isinstance(config, PLAIN_TYPES):
        return config
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, objects, safe_mode)
                for key, value in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    value = _special_value(class_name, inner, objects, safe_mode)
    if value is not NotImplemented:
        return value
    if str(config.get("module")).startswith("keras.src.ops."):
        from seqcore.engine.op_layer import OP_LAYERS
        from seqcore.engine.symbolic_ops import class_for
        if config["module"] == "keras.src.ops.numpy" and \
                class_name in OP_LAYERS:
            return OP_LAYERS[class_name].from_config(inner)
        op = class_for(config["module"], class_name)
        if op is None:
            raise ValueError(f"The operation {class_name!r} "
                             f"({config['module']}) on symbolic tensors is "
                             f"not supported by seqcore")
        return op.from_config(inner)
    module = config.get("module")
    if class_name == "function":
        if not isinstance(inner, str):
            raise TypeError(f"Expected 'config' to be a non-null str for a "
                            f"function, received {inner!r}. Full object "
                            f"config: {config}")
        return _lookup_function(inner, module, objects, config)
    if not isinstance(inner, dict):
        raise TypeError(f"Expected 'config' to be a dict for {class_name}, "
                        f"received {type(inner).__name__}. Full object "
                        f"config: {config}")
    cls = _lookup_class(class_name, config.get("registered_name"), module,
                        objects)
    if isinstance(cls, types.FunctionType):
        return cls
    inner = copy.deepcopy(inner)
    with registration.CustomObjectScope(objects), \
            registration.SafeModeScope(safe_mode):
        obj = _from_config(cls, class_name, inner, objects, config)
        build = config.get("build_config")
        if build and build.get("input_shape") is not None and \
                not getattr(obj, "built", True):
            obj._maybe_build(_shape(build["input_shape"]))
        compile_config = config.get("compile_config")
        if compile_config and getattr(obj, "_is_model", False):
            from seqcore.saving.files import _compile_from_config
            _compile_from_config(obj, compile_config, objects)
    return obj


def _shape(shape):
    if shape and isinstance(shape[0], (list, tuple)):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _from_config(cls, class_name, inner, objects, config):
    if not hasattr(cls, "from_config"):
        try:
            return cls(**inner)
        except TypeError as exc:
            raise DeserializationError(
                f"Unable to reconstruct an instance of '{class_name}' "
                f"({exc}). Full object config: {config}") from None
    try:
        if class_name in MODULE_OF or _takes_custom_objects(cls):
            return cls.from_config(inner, objects)
        return cls.from_config(inner)
    except TypeError as exc:
        raise DeserializationError(
            f"Cannot rebuild {class_name} from its config: {exc}. Layers "
            f"and models held in a config must be deserialized in the "
            f"class's `from_config()`.") from None


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


def functional_config(model, serialize_layer=None):
    """Keras 3's functional config: layers with their inbound nodes (each
    seqcore layer takes one input tensor per call). `serialize_layer`
    replaces serialize_keras_object for the layer entries (clone_model
    needs only the wiring)."""
    serialize_layer = serialize_layer or serialize_keras_object
    model_nodes = {id(n) for n in model._nodes}
    layers = []
    for layer in getattr(model, "_operations", model.layers):
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        inbound = []
        for node in layer._inbound_nodes:
            if id(node) not in model_nodes or not node.input_tensors:
                continue
            kwargs = dict(getattr(node, "call_kwargs", {}))
            kwargs.update(_node_tensor_kwargs(node))
            kwargs.update({k: _argument_config(v) for k, v in
                           getattr(node, "op_kwargs", {}).items()})
            inbound.append({"args": _node_arguments(node),
                            "kwargs": kwargs})
        entry["inbound_nodes"] = inbound
        layers.append(entry)

    def refs(struct):
        """Keras 3 keeps the structure: one tensor is [name, node, index],
        a list of tensors a list of those, a dict a dict of those."""
        if isinstance(struct, dict):
            return {key: refs(t) for key, t in struct.items()}
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
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__", "config": {
            "value": value.tolist(), "dtype": value.dtype.name}}
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


def _node_tensor_kwargs(node):
    """The keyword arguments of a layer call that hold tensors
    (`initial_state=[h, c]`), in Keras 3's inbound-node form."""
    from seqcore.engine import call_tensors
    arguments = getattr(node, "arguments", None)
    if arguments is None:
        return {}
    kwargs = arguments[2] or {}
    return {k: _argument_config(v) for k, v in kwargs.items()
            if k not in ("mask", "training") and
            call_tensors.find((), {k: v})}


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
        for value in (node.get("kwargs") or {}).values():
            refs += _config_refs(value)     # wait for initial_state too
        return refs
    return [tuple(ref[:3]) for ref in node]


def _node_kwargs(node, layer):
    """The call options of a Keras 3 inbound node that `layer` takes back
    (those it lists in `_serialized_call_kwargs`, e.g. MultiHeadAttention's
    use_causal_mask); others are dropped."""
    allowed = getattr(layer, "_serialized_call_kwargs", ())
    kwargs = node.get("kwargs") if isinstance(node, dict) else None
    return {k: v for k, v in (kwargs or {}).items() if k in allowed}


def _tensor_kwargs(node, outputs):
    """The keyword arguments of an inbound node that hold tensors
    (`initial_state`), rebuilt from the tensors made so far."""
    kwargs = node.get("kwargs") if isinstance(node, dict) else None
    return {k: _argument_value(v, outputs) for k, v in (kwargs or {}).items()
            if _config_refs(v)}


def _config_refs(item):
    """[(layer name, node index, tensor index)] of the __keras_tensor__
    entries inside one argument's config."""
    if isinstance(item, list):
        return [r for v in item for r in _config_refs(v)]
    if isinstance(item, dict) and item.get("class_name") == \
            "__keras_tensor__":
        return [tuple(item["config"]["keras_history"])]
    return []


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
    if isinstance(item, dict) and item.get("class_name") == "__numpy__":
        c = item.get("config", {})
        return np.asarray(c.get("value"), dtype=c.get("dtype"))
    return item


def _call_layer(layer, *args, **kwargs):
    return layer(*args, **kwargs)


def functional_from_config(config, custom_objects=None, make_layer=None,
                           input_tensors=None, call_function=None):
    """Rebuild a functional model: create each layer, then call it on the
    tensors its inbound nodes name, in order, until every node is wired.

    Args:
        config: the functional config (layers, input_layers,
            output_layers).
        custom_objects: {name: class or function}.
        make_layer: `make_layer(entry)` -> the layer of a non-input layer
            entry (default: deserialize it); clone_model passes a clone.
        input_tensors: symbolic tensors to use in place of the inputs, in
            the order of 'input_layers' (clone_model).
        call_function: `call_function(layer, *args, **kwargs)` makes each
            call (default: `layer(*args, **kwargs)`).
    """
    from seqcore.engine.functional import Functional
    from seqcore.engine.input_layer import InputLayer
    if not isinstance(config, dict) or "layers" not in config:
        raise ValueError("A functional model config needs 'layers', "
                         "'input_layers' and 'output_layers'")
    call = call_function or _call_layer
    layers, pending = {}, []
    for entry in config["layers"]:
        layer_config = dict(entry)
        if make_layer is not None and \
                layer_config.get("class_name") != "InputLayer":
            layer = make_layer(layer_config)
        else:
            layer = deserialize_keras_object(layer_config, custom_objects)
        name = entry.get("name") or entry.get("config", {}).get("name")
        layers[name] = layer
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(layer, InputLayer):
            pending.append((name, layer,
                            [(_node_refs(n), n) for n in nodes]))
    outputs = {}   # (layer name, node index) -> list of output tensors
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            outputs[(name, 0)] = [layer.output]
    if input_tensors is not None:
        refs = config.get("input_layers", [])
        refs = [refs] if refs and isinstance(refs[0], str) else refs
        for ref, tensor in zip(refs, input_tensors):
            outputs[(ref[0], ref[1])] = [tensor]
    progress = True
    while pending and progress:
        progress, remaining = False, []
        for name, layer, nodes in pending:
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
                    kwargs = _node_kwargs(raw, layer)
                    kwargs.update(_tensor_kwargs(raw, outputs))
                    result = call(layer, *args, **kwargs)
                else:
                    args = [outputs[(r[0], r[1])][r[2]] for r in refs]
                    result = call(layer, args[0] if len(args) == 1 else args)
                index = len([k for k in outputs if k[0] == name])
                outputs[(name, index)] = list(result) if \
                    isinstance(result, (list, tuple)) else [result]
                done += 1
            if done:
                progress = True
            if nodes[done:]:
                remaining.append((name, layer, nodes[done:]))
        pending = remaining
    if pending:
        raise ValueError(f"Functional model config: cannot connect layers "
                         f"{[n for n, _, _ in pending]} (their inputs are "
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
    def structure(refs):    # a dict of refs keeps its keys
        if isinstance(refs, dict):
            return {key: tensors(ref)[0] for key, ref in refs.items()}
        found = tensors(refs)
        return found[0] if flat(refs) else found
    in_refs = config.get("input_layers", [])
    out_refs = config.get("output_layers", [])
    return Functional(structure(in_refs), structure(out_refs),
                      name=config.get("name"),
                      trainable=config.get("trainable", True))
