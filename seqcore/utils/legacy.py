"""keras.utils.legacy: Keras 2's object serialization, {"class_name",
"config"} without Keras 3's "module" and "registered_name" (the form of
Keras 2 `.h5` and JSON files)."""
import inspect

from seqcore.saving.object_registration import (get_registered_name,
                                                get_registered_object)

_PASSIVE = "__passive_serialization__"


def serialize_keras_object(instance):
    """Keras 2's config of `instance`: {"class_name": registered name,
    "config": get_config()}, nested objects serialized too (and marked
    passive); a function gives its registered name; None gives None.

    Args:
        instance: an object with `get_config()`, or a function.
    Returns:
        A JSON-compatible dict (or a string for a function).
    Raises:
        ValueError: `instance` has neither `get_config` nor a name.
    """
    instance = inspect.unwrap(instance) if callable(instance) else instance
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                serialized = serialize_keras_object(item)
            except ValueError:
                config[key] = item
                continue
            if isinstance(serialized, dict) and not isinstance(item, dict):
                serialized[_PASSIVE] = True
            config[key] = serialized
        return {"class_name": get_registered_name(type(instance)),
                "config": config}
    if hasattr(instance, "__name__"):
        return get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't "
                     f"implement `get_config()`.")


def _unknown(kind, name):
    return ValueError(f"Unknown {kind}: '{name}'. Please ensure you are "
                      f"using a `keras.utils.custom_object_scope` and that "
                      f"this object is included in the scope.")


def deserialize_keras_object(identifier, module_objects=None,
                             custom_objects=None,
                             printable_module_name="object"):
    """The object a Keras 2 config (or name) describes.

    Args:
        identifier: a {"class_name", "config"} dict, a name, or a function
            (returned as is).
        module_objects: dict of built-in names to classes/functions.
        custom_objects: dict of the user's names to classes/functions.
        printable_module_name: the kind of object, for error messages.
    Returns:
        The object: `cls.from_config(config)` for a dict; for a name, the
        class instantiated without arguments or the function itself.
    Raises:
        ValueError: an unknown name or a malformed config.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for {identifier}. "
                             f"Expecting python dict contains `class_name` "
                             f"and `config` as keys")
        name = identifier["class_name"]
        cls = get_registered_object(name, custom_objects, module_objects)
        if cls is None:
            raise _unknown(printable_module_name, name)
        config = identifier["config"]
        if isinstance(config, dict):
            config = {key: deserialize_keras_object(
                item, module_objects, custom_objects, "config_item")
                if isinstance(item, dict) and _PASSIVE in item else item
                for key, item in config.items()}
        if hasattr(cls, "from_config"):
            if "custom_objects" in inspect.signature(
                    cls.from_config).parameters:
                return cls.from_config(config,
                                       custom_objects=custom_objects or {})
            return cls.from_config(config)
        return cls(**config)
    if isinstance(identifier, str):
        obj = get_registered_object(identifier, custom_objects,
                                    module_objects)
        if obj is None:
            raise _unknown(printable_module_name, identifier)
        return obj() if inspect.isclass(obj) else obj
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized "
                     f"{printable_module_name}: {identifier}")


__all__ = ["serialize_keras_object", "deserialize_keras_object"]
