"""The config of a user's layer that writes no get_config (Keras 3's
automatic config): the arguments its constructor received, when they are
all plain values (str, int, float, bool, None, and lists/dicts of them)."""
import inspect

_PLAIN = (str, int, float, bool, type(None))


def _plain(value):
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return isinstance(value, _PLAIN)


def capture(cls, args, kwargs):
    """(config or None, reason) for `cls(*args, **kwargs)`: None when the
    arguments cannot be restored as `cls(**config)`."""
    try:
        signature = inspect.signature(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None, "arguments"
    params = list(signature.parameters.values())
    if any(p.kind is p.POSITIONAL_ONLY for p in params[1:]):
        return None, "positional"
    bound.apply_defaults()
    values = dict(bound.arguments)
    values.pop(params[0].name, None)
    for p in params:
        if p.kind is p.VAR_KEYWORD:
            values.update(values.pop(p.name, {}))
        elif p.kind is p.VAR_POSITIONAL:
            if values.pop(p.name, ()):
                return None, "positional"
    values.pop("name", None)
    if not _plain(values):
        return None, "values"
    return values, None


def missing_config_error(cls, reason):
    what = ("positional-only or variadic positional arguments"
            if reason == "positional" else "non-serializable argument values")
    return NotImplementedError(
        f"Object {cls.__name__} was created by passing {what} to "
        f"`__init__()`, so its config cannot be generated automatically. "
        f"Implement `get_config()` (returning the constructor's arguments) "
        f"to make it serializable.")
