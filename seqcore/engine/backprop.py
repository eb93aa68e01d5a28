"""Backpropagation through a model, layer by layer, each layer with its own
`backward` (user layers replay their tape: engine/tape.py): Sequential
walks its stack in reverse, a functional model its nodes in reverse
topological order, summing the gradients of tensors used twice (tensors
given as call arguments too: engine/call_tensors.py). Layers before the first trainable one compute no input
gradient. A max pooling right after a convolution hands it the gradient
unexpanded (only the pooled maxima have one), which the convolution's
backward takes at a quarter of the dense cost."""
from seqcore.engine.call_tensors import argument_grads
from seqcore.engine.input_layer import InputLayer


def layer_backward(layer, dy, need_input_grad):
    """dx of one layer call, after adding its activity regularizer's
    gradient (Keras divides that loss by the batch size)."""
    reg = layer.activity_regularizer
    out = getattr(layer, "_activity_output", None)
    if reg is not None and out is not None:
        dy = dy + (reg.gradient(out) / out.shape[0]).astype(dy.dtype)
    layer._skip_input_grad = not need_input_grad
    if getattr(layer, "_is_model", False):
        return layer.backward(dy, need_input_grad=need_input_grad)
    return layer.backward(dy)


def first_trainable(layers):
    """Index of the first layer with trainable weights (len if none)."""
    for i, layer in enumerate(layers):
        if layer.trainable_weights:
            return i
    return len(layers)


def routes_gradient(layer, producer):
    """Whether `layer` (a max pooling) hands `producer`, the layer that made
    its input, a RoutedGradient instead of a dense one."""
    routes = getattr(layer, "routes_gradient_to", None)
    return routes is not None and routes(producer)


def sequential_backward(model, dy, need_input_grad=True):
    layers = model._layers
    first = first_trainable(layers)
    for i in range(len(layers) - 1, -1, -1):
        if i < first and not need_input_grad:
            return None
        if i > 0 and routes_gradient(layers[i], layers[i - 1]):
            dy = layers[i].backward_routed(dy)
            continue
        dy = layer_backward(layers[i], dy, need_input_grad or i > first)
    return dy


def functional_backward(model, dys, need_input_grad=True):
    """dys: one gradient per model output (None for an output without
    loss). Returns the gradients of the model's inputs."""
    grads = {}
    for tensor, dy in zip(model._outputs, dys):
        if dy is not None:
            grads[id(tensor)] = dy
    nodes = [n for n in model._nodes if n.layer in model._layers]
    first = first_trainable([n.layer for n in nodes])
    consumers = _consumer_counts(model, nodes)
    for i in range(len(nodes) - 1, -1, -1):
        if i < first and not need_input_grad:
            break
        node = nodes[i]
        outs = [grads.get(id(t)) for t in node.output_tensors]
        if all(g is None for g in outs):
            continue
        layer = node.layer
        layer._saved = model._node_saved.get(id(node))
        layer._activity_output = model._node_activity.get(id(node))
        if _routes_in_graph(node, consumers):
            grads[id(node.input_tensors[0])] = layer.backward_routed(outs[0])
            continue
        dx = layer_backward(layer, outs[0] if len(outs) == 1 else outs,
                            need_input_grad or i > first)
        inputs = node.input_tensors[:node.n_main]
        if dx is not None:
            _accumulate(grads, inputs, dx if len(inputs) > 1 else [dx])
        if node.tensor_slots:
            arguments = node.input_tensors[node.n_main:]
            needed = [not isinstance(t._keras_history[0], InputLayer)
                      for t in arguments]
            _accumulate(grads, arguments, argument_grads(
                layer, node.tensor_slots, needed))
    return [grads.get(id(t)) for t in model._inputs]


def _accumulate(grads, tensors, values):
    """Add each value (None: no gradient) to its tensor's gradient."""
    for tensor, g in zip(tensors, values):
        if g is None:
            continue
        if id(tensor) in grads:
            grads[id(tensor)] = grads[id(tensor)] + g
        else:
            grads[id(tensor)] = g


def _consumer_counts(model, nodes):
    """How many uses each tensor has: node inputs and model outputs."""
    counts = {}
    for node in nodes:
        for tensor in node.input_tensors:
            counts[id(tensor)] = counts.get(id(tensor), 0) + 1
    for tensor in model._outputs:
        counts[id(tensor)] = counts.get(id(tensor), 0) + 1
    return counts


def _routes_in_graph(node, consumers):
    """Whether a node's layer (a max pooling) hands the layer that made its
    input a RoutedGradient: only when that input has no other use, whose
    gradient would have to be added to it."""
    if len(node.input_tensors) != 1 or len(node.output_tensors) != 1:
        return False
    tensor = node.input_tensors[0]
    history = getattr(tensor, "_keras_history", None)
    return (history is not None and consumers.get(id(tensor)) == 1 and
            routes_gradient(node.layer, history[0]))
