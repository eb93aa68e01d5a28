"""keras.Operation and keras.Function: an operation a user defines with
`call` (usable on arrays and, in functional models, on symbolic tensors),
and a callable graph of operations between symbolic inputs and outputs.

Layers are Operations, as in Keras 3 (`isinstance(layer, keras.Operation)`);
they override everything here. A user's Operation on symbolic tensors
becomes a graph node whose op is its `call` (engine/symbolic_ops.py), run
through seqcore.ops, so training differentiates it like any op.
"""
from seqcore.engine.naming import auto_name, to_snake_case


class Operation:
    """Base class of operations: subclasses define `call(*args, **kwargs)`.

    Args:
        name: the operation's name (default: from the class name).
    """

    def __init__(self, name=None):
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Argument `name` must be a string and cannot "
                             f"contain character `/`. Received: name={name} "
                             f"(of type {type(name)})")
        self.name = name or auto_name(to_snake_case(type(self).__name__))

    def __call__(self, *args, **kwargs):
        from seqcore.engine.symbolic_ops import holds_keras_tensor
        if holds_keras_tensor(args) or holds_keras_tensor(kwargs):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def call(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(...)")

    def symbolic_call(self, *args, **kwargs):
        """A graph node applying this operation's call to symbolic
        tensors (its output tensors, as the call's structure)."""
        from seqcore.engine.symbolic_ops import OpNode
        node_class = type(type(self).__name__, (OpNode,), {
            "function": staticmethod(self.call), "op_name": self.name,
            "keras_options": None,
            "_keras_module": type(self).__module__,
            "__module__": type(self).__module__})
        return node_class(name=self.name)(*args, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        """The symbolic output(s) of a call on these symbolic inputs (the
        call run on placeholder arrays)."""
        return self.symbolic_call(*args, **kwargs)

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<Operation name={self.name}>"


class Function:
    """A callable graph from symbolic `inputs` to symbolic `outputs`
    (keras.Function): called on arrays it computes the outputs (layers in
    inference mode); called on symbolic tensors it adds the graph to a new
    one.

    Args:
        inputs: a symbolic tensor, or a list/dict of them.
        outputs: the symbolic tensor(s) computed from them.
        name: the function's name.
    """

    def __init__(self, inputs, outputs, name=None):
        from seqcore.engine.model import Model
        self.name = name or auto_name("function")
        self._graph = Model(inputs, outputs, name=self.name)

    @property
    def inputs(self):
        return self._graph.inputs

    @property
    def outputs(self):
        return self._graph.outputs

    @property
    def operations(self):
        """The graph's operations in the order they run (input layers
        first)."""
        return list(self._graph._operations)

    def __call__(self, inputs):
        return self._graph(inputs)

    def compute_output_shape(self, input_shape):
        return self._graph.compute_output_shape(input_shape)

    def compute_output_spec(self, inputs):
        return self._graph(inputs)
