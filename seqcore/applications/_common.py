"""Pieces every constructor shares: the image input (from `input_shape`
or a given `input_tensor`), the source inputs of a tensor, the channel
axis, the pooling of a headless base, and the model's creation."""
from seqcore import config
from seqcore.engine.input_layer import Input, InputLayer
from seqcore.engine.keras_tensor import KerasTensor


def channel_axis():
    return 1 if config.image_data_format() == "channels_first" else -1


def bn_axis():
    return 1 if config.image_data_format() == "channels_first" else 3


def image_input(input_tensor, input_shape):
    """A new Input of `input_shape`, or `input_tensor` when it is a
    symbolic tensor (as Keras); anything else is rejected."""
    if input_tensor is None:
        return Input(shape=input_shape)
    if isinstance(input_tensor, KerasTensor):
        return input_tensor
    raise ValueError(
        f"`input_tensor` must be a symbolic tensor (from `keras.Input()` or "
        f"a layer's output); received {type(input_tensor).__name__}")


def source_inputs(tensor):
    """The Input tensors that `tensor` is computed from, in order."""
    found, seen = [], set()

    def visit(t):
        layer, node_index, _ = t._keras_history
        if isinstance(layer, InputLayer):
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
            return
        for parent in layer._inbound_nodes[node_index].input_tensors:
            visit(parent)
    visit(tensor)
    return found


def model_inputs(input_tensor, img_input):
    if input_tensor is None:
        return img_input
    inputs = source_inputs(input_tensor)
    return inputs[0] if len(inputs) == 1 else inputs


def pool(x, pooling, avg_name=None, max_name=None):
    """The pooling of a headless base: "avg", "max" or None (4D out)."""
    from seqcore import layers
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def functional(inputs, outputs, name):
    """The Functional model, its layers listed in Keras's order."""
    from seqcore.engine.functional import Functional
    model = Functional(inputs, outputs, name=name)
    ordered = keras_layer_order(model._inputs, model._outputs)
    if sorted(map(id, ordered)) == sorted(map(id, model._all_layers)):
        model._all_layers = ordered
        model._layers = [l for l in ordered
                         if not isinstance(l, InputLayer)]
    return model


def keras_layer_order(inputs, outputs):
    """The layers between `inputs` and `outputs` in the order Keras 3
    lists them (`model.layers`, hence `model.weights`, the `.weights.h5`
    entries and the legacy files' order): by decreasing depth (longest
    path to an output), ties by first visit of a depth-first walk from the
    outputs."""
    order_index = {}         # layer -> first-visit index
    finished, ordered_nodes = set(), []

    def walk(tensor):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        order_index.setdefault(layer, len(order_index))
        if not isinstance(layer, InputLayer):
            for parent in node.input_tensors:
                walk(parent)
        finished.add(id(node))
        ordered_nodes.append(node)

    for t in outputs:
        walk(t)
    node_depth, layer_depth = {}, {}
    for node in reversed(ordered_nodes):
        depth = node_depth.setdefault(id(node), 0)
        depth = max(depth, layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = depth
        node_depth[id(node)] = depth
        if isinstance(node.layer, InputLayer):
            continue
        for parent in node.input_tensors:
            player, pindex, _ = parent._keras_history
            pnode = player._inbound_nodes[pindex]
            node_depth[id(pnode)] = max(depth + 1,
                                        node_depth.get(id(pnode), 0))
    for t in inputs:
        layer = t._keras_history[0]
        if layer not in layer_depth:
            layer_depth[layer] = 0
            order_index[layer] = -1
    by_depth = {}
    for layer, depth in layer_depth.items():
        by_depth.setdefault(depth, []).append(layer)
    out = []
    for depth in sorted(by_depth, reverse=True):
        out += sorted(by_depth[depth], key=lambda l: order_index[l])
    return out


def to_shape(x):
    """input_shape as a tuple (or None)."""
    return None if x is None else tuple(x)
