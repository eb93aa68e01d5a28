"""Functional models: a graph of layer calls from input to output tensors."""
from seqcore.engine.graph_model import GraphModel
from seqcore.engine.input_layer import InputLayer
from seqcore.engine.intermediate_inputs import (clone_from_inputs,
                                                needs_cloning)
from seqcore.engine.keras_tensor import KerasTensor
from seqcore.saving.serialization import register_builtin


def _as_tensor_list(tensors, what):
    if isinstance(tensors, dict):
        flat = list(tensors.values())
    else:
        flat = list(tensors) if isinstance(tensors, (list, tuple)) \
            else [tensors]
    for t in flat:
        if not isinstance(t, KerasTensor):
            raise ValueError(
                f"All `{what}` of a functional Model must be symbolic tensors "
                f"(from `keras.Input()` or a layer's `.output`); received "
                f"{t!r} of type {type(t).__name__}")
    if not flat:
        raise ValueError(f"A functional Model needs at least one of `{what}`")
    return flat


def topological_nodes(inputs, outputs):
    """The nodes between `inputs` and `outputs`, each after its parents.

    Raises ValueError when an output depends on an input not given."""
    input_ids = {id(t) for t in inputs}
    ordered, visited = [], set()

    def visit(tensor, path):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in visited:
            return
        if id(tensor) not in input_ids:
            if isinstance(layer, InputLayer):
                raise ValueError(
                    f"Output with path `{path}` is not connected to "
                    f"`inputs` (Graph disconnected: cannot find parent for "
                    f"tensor {tensor} at layer '{layer.name}'). The inputs "
                    f"given to the model are {[t.name for t in inputs]}.")
            for parent in node.input_tensors:
                visit(parent, path)
        visited.add(id(node))
        ordered.append(node)

    for i, tensor in enumerate(outputs):
        visit(tensor, str(i) if len(outputs) > 1 else "")
    return ordered


def keras_layer_order(inputs, outputs, nodes):
    """The graph's layers in Keras 3's order, which `model.layers`,
    `get_weights()` and saved files follow: by decreasing depth (the
    longest path to an output), ties broken by when a depth-first walk from
    the outputs (each node's inputs in order) first meets the layer.

    Args:
        inputs, outputs: the model's input and output tensors.
        nodes: the graph's nodes, each after its parents.
    """
    first_seen = {}
    input_ids = {id(t) for t in inputs}
    done = set()

    def walk(tensor):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in done:
            return
        done.add(id(node))
        if id(tensor) in input_ids and not isinstance(layer, InputLayer):
            return      # an intermediate tensor given as an input
        first_seen.setdefault(id(layer), len(first_seen))
        if id(tensor) not in input_ids:
            for parent in node.input_tensors:
                walk(parent)

    for tensor in outputs:
        walk(tensor)
    # Depth: 0 at the nodes making outputs, parent = max(child + 1); a
    # layer called several times takes its deepest call.
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.get(id(node), 0),
                    layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = depth
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(node_depth.get(id(parent), 0),
                                         depth + 1)
    for tensor in inputs:
        layer = tensor._keras_history[0]
        if id(layer) not in layers:      # an input no output depends on
            layers[id(layer)] = layer
            layer_depth[id(layer)] = 0
            first_seen[id(layer)] = -1
    return sorted(layers.values(),
                  key=lambda l: (-layer_depth[id(l)], first_seen[id(l)]))


@register_builtin
class Functional(GraphModel):
    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        if needs_cloning(inputs):   # intermediate tensors as inputs
            inputs, outputs = clone_from_inputs(inputs, outputs,
                                                topological_nodes)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._inputs = _as_tensor_list(inputs, "inputs")
        self._outputs = _as_tensor_list(outputs, "outputs")
        self._nodes = topological_nodes(self._inputs, self._outputs)
        # Keras walks a dict of outputs in sorted key order (tree.flatten).
        walk_outputs = [outputs[k] for k in sorted(outputs)] \
            if isinstance(outputs, dict) else self._outputs
        layers = keras_layer_order(self._inputs, walk_outputs, self._nodes)
        names = [layer.name for layer in layers]
        for layer_name in names:
            if names.count(layer_name) > 1:
                raise ValueError(
                    f'The name "{layer_name}" is used {names.count(layer_name)} '
                    f'times in the model. All operation names should be unique.')
        self._all_layers = layers
        self._layers = [l for l in layers if not isinstance(l, InputLayer)]
        self.built = True

    def _graph(self):
        return self._inputs, self._outputs, self._nodes

    @property
    def layers(self):
        """Every layer of the graph, input layers included, in Keras's
        order; as in Keras, not the operation nodes of symbolic arithmetic
        (`x + y`, `x[:, 0]`): those are in `_operations`."""
        from seqcore.engine.op_layer import OpLayer
        return [l for l in self._all_layers if not isinstance(l, OpLayer)]

    @property
    def operations(self):
        """Every layer and operation node of the graph, inputs included
        (Keras's `Functional.operations`)."""
        return self._operations

    @property
    def _operations(self):
        """Every layer and operation node of the graph (Keras's
        `Functional._operations`): what configs, summaries and clones
        walk."""
        return list(self._all_layers)

    @property
    def output_names(self):
        """The names of the layers making the outputs (Keras's attribute;
        assigning a list renames the outputs for compile and the logs)."""
        names = self.__dict__.get("_given_output_names")
        return list(names) if names is not None else \
            [t._keras_history[0].name for t in self._outputs]

    @output_names.setter
    def output_names(self, names):
        names = list(names)
        if len(names) != len(self._outputs):
            raise ValueError(f"Model '{self.name}' has {len(self._outputs)} "
                             f"outputs; received {len(names)} output "
                             f"names: {names}")
        self.__dict__["_given_output_names"] = names

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._outputs]
        return shapes if isinstance(self._outputs_struct, (list, tuple)) \
            else shapes[0]

    def _run(self, input_values, run_layer):
        """Evaluate the graph symbolically: run_layer(layer, inputs, node)
        per node (compute_output_shape)."""
        values = {id(t): v for t, v in zip(self._inputs, input_values)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = [values[id(t)] for t in node.input_tensors[:node.n_main]]
            result = run_layer(node.layer, args[0] if len(args) == 1
                               else args, node)
            results = result if len(node.output_tensors) > 1 else [result]
            for tensor, value in zip(node.output_tensors, results):
                values[id(tensor)] = value
        return self._structure([values[id(t)] for t in self._outputs])

    def _structure(self, outs):
        """A list of output values in the structure the model was given."""
        if isinstance(self._outputs_struct, dict):
            return dict(zip(self._outputs_struct, outs))
        return outs if isinstance(self._outputs_struct, (list, tuple)) \
            else outs[0]

    def _split_inputs(self, inputs):
        if isinstance(inputs, dict):
            keys = list(self._inputs_struct) if isinstance(
                self._inputs_struct, dict) else \
                [t._keras_history[0].name for t in self._inputs]
            if sorted(keys) != sorted(inputs):
                raise ValueError(f"Model '{self.name}' expects inputs keyed "
                                 f"{keys}, received keys {sorted(inputs)}")
            return [inputs[k] for k in keys]
        if len(self._inputs) == 1:
            return [inputs]
        if not isinstance(inputs, (list, tuple)) or \
                len(inputs) != len(self._inputs):
            raise ValueError(f"Model '{self.name}' expects "
                             f"{len(self._inputs)} inputs, received "
                             f"{type(inputs).__name__}")
        return list(inputs)

    def _adjust_input_rank(self, input_values):
        """As Keras: an input one axis short of its Input whose last axis
        is 1 gets that axis; one with an extra trailing axis of 1 loses
        it; any other difference of rank is a ValueError."""
        from seqcore import ops
        adjusted = []
        struct = self._inputs_struct
        if isinstance(struct, dict):
            paths = list(struct)
        elif isinstance(struct, (list, tuple)):
            paths = [str(i) for i in range(len(self._inputs))]
        else:
            paths = [""]
        for i, (tensor, x) in enumerate(zip(self._inputs, input_values)):
            shape = getattr(x, "shape", None)
            ref = tuple(tensor.shape)
            if shape is None or len(shape) == len(ref):
                adjusted.append(x)
            elif len(shape) == len(ref) + 1 and shape[-1] == 1:
                adjusted.append(ops.squeeze(x, axis=-1))
            elif len(shape) == len(ref) - 1 and ref[-1] == 1:
                adjusted.append(ops.expand_dims(x, axis=-1))
            else:
                raise ValueError(
                    f"Invalid input shape for input {type(x).__name__}"
                    f"{list(shape)} with name "
                    f"'{tensor._keras_history[0].name}' and path "
                    f"'{paths[i]}'. Expected shape {ref}, but input has "
                    f"incompatible shape {tuple(shape)}")
        return adjusted

    # Masks flow through the graph: each node's layer gets its input's
    # mask and gives its output's (see docs/masking.md).
    def call(self, inputs, training=None, mask=None):
        input_masks = mask if isinstance(mask, (list, tuple)) else [mask]
        return self._structure(self._run_graph(
            self._adjust_input_rank(self._split_inputs(inputs)),
            input_masks, training))

    def compute_output_shape(self, input_shape):
        shapes = [input_shape] if len(self._inputs) == 1 else input_shape
        return self._run(shapes, _node_output_shape)

    def get_config(self):
        from seqcore.saving.serialization import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from seqcore.saving.serialization import functional_from_config
        return functional_from_config(config, custom_objects)


def _node_output_shape(layer, input_shape, node):
    """A node's output shape(s) for input_shape: from the layer's
    compute_output_shape, or for a layer that has none (a custom layer)
    the shapes its symbolic call recorded."""
    if layer._runs_for_shape():
        shapes = [tuple(t.shape) for t in node.output_tensors]
        return shapes if len(shapes) > 1 else shapes[0]
    of_call = getattr(layer, "_call_output_shapes", None)
    if of_call is not None:
        # a layer whose outputs depend on the call's options
        # (MultiHeadAttention's return_attention_scores)
        shapes = input_shape if isinstance(input_shape, list) else \
            [input_shape]
        return of_call(shapes, getattr(node, "call_kwargs", {}))
    given = getattr(node, "arguments", (None,))[0]
    if isinstance(input_shape, list) and \
            not isinstance(given, (list, tuple, dict)):
        # inputs passed one per argument, layer(x, y): their shapes are
        # passed the same way, as Keras does
        return layer.compute_output_shape(*input_shape)
    return layer.compute_output_shape(input_shape)
