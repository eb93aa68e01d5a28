"""Sequential: a plain stack of single-input, single-output layers.

As in Keras 3, once its input shape is known the stack is wired into a
graph (an InputLayer, then each layer called on the previous output), and
it runs like any graph model: through its Plan (engine/graph_model.py,
engine/plan.py)."""
import numpy as np

from seqcore.engine.functional import topological_nodes
from seqcore.engine.graph_model import GraphModel
from seqcore.engine.input_layer import InputLayer
from seqcore.engine.keras_tensor import KerasTensor
from seqcore.engine.layer import Layer, standardize_shape
from seqcore.engine.model import Model
from seqcore.saving.serialization import register_builtin


@register_builtin
class Sequential(GraphModel):
    """`Sequential(layers=None, trainable=True, name=None)`.

    With an input shape (an `Input` first, or `input_shape=` on the first
    layer) the model builds as layers are added; otherwise on its first call,
    on `build(input_shape)`, or in `fit`/`predict`.
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._stack = []          # an InputLayer may come first
        self._graph_output = None
        self._plan = None         # engine/plan.py, made on the first run
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    # ---- editing -----------------------------------------------------------

    def add(self, layer, rebuild=True):
        """Append a layer (or an `Input` tensor) to the top of the stack."""
        if isinstance(layer, KerasTensor) and \
                isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Only instances of `keras.Layer` can be added to a "
                f"Sequential model. Received: {layer!r} (of type "
                f"{type(layer).__name__})")
        if isinstance(layer, InputLayer):
            if self._stack and isinstance(self._stack[0], InputLayer):
                raise ValueError(
                    f"Sequential model '{self.name}' has already been "
                    f"configured to use input shape "
                    f"{self._stack[0].batch_shape}. You cannot add a "
                    f"different Input layer to it.")
            if self._stack:
                raise ValueError(
                    f"An Input can only be the first entry of Sequential "
                    f"model '{self.name}'; it already has layers "
                    f"{[l.name for l in self._stack]}.")
        elif not self._stack and layer._batch_input_shape is not None:
            # Legacy `input_shape=`/`batch_input_shape=` on the first layer.
            self._stack.append(InputLayer(batch_shape=layer._batch_input_shape))
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(
                f"All layers added to a Sequential model should have unique "
                f"names. Name '{layer.name}' is already the name of a layer "
                f"in this model. Update the `name` argument to pass a unique "
                f"name.")
        self._stack.append(layer)
        self._layers = [l for l in self._stack if not isinstance(l, InputLayer)]
        if rebuild:
            self._maybe_rebuild()
        else:
            self._unbuild()

    def pop(self, rebuild=True):
        """Remove and return the top layer."""
        if not self.layers:
            raise IndexError(f"pop from an empty Sequential model: "
                             f"'{self.name}' has no layers")
        layer = self._stack.pop()
        self._layers = [l for l in self._stack if not isinstance(l, InputLayer)]
        if rebuild:
            self._maybe_rebuild()
        else:
            self._unbuild()
        return layer

    def _unbuild(self):
        self.built = False
        self._graph_output = None
        self._plan = None

    def _maybe_rebuild(self):
        self._unbuild()
        if len(self._stack) < 2:
            return
        first = self._stack[0]
        if isinstance(first, InputLayer):
            self.build(first.batch_shape)
        elif isinstance(first, Model) and first.built:
            self.build(first.input_shape)

    # ---- building ------------------------------------------------------------

    @property
    def layers(self):
        """The layers, without the InputLayer (an Input is not a layer)."""
        return list(self._layers)

    def build(self, input_shape=None):
        if not self._layers:
            raise ValueError(f"Sequential model {self.name} cannot be built "
                             f"because it has no layers. Call "
                             f"`model.add(layer)`.")
        input_shape = standardize_shape(input_shape)
        first = self._stack[0]
        if isinstance(first, InputLayer):
            if first.batch_shape != input_shape:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been "
                    f"configured to use input shape {first.batch_shape}. You "
                    f"cannot build it with input_shape {input_shape}")
        else:
            self._stack.insert(0, InputLayer(batch_shape=input_shape))
        x = self._stack[0].output
        for layer in self._layers:
            x = layer(x)
            if isinstance(x, list):
                raise ValueError(
                    f"All layers in a Sequential model should have a single "
                    f"output tensor. For multi-output layers, use the "
                    f"functional API. Layer '{layer.name}' has "
                    f"{len(x)} outputs.")
        self._graph_output = x
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            self._build_shape = tuple(input_shape)
            self.build(input_shape)

    # ---- running -----------------------------------------------------------

    def _graph(self):
        if not self.built:
            raise ValueError(f"Sequential model '{self.name}' has not been "
                             f"built: call it on data or call build() first")
        inputs, outputs = [self._stack[0].output], [self._graph_output]
        return inputs, outputs, topological_nodes(inputs, outputs)

    def call(self, inputs, training=None, mask=None):
        if not self.built:
            self._maybe_build(np.shape(inputs))
        return self._run_graph([inputs], [mask], training)[0]

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            if layer._runs_for_shape():     # a custom layer: run its call
                from seqcore.engine.keras_tensor import KerasTensor
                shape, _ = layer._shape_by_running(
                    KerasTensor(shape, "float32"), (), {})
            else:
                shape = layer.compute_output_shape(shape)
        return shape

    # ---- graph attributes ------------------------------------------------

    def _require_graph(self, what):
        if self._graph_output is None:
            raise AttributeError(f"Sequential model '{self.name}' has no "
                                 f"defined {what} yet.")

    @property
    def inputs(self):
        self._require_graph("inputs")
        return [self._stack[0].output]

    @property
    def outputs(self):
        self._require_graph("outputs")
        return [self._graph_output]

    @property
    def input(self):
        self._require_graph("input")
        return self._stack[0].output

    @property
    def output(self):
        self._require_graph("output")
        return self._graph_output

    @property
    def input_shape(self):
        if self._stack and isinstance(self._stack[0], InputLayer):
            return self._stack[0].batch_shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined "
                             f"input shape yet.")

    @property
    def output_shape(self):
        self._require_graph("output shape")
        return self._graph_output.shape

    # ---- config --------------------------------------------------------------

    def get_config(self):
        from seqcore.saving.serialization import sequential_config
        return sequential_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from seqcore.saving.serialization import sequential_from_config
        return sequential_from_config(cls, config, custom_objects)

