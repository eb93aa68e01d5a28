"""keras.name_scope and keras.device: the context managers Keras programs
open, with what they mean on one CPU.

`name_scope` prefixes the path of every variable made inside it
("outer/inner/variable"): `keras.Variable`s, and layers' and metrics'
weights, since a layer opens a scope with its name when it builds, is
called or adds a weight (engine/layer.py), a metric when it adds a
variable, an optimizer when it builds. As in Keras 3, a layer remembers
the path around its first scope (`_parent_path`) and its later scopes
start from there, wherever they are opened. `device` accepts the
CPU ("cpu", "cpu:0", "/CPU:0", ...) and refuses other devices: seqcore runs
on the CPU only.
"""
import re

_STACK = []


class name_scope:
    """A sub-namespace for variable paths.

    Args:
        name: the scope's name (a string without '/').
        caller: the object opening the scope, if any.
        deduplicate: do not re-enter a scope the same caller just opened
            with the same name.
        override_parent: an absolute path replacing the enclosing scopes.
    """

    def __init__(self, name, caller=None, deduplicate=True,
                 override_parent=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError(f"Argument `name` must be a string and cannot "
                             f"contain character `/`. Received: name={name}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        if override_parent is None and deduplicate:
            # A layer's scope sits where the layer first opened one.
            self.override_parent = getattr(caller, "_parent_path", None)
        self._pushed = False

    def __enter__(self):
        top = _STACK[-1] if _STACK else None
        if not (self.deduplicate and top is not None and
                self.caller is not None and top.caller is self.caller and
                top.name == self.name):
            _STACK.append(self)
            self._pushed = True
        return self

    def __exit__(self, *exc):
        if self._pushed:
            _STACK.pop()
            self._pushed = False


def current_path():
    """The '/'-joined names of the open scopes ("" outside any): the
    prefix of a variable made now."""
    parts = []
    for scope in _STACK:
        if scope.override_parent is not None:
            parts = [p for p in scope.override_parent.split("/") if p]
        parts.append(scope.name)
    return "/".join(parts)


def scoped(name):
    """The path of a variable called `name` made now."""
    prefix = current_path()
    return f"{prefix}/{name}" if prefix else name


_CPU = re.compile(r"^/?(device:)?cpu(:\d+)?$", re.IGNORECASE)


class device:
    """Run what the block does on `device_name`; seqcore has the CPU only.

    Args:
        device_name: "cpu", "cpu:0", "/CPU:0", ... (case-insensitive).

    Raises:
        ValueError: any other device ("gpu:0", "tpu", ...).
    """

    def __init__(self, device_name):
        if not isinstance(device_name, str) or not _CPU.match(device_name):
            raise ValueError(f"keras.device: seqcore runs on the CPU only; "
                             f"expected 'cpu' or 'cpu:<index>', received "
                             f"device_name={device_name!r}")
        self.device_name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
