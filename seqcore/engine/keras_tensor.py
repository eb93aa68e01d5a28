"""Symbolic tensors: the shape and dtype of a value not computed yet, and the
layer call (node) that produces it. They connect layers into graphs."""
from seqcore.engine.naming import uniquify


class KerasTensor:
    """Shape (None for an unknown dimension, usually the batch) and dtype.

    `_keras_history` is (layer, node_index, tensor_index): which call of which
    layer made this tensor, and which of that call's outputs it is.
    """

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name or uniquify("keras_tensor")
        self._keras_history = None

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return (f"<KerasTensor shape={self.shape}, dtype={self.dtype}, "
                f"sparse=False, name={self.name}>")

    # Arithmetic and slicing add op-layer nodes (engine/op_layer.py).

    def _op(self, name, *arguments):
        from seqcore.engine import op_layer
        return op_layer.OP_LAYERS[name]()(*arguments)

    def __add__(self, other):
        return self._op("Add", self, other)

    def __radd__(self, other):
        return self._op("Add", other, self)

    def __sub__(self, other):
        return self._op("Subtract", self, other)

    def __rsub__(self, other):
        return self._op("Subtract", other, self)

    def __mul__(self, other):
        return self._op("Multiply", self, other)

    def __rmul__(self, other):
        return self._op("Multiply", other, self)

    def __truediv__(self, other):
        return self._op("TrueDivide", self, other)

    def __rtruediv__(self, other):
        return self._op("TrueDivide", other, self)

    def __pow__(self, other):
        return self._op("Power", self, other)

    def __matmul__(self, other):
        return self._op("Matmul", self, other)

    def __rmatmul__(self, other):
        return self._op("Matmul", other, self)

    def __neg__(self):
        return self._op("Negative", self)

    def __getitem__(self, key):
        return self._op("GetItem", self, key)

    # The other operators Keras 3's KerasTensor has become the graph nodes
    # of their keras.ops function (engine/symbolic_ops.py).

    def _call_op(self, name, *arguments):
        from seqcore import ops
        return getattr(ops, name)(*arguments)

    def __rpow__(self, other):
        return self._call_op("power", other, self)

    def __floordiv__(self, other):
        return self._call_op("floor_divide", self, other)

    def __rfloordiv__(self, other):
        return self._call_op("floor_divide", other, self)

    def __mod__(self, other):
        return self._call_op("mod", self, other)

    def __rmod__(self, other):
        return self._call_op("mod", other, self)

    def __abs__(self):
        return self._call_op("absolute", self)

    def __lt__(self, other):
        return self._call_op("less", self, other)

    def __le__(self, other):
        return self._call_op("less_equal", self, other)

    def __gt__(self, other):
        return self._call_op("greater", self, other)

    def __ge__(self, other):
        return self._call_op("greater_equal", self, other)

    def __ne__(self, other):
        return self._call_op("not_equal", self, other)

    def __and__(self, other):
        return self._call_op("logical_and", self, other)

    def __rand__(self, other):
        return self._call_op("logical_and", other, self)

    def __or__(self, other):
        return self._call_op("logical_or", self, other)

    def __ror__(self, other):
        return self._call_op("logical_or", other, self)

    def __xor__(self, other):
        return self._call_op("logical_xor", self, other)

    def __rxor__(self, other):
        return self._call_op("logical_xor", other, self)

    def __invert__(self):
        return self._call_op("logical_not", self)

    def __round__(self, ndigits=None):
        return self._call_op("round", self, ndigits or 0)

    __hash__ = object.__hash__     # __ne__ must not make it unhashable

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    def __iter__(self):
        raise NotImplementedError(
            "Iterating over a symbolic KerasTensor is not supported.")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"A KerasTensor is symbolic: it holds a shape and dtype, not "
            f"values, and cannot become a numpy array. Received {self}. Call "
            f"the model on numpy data to get values.")


class Node:
    """One call of a layer on symbolic inputs."""

    def __init__(self, layer, input_tensors, output_tensors):
        self.layer = layer
        self.input_tensors = list(input_tensors)
        self.output_tensors = list(output_tensors)
        # Tensors given as call arguments follow the inputs
        # (engine/call_tensors.py): how many are inputs, where the rest go.
        self.n_main = len(self.input_tensors)
        self.tensor_slots = ()

    @property
    def parent_nodes(self):
        """The nodes that made this node's inputs."""
        parents = []
        for tensor in self.input_tensors:
            layer, node_index, _ = tensor._keras_history
            parents.append(layer._inbound_nodes[node_index])
        return parents


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)
