"""keras.utils.get_source_inputs: the Input tensors a symbolic tensor
comes from."""


def get_source_inputs(tensor):
    """The `keras.Input` tensors that `tensor` is computed from, each once,
    in the order a depth-first walk of the graph meets them.

    Args:
        tensor: a symbolic tensor (KerasTensor).
    Returns:
        A list of KerasTensors (`[tensor]` when it is an Input itself, or
        has no history).
    """
    from seqcore.engine.input_layer import InputLayer
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return [tensor]
    layer, node_index, _ = history
    if isinstance(layer, InputLayer) or not layer._inbound_nodes:
        return [tensor]
    found = []
    for parent in layer._inbound_nodes[node_index].input_tensors:
        for source in get_source_inputs(parent):
            if not any(source is seen for seen in found):
                found.append(source)
    return found
