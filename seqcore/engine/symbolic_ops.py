"""keras.ops on symbolic tensors: `ops.reshape(x, (-1, 4))`,
`ops.concatenate([a, b])`, `ops.top_k(x, 2)` between the layers of a
functional model, as Keras 3 allows.

Each public op is wrapped (`dispatching`): called with a KerasTensor
anywhere in its arguments (also inside a list), it adds a node to the
graph instead of computing. The node's layer is an `OpNode` subclass
named as Keras names the operation (class `Reshape` from
`keras.src.ops.numpy`, node `reshape`, `reshape_1`...). Its options (the
arguments that hold no tensor and are not data, e.g. `newshape`, `axis`)
are its config, as in Keras's saved files; its tensors (and data
constants) are the node's arguments. The op runs through seqcore.ops, so
training differentiates it with the tape.
"""
import functools
import inspect

import numpy as np

from seqcore.engine.keras_op_names import KERAS_OP_CLASSES
from seqcore.engine.keras_tensor import KerasTensor, Node
from seqcore.engine.op_layer import OpLayer
from seqcore.engine.naming import auto_name, to_snake_case

# Parameters that carry data (tensors or constants standing for them):
# Keras passes them to the operation's call; every other argument is an
# option of the operation (its config).
_DATA_PARAMETERS = frozenset((
    "x", "x1", "x2", "x3", "xs", "y", "a", "b", "condition", "inputs",
    "values", "indices", "updates", "target", "output", "labels", "logits",
    "query", "key", "value", "bias", "mask", "kernel", "mean", "variance",
    "scale", "offset", "images", "transform", "coordinates", "segment_ids",
    "elements", "arrays", "tensors", "data", "predictions", "targets",
    "x_true", "x_pred", "real", "imag", "y_true", "y_pred", "sequences",
    "start_indices"))

# Ops that answer from a symbolic tensor's metadata instead of a node.
_METADATA = {
    "shape": lambda x: tuple(x.shape),
    "convert_to_tensor": lambda x, dtype=None: x,
    "is_tensor": lambda x: True,
    "dtype": lambda x: x.dtype,
    "ndim": lambda x: len(x.shape),
}


def holds_keras_tensor(value):
    if type(value) is KerasTensor:
        return True
    if type(value) in (list, tuple):
        return any(holds_keras_tensor(v) for v in value)
    if type(value) is dict:
        return any(holds_keras_tensor(v) for v in value.values())
    return False


def dispatching(function, name=None):
    """`function` (a seqcore op) that, given symbolic tensors, adds a graph
    node; on arrays it is `function` itself."""
    name = name or function.__name__
    metadata = _METADATA.get(name)

    def symbolic(args, kwargs):
        if metadata is not None:
            return metadata(*args, **kwargs)
        return op_class(name, function)()(*args, **kwargs)

    @functools.wraps(function)
    def op(*args, **kwargs):
        # a plain loop: this check runs on every op call
        for a in args:
            kind = type(a)
            if kind is KerasTensor or ((kind is list or kind is tuple) and
                                       holds_keras_tensor(a)):
                return symbolic(args, kwargs)
        if kwargs:
            for v in kwargs.values():
                if holds_keras_tensor(v):
                    return symbolic(args, kwargs)
        return function(*args, **kwargs)
    op.__wrapped__ = function
    return op


@functools.lru_cache(maxsize=None)
def op_class(name, function):
    """The OpNode subclass of one op (cached: one class per op)."""
    family, class_name, keras_options = KERAS_OP_CLASSES.get(
        name, ("numpy", "".join(p.title() for p in name.split("_")), None))
    return type(class_name, (OpNode,), {
        "function": staticmethod(function), "op_name": name,
        "keras_options": keras_options,
        "_keras_module": f"keras.src.ops.{family}",
        "__module__": __name__})


def class_for(module, class_name):
    """The OpNode subclass a saved node names (Keras's module and class),
    or None when seqcore has no such op."""
    from seqcore import ops
    family = module.rsplit(".", 1)[-1]
    for name, (fam, cls, _) in KERAS_OP_CLASSES.items():
        if cls == class_name and fam == family:
            break
    else:
        name = to_snake_case(class_name)
    namespace = ops if family in ("numpy", "math", "core") else \
        getattr(ops, family, ops)
    function = getattr(namespace, name, None) or getattr(ops, name, None)
    if function is None:
        return None
    return op_class(name, getattr(function, "__wrapped__", function))


class _Everything:
    """Contains every name: a loaded node takes back all its saved call
    keyword arguments."""

    def __contains__(self, name):
        return True


class OpNode(OpLayer):
    """A node applying one op: its options are its config; the node's
    input tensors fill the argument slots the options leave (`template`).

    Class attributes (set per op by `op_class`): function, op_name,
    keras_options (the arguments of Keras's class for the op, or None when
    Keras has no such op), _keras_module."""

    function = None
    op_name = None
    keras_options = None
    _serialized_call_kwargs = _Everything()

    def __init__(self, name=None, **options):
        super().__init__(name=name or auto_name(to_snake_case(
            type(self).__name__)))
        self.options = options
        self._template = None      # data arguments, _SLOT for a tensor
        self._kwargs_template = {}
        self._leading = []
        self._output_structure = None

    # ---- making the node ---------------------------------------------------

    def __call__(self, *args, **kwargs):
        if holds_keras_tensor(args) or holds_keras_tensor(kwargs):
            return self._record(args, kwargs)
        # As a functional model runs it: the node's tensor values.
        return super(OpLayer, self).__call__(
            args[0] if len(args) == 1 else list(args), **kwargs)

    def _record(self, args, kwargs):
        data, data_kwargs, options, given = _split_arguments(
            type(self).function, args, kwargs)
        self._leading = _leading_options(type(self).function)
        known = type(self).keras_options
        for key, value in options.items():
            # Keras's config holds its class's arguments; seqcore's extra
            # ones are kept only when given (a Keras file stays loadable).
            if known is not None and key not in known and key not in given:
                continue
            self.options.setdefault(key, value)   # a loaded node keeps its own
        tensors = []
        self._template = [_slots(a, tensors) for a in data]
        self._kwargs_template = {k: _slots(v, tensors)
                                 for k, v in data_kwargs.items()}
        outputs = self._symbolic_outputs(tensors)
        node = Node(self, tensors, outputs)
        node.op_arguments = list(data)
        node.op_kwargs = dict(data_kwargs)
        self._inbound_nodes.append(node)
        for i, out in enumerate(outputs):
            out._keras_history = (self, len(self._inbound_nodes) - 1, i)
        self.built = True
        if self._output_structure is None:
            return outputs[0]
        return self._output_structure(outputs)

    def _symbolic_outputs(self, tensors):
        first = self._sample(tensors, 2)
        shapes = [(None,) + o.shape[1:] if o.ndim else () for o in first]
        if any(d is None for t in tensors for d in t.shape[1:]):
            # axes whose size follows an unknown input axis stay unknown
            second = self._sample(tensors, 3)
            shapes = [
                (None,) + tuple(None if p != q else p
                                for p, q in zip(a.shape[1:], b.shape[1:]))
                if a.ndim and a.ndim == b.ndim else s
                for a, b, s in zip(first, second, shapes)]
        return [KerasTensor(s, o.dtype.name) for s, o in zip(shapes, first)]

    def _sample(self, tensors, size):
        """The op's flat outputs on zeros (ones if zeros fail), unknown
        sizes taken as `size`."""
        for fill in (np.zeros, np.ones):
            values = [fill(tuple(size if d is None else d for d in t.shape),
                           np.dtype(t.dtype)) for t in tensors]
            try:
                out = self._apply(values)
                break
            except Exception:
                if fill is np.ones:
                    raise
        if isinstance(out, (list, tuple)):
            kind = type(out)
            self._output_structure = lambda flat: kind(flat)
            return [np.asarray(o) for o in out]
        self._output_structure = None
        return [np.asarray(out)]

    # ---- running it ----------------------------------------------------------

    def _apply(self, values):
        values = iter(values)
        args = [_fill(a, values) for a in self._template]
        kwargs = {k: _fill(v, values)
                  for k, v in self._kwargs_template.items()}
        options = dict(self.options)
        leading = [options.pop(name) for name in self._leading
                   if name in options]
        return type(self).function(*leading, *args, **kwargs, **options)

    def call(self, inputs):
        count = len(self._inbound_nodes[0].input_tensors)
        out = self._apply([inputs] if count == 1 else list(inputs))
        return list(out) if isinstance(out, (list, tuple)) else out

    def compute_output_shape(self, input_shape):
        shapes = [t.shape for t in self._inbound_nodes[0].output_tensors]
        return shapes if self._output_structure is not None else shapes[0]

    def get_config(self):
        return {"name": self.name, **self.options}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(name=config.pop("name", None), **config)


class _Slot:
    """Where a node's input tensor goes in its arguments."""


_SLOT = _Slot()


def _slots(value, tensors):
    """value with each KerasTensor replaced by _SLOT (appended to
    `tensors`)."""
    if type(value) is KerasTensor:
        tensors.append(value)
        return _SLOT
    if type(value) in (list, tuple):
        return type(value)(_slots(v, tensors) for v in value)
    return value


def _fill(value, values):
    if value is _SLOT:
        return next(values)
    if type(value) in (list, tuple):
        return type(value)(_fill(v, values) for v in value)
    return value


def _split_arguments(function, args, kwargs):
    """(data arguments, data keyword arguments, options, the names given)
    of one op call:
    data are the arguments holding tensors and the data parameters given
    positionally; options the rest (with their defaults, as Keras saves
    them). Data after the first option go by keyword."""
    try:
        signature = inspect.signature(function)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return list(args), {}, dict(kwargs), set(kwargs)
    data, data_kwargs, options = [], {}, {}
    for p in signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            data.extend(bound.arguments.get(p.name, ()))
            continue
        if p.kind is p.VAR_KEYWORD:
            for key, value in bound.arguments.get(p.name, {}).items():
                if holds_keras_tensor(value):
                    data_kwargs[key] = value
                else:
                    options[key] = _plain_option(value)
            continue
        given = p.name in bound.arguments
        if given:
            value = bound.arguments[p.name]
        elif p.default is not p.empty:
            value = p.default
        else:
            continue
        if holds_keras_tensor(value) or (given and
                                         p.name in _DATA_PARAMETERS):
            if options or data_kwargs or p.kind is p.KEYWORD_ONLY:
                data_kwargs[p.name] = value
            else:
                data.append(value)
        else:
            options[p.name] = _plain_option(value)
    return data, data_kwargs, options, set(bound.arguments)


def _leading_options(function):
    """The parameters before a *args one (einsum's `subscripts`): options
    that must be passed by position."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return []
    for i, p in enumerate(parameters):
        if p.kind is p.VAR_POSITIONAL:
            return [q.name for q in parameters[:i]]
    return []


def _plain_option(value):
    """An option as configs hold it (numpy scalars as Python numbers)."""
    if isinstance(value, np.generic):
        return value.item()
    return value
