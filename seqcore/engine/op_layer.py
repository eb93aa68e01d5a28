"""Arithmetic and slicing on symbolic tensors (`x + y`, `x * 2.0`,
`x[:, :3]`, `-x`, `x @ w`), as Keras 3 allows in functional models.

Each such expression becomes a node of an op layer named as Keras names
the operation (`add (Add)`, `get_item (GetItem)`, ...). Its arguments may
mix tensors and constants; the node's inputs are the tensors, the
constants stay in the layer. The op runs through seqcore.ops, so training
differentiates it with the tape.
"""
import numpy as np

from seqcore import ops
from seqcore.engine.keras_tensor import KerasTensor, Node
from seqcore.engine.layer import Layer
from seqcore.engine.naming import auto_name


class OpLayer(Layer):
    """Base of the operation layers: `fn` applied to a template of
    arguments in which the node's input tensors are slotted."""

    _differentiated_by_tape = True
    _keras_module = "keras.src.ops.numpy"
    fn = None

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name or auto_name(_snake(type(self).__name__)),
                         **kwargs)
        self._template = None     # arguments, None where a tensor goes

    def __call__(self, *arguments, **kwargs):
        if any(isinstance(a, KerasTensor) for a in arguments):
            return self._record_node(arguments)
        # As a functional model runs it: the node's tensor values (one
        # array, or a list when the op takes several tensors).
        inputs = arguments[0] if len(arguments) == 1 else list(arguments)
        return super().__call__(inputs, **kwargs)

    def _record_node(self, arguments):
        tensors = [a for a in arguments if isinstance(a, KerasTensor)]
        self._template = [None if isinstance(a, KerasTensor) else a
                          for a in arguments]
        out = self._sample_output(tensors, 2)
        shape = (None,) + out.shape[1:] if out.ndim else ()
        if any(d is None for t in tensors for d in t.shape[1:]):
            # unknown sizes (e.g. image rows/cols) stay unknown: the axes
            # whose size follows the sample's are None
            other = self._sample_output(tensors, 3)
            if other.ndim == out.ndim:
                shape = (None,) + tuple(
                    None if a != b else a
                    for a, b in zip(out.shape[1:], other.shape[1:]))
        output = KerasTensor(shape, out.dtype.name)
        node = Node(self, tensors, [output])
        node.op_arguments = list(arguments)
        self._inbound_nodes.append(node)
        output._keras_history = (self, len(self._inbound_nodes) - 1, 0)
        self.built = True
        return output

    def _sample_output(self, tensors, size):
        """The op's output on zeros, unknown dimensions taken as `size`."""
        sample = [np.zeros(tuple(size if d is None else d for d in t.shape),
                           np.dtype(t.dtype)) for t in tensors]
        return np.asarray(self._apply(sample))

    def _apply(self, values):
        values = iter(values)
        args = [next(values) if a is None else a for a in self._template]
        return type(self).fn(*args)

    def _convert_input(self, inputs):
        return inputs

    def call(self, inputs):
        count = sum(1 for a in self._template if a is None)  # arrays too
        return self._apply([inputs] if count == 1 else list(inputs))

    def compute_output_shape(self, input_shape):
        return self._inbound_nodes[0].output_tensors[0].shape

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(name=config.get("name"))


def _snake(name):
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


class Add(OpLayer):
    fn = staticmethod(ops.add)


class Subtract(OpLayer):
    fn = staticmethod(ops.subtract)


class Multiply(OpLayer):
    fn = staticmethod(ops.multiply)


class TrueDivide(OpLayer):
    fn = staticmethod(ops.divide)


class Power(OpLayer):
    fn = staticmethod(ops.power)


class Matmul(OpLayer):
    fn = staticmethod(ops.matmul)


class Negative(OpLayer):
    fn = staticmethod(ops.negative)


class GetItem(OpLayer):
    fn = staticmethod(ops.take_slice)


OP_LAYERS = {cls.__name__: cls for cls in (
    Add, Subtract, Multiply, TrueDivide, Power, Matmul, Negative, GetItem)}
