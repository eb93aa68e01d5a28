"""InputLayer and Input(): the symbolic entry point of a model."""
import numpy as np

from seqcore.engine.keras_tensor import KerasTensor, Node
from seqcore.engine.layer import Layer, standardize_shape
from seqcore.saving.serialization import register_builtin


@register_builtin
class InputLayer(Layer):
    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None,
                 batch_shape=None, input_tensor=None, optional=False,
                 name=None, ragged=None, **kwargs):
        kwargs.pop("input_shape", None)  # legacy alias, shape wins
        legacy = kwargs.pop("batch_input_shape", None)   # Keras 2 configs
        if batch_shape is None and shape is None and legacy is not None:
            batch_shape = legacy
        super().__init__(name=name, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` "
                             "at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `batch_size` and "
                             "`batch_shape` at the same time.")
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument.")
        if shape is not None:
            batch_shape = (batch_size,) + standardize_shape(shape)
        self.batch_shape = standardize_shape(batch_shape)
        # "string": inputs of text for the preprocessing layers.
        self._input_dtype = "string" if dtype in ("string", str) else \
            np.dtype(dtype or "float32").name
        if sparse or ragged or optional or input_tensor is not None:
            raise ValueError(f"InputLayer '{self.name}': sparse, ragged and "
                             f"optional inputs and input tensors are not "
                             f"supported by seqcore")
        self.sparse = False
        self.built = True
        tensor = KerasTensor(self.batch_shape, self._input_dtype,
                             name=self.name)
        node = Node(self, [], [tensor])
        self._inbound_nodes.append(node)
        tensor._keras_history = (self, 0, 0)

    @property
    def dtype(self):
        return self._input_dtype

    def compute_output_shape(self, input_shape):
        return self.batch_shape

    def call(self, inputs, training=None):
        return inputs

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self._input_dtype,
                "sparse": False, "ragged": False, "name": self.name,
                "optional": False}


def Input(shape=None, batch_size=None, dtype=None, sparse=None,
          batch_shape=None, name=None, tensor=None, optional=False):
    """A symbolic tensor for a model input of `shape` (batch excluded)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                       sparse=sparse, batch_shape=batch_shape, name=name)
    return layer.output
