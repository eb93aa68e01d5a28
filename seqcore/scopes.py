"""keras.name_scope, keras.device, keras.RematScope / keras.remat and
keras.SymbolicScope: the context managers Keras programs open, with what
they mean on one CPU.

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
import collections
import functools
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


# ---- rematerialization ----------------------------------------------------------

RematMode = collections.namedtuple(
    "RematMode", ["mode", "output_size_threshold", "layer_names"])

_REMAT_STACK = []


class RematScope:
    """Keras's rematerialization scope (gradient checkpointing).

    seqcore keeps each layer's activations for its backward pass and never
    recomputes them, so the scope changes no number and no memory use; it
    is accepted, validated and reported (`get_current_remat_mode`) so that
    programs written for Keras's backends run unchanged.

    Args:
        mode: "full", "activations", "larger_than", "list_of_layers" or
            None.
        output_size_threshold: the size for "larger_than" (default 1024).
        layer_names: the layer names for "list_of_layers".
    """

    _MODES = ("full", "activations", "larger_than", "list_of_layers", None)

    def __init__(self, mode="full", output_size_threshold=1024,
                 layer_names=None):
        if mode not in self._MODES:
            raise ValueError(
                f"Invalid mode '{mode}'. Supported modes are: 'full', "
                f"'activations', 'larger_than', 'list_of_layers', or  None.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []
        self._pushed = False

    def __enter__(self):
        _REMAT_STACK.append(self)
        self._pushed = True
        return self

    def __exit__(self, *exc):
        if self._pushed:
            _REMAT_STACK.pop()
            self._pushed = False


def get_current_remat_mode():
    """The innermost RematScope's settings as a RematMode, or None."""
    if not _REMAT_STACK:
        return None
    scope = _REMAT_STACK[-1]
    return RematMode(scope.mode, scope.output_size_threshold,
                     scope.layer_names)


def remat(f):
    """`f` marked for rematerialization (keras.remat): the same function.
    seqcore differentiates it as it differentiates any call (a custom
    layer's ops are recorded on the tape), keeping its intermediates
    rather than recomputing them; results are those of `f`.

    Args:
        f: a callable (a function or a layer).
    """
    if not callable(f):
        raise TypeError(f"remat expects a callable, received "
                        f"{type(f).__name__}: {f!r}")

    @functools.wraps(f)
    def rematerialized(*args, **kwargs):
        return f(*args, **kwargs)
    return rematerialized


# ---- the symbolic stage ------------------------------------------------------------

class CurrentScope:
    """A context manager that is the current one of its kind while open,
    the enclosing one again after (`_current`: the kind's one-item list,
    set by each subclass)."""

    _current = None

    def __enter__(self):
        self.original_scope = self._current[0]
        self._current[0] = self
        return self

    def __exit__(self, *exc):
        self._current[0] = self.original_scope


_SYMBOLIC = [None]


class SymbolicScope(CurrentScope):
    """Keras's marker of the symbolic stage (`in_symbolic_scope()` is True
    inside it)."""

    _current = _SYMBOLIC


def in_symbolic_scope():
    return _SYMBOLIC[0] is not None
