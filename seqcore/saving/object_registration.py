"""Custom objects: the global table filled by `register_keras_serializable`,
the temporary tables of `custom_object_scope`, and the safe-mode switch.

Keras 3's names and behaviour: a registered object is known as
"package>name"; `get_custom_objects()` is the live global table (scopes do
not write to it); a scope replaces the scoped table while it is open and
restores the previous one when it closes; `clear_session()` empties the
scoped table (not the global one).
"""
import inspect

_GLOBAL_CUSTOM_OBJECTS = {}   # "package>name" (or any user key) -> object
_GLOBAL_CUSTOM_NAMES = {}     # object -> "package>name"
_STATE = {"scope": {}, "safe_mode": None}


class CustomObjectScope:
    """`with custom_object_scope({"name": obj, ...}):` makes those objects
    visible to deserialization (`load_model`, `model_from_json`,
    `deserialize_keras_object`, `from_config`) inside the block.

    Args:
        custom_objects: a dict {name: class or function}; None is empty.
    """

    def __init__(self, custom_objects):
        if custom_objects is not None and not isinstance(custom_objects,
                                                         dict):
            raise TypeError(f"custom_object_scope expects a dict of "
                            f"{{name: object}}, received "
                            f"{type(custom_objects).__name__}")
        self.custom_objects = custom_objects or {}
        self.backup = None

    def __enter__(self):
        self.backup = dict(_STATE["scope"])
        _STATE["scope"] = dict(self.custom_objects)
        return self

    def __exit__(self, *exc_info):
        _STATE["scope"] = dict(self.backup or {})


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """The live global dict of custom objects (what
    `register_keras_serializable` fills); scoped objects are not in it."""
    return _GLOBAL_CUSTOM_OBJECTS


def scoped_custom_objects():
    """The objects of the innermost open `custom_object_scope`."""
    return _STATE["scope"]


def reset_scope():
    """Forget the scoped objects and the safe-mode scope (clear_session)."""
    _STATE["scope"] = {}
    _STATE["safe_mode"] = None


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function as "package>name" (name
    defaults to the object's `__name__`), so that configs naming it load
    without `custom_objects`.

    Args:
        package: the first part of the registered name.
        name: the second part; None uses the object's name.

    Raises:
        ValueError: for a class without `get_config()`.
    """
    def decorator(obj):
        registered = f"{package}>{name if name is not None else obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register a class that does not have a "
                             "get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj
    return decorator


def get_registered_name(obj):
    """The name `obj` was registered under ("package>name"), else its
    `__name__`."""
    try:
        if obj in _GLOBAL_CUSTOM_NAMES:
            return _GLOBAL_CUSTOM_NAMES[obj]
    except TypeError:   # an unhashable object is never registered
        pass
    return obj.__name__


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object known as `name` in the open scope, the global table,
    `custom_objects` or `module_objects` (in that order), else None."""
    scope = _STATE["scope"]
    if name in scope:
        return scope[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def all_custom_objects(custom_objects=None):
    """The objects of the open scope overridden by `custom_objects` (the
    global table is searched after these: see `find`)."""
    return {**_STATE["scope"], **(custom_objects or {})}


def find(names, objects):
    """The first of `names` found in `objects` (the caller's and the
    scoped objects), else in the global table, else None. A user's
    `custom_objects` thus win over a registered object of the same name."""
    for table in (objects, _GLOBAL_CUSTOM_OBJECTS):
        for name in names:
            if name and name in table:
                return table[name]
    return None


# ---- safe mode -------------------------------------------------------------------

class SafeModeScope:
    """Propagates `safe_mode` to nested deserialization (a Lambda's
    `from_config` called from `load_model`)."""

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode
        self.previous = None

    def __enter__(self):
        self.previous = _STATE["safe_mode"]
        _STATE["safe_mode"] = self.safe_mode
        return self

    def __exit__(self, *exc_info):
        _STATE["safe_mode"] = self.previous


def in_safe_mode():
    """False after `keras.config.enable_unsafe_deserialization()` (until
    `clear_session()`), else the open SafeModeScope's value, else None."""
    from seqcore import config
    if config._SETTINGS.get("unsafe_deserialization"):
        return False
    return _STATE["safe_mode"]
