"""Functional models whose inputs are intermediate tensors (a layer's
output rather than a `keras.Input`), as Keras 3 builds them: each such
input becomes a new Input named `<tensor name>CLONE`, and the layer calls
between the inputs and the outputs are made again on the new inputs (the
same layers, so weights stay shared with the original graph). Keras's
FeatureSpace example trains `keras.Model(encoded_features, outputs)`."""
from seqcore import tree
from seqcore.engine.input_layer import Input, InputLayer
from seqcore.engine.keras_tensor import KerasTensor


def _flat(struct):
    if isinstance(struct, dict):
        return list(struct.values())
    if isinstance(struct, (list, tuple)):
        return list(struct)
    return [struct]


def is_intermediate(tensor):
    return not isinstance(tensor._keras_history[0], InputLayer)


def needs_cloning(inputs):
    return any(isinstance(t, KerasTensor) and is_intermediate(t)
               for t in _flat(inputs))


def clone_from_inputs(inputs, outputs, topological_nodes):
    """(inputs, outputs) with every intermediate input replaced by a new
    Input and the graph between them called again on it.

    Args:
        inputs, outputs: the model's input and output structures.
        topological_nodes: `fn(flat inputs, flat outputs) -> nodes`, the
            nodes between them, parents first (functional.py's).
    """
    mapping = {}
    for tensor in _flat(inputs):
        if is_intermediate(tensor):
            mapping[id(tensor)] = Input(batch_shape=tensor.shape,
                                        dtype=tensor.dtype,
                                        name=f"{tensor.name}CLONE")

    def swap(value):
        if isinstance(value, KerasTensor):
            return mapping.get(id(value), value)
        return value
    for node in topological_nodes(_flat(inputs), _flat(outputs)):
        if isinstance(node.layer, InputLayer):
            continue
        if not any(id(t) in mapping for t in node.input_tensors):
            continue        # upstream of nothing that changed
        if hasattr(node, "op_arguments"):     # x + y, x[:, 0], ...
            result = node.layer(*[swap(a) for a in node.op_arguments])
        else:
            call_inputs, args, kwargs = node.arguments
            result = node.layer(tree.map_structure(swap, call_inputs),
                                *tree.map_structure(swap, list(args)),
                                **tree.map_structure(swap, dict(kwargs)))
        for old, new in zip(node.output_tensors, _flat(result)):
            mapping[id(old)] = new
    return (tree.map_structure(swap, inputs),
            tree.map_structure(swap, outputs))
