"""The plan: how a model graph runs, forward and backward.

Every graph model (Sequential and Functional alike) is turned, on its first
run, into a `Plan`: the graph's nodes as an ordered list of steps. What the
engine may fuse is decided here, once:

- a convolution whose only consumer is a max pooling that `fuses_with` it
  runs with it as one kernel (`ConvPoolStep`, csrc conv_pool);
- at inference, a normalization whose only consumer is an activation the
  C kernels compute applies it in its own pass (`NormActStep`);
- at inference, a normalization that is a convolution's only consumer is
  folded into the convolution's kernel and bias, with its activation (if
  it has a NormActStep) in the convolution's epilogue (`ConvNormStep`);
- at inference, an Embedding whose only consumer is an LSTM, GRU or
  SimpleRNN hands it the token ids: the recurrent layer projects each
  distinct id once and looks the projections up at every step
  (`EmbedRecurrentStep`, layers/_rnn_lookup.py);
- a max pooling whose input's only consumer it is hands the layer that made
  that input its gradient unexpanded (`LayerStep.routes`: a RoutedGradient,
  which the convolution's backward takes at a quarter of the dense cost);
- the layer making a model output that nothing else consumes may get the
  loss gradient before its activation (`output_layers`: the trainer fuses
  softmax/sigmoid into the cross-entropy and says so with `dy_is_dz`);
- layers before the first trainable one, and layers fed only by model
  inputs, compute no input gradient (`need_input_grad=False`).

"Only consumer" has one definition: `sole_consumers`.

A run's state lives in a record (one entry per step) that `forward`
returns and `backward` takes: the model keeps the record of its last
training call as its own call record (see backprop.take_state), so a model
used as a layer, or called twice in a step, backpropagates each call.
Layers get the step's decisions as arguments of their backward
(backprop.layer_backward).
"""
import numpy as np

from seqcore.engine import backprop
from seqcore.engine.call_tensors import argument_grads, find, substitute
from seqcore.engine.input_layer import InputLayer
from seqcore.engine.masking import node_input_mask, record_output_masks


def sole_consumers(nodes, outputs):
    """{id(node): the one node that uses its output}, for single-input,
    single-output nodes whose output has exactly one use in the graph (not
    a model output) by a single-input node.

    Args:
        nodes: the graph's nodes, each after its parents.
        outputs: the model's output tensors.
    """
    uses = {}
    for node in nodes:
        for tensor in node.input_tensors:
            uses.setdefault(id(tensor), []).append(node)
    output_ids = {id(t) for t in outputs}
    sole = {}
    for node in nodes:
        if len(node.input_tensors) != 1 or len(node.output_tensors) != 1:
            continue
        tensor = node.output_tensors[0]
        users = uses.get(id(tensor), [])
        if id(tensor) not in output_ids and len(users) == 1 and \
                len(users[0].input_tensors) == 1:
            sole[id(node)] = users[0]
    return sole


def fuses(layer, following):
    """Whether `layer` and `following` may run as one kernel: a built
    convolution and a max pooling that fuses_with it."""
    fuses_with = getattr(following, "fuses_with", None)
    return layer.built and fuses_with is not None and fuses_with(layer)


def fused_activation(layer, following):
    """The C kernel activation name `following` computes when `layer` (a
    normalization with `call_activated`) may apply it in its own pass at
    inference; else None."""
    if not layer.built or not hasattr(layer, "call_activated"):
        return None
    kernel_activation = getattr(following, "kernel_activation", None)
    if kernel_activation is None or \
            following.activity_regularizer is not None:
        return None
    return kernel_activation()


def folds_normalization(conv_node, norm_node):
    """Whether the normalization of `norm_node` may be folded into the
    convolution of `conv_node` at inference: both built, layers whose call
    is their class's own (`call_folded` / `folded_affine`), no activity
    regularizer, and called with no arguments but their input."""
    conv, norm = conv_node.layer, norm_node.layer
    return conv.built and norm.built and \
        hasattr(conv, "call_folded") and hasattr(norm, "folded_affine") and \
        conv.activity_regularizer is None and \
        norm.activity_regularizer is None and \
        node_call_arguments(conv_node, ()) == ((), {}) and \
        node_call_arguments(norm_node, ()) == ((), {})


def looks_up_projections(node, consumer):
    """Whether `node` is a built-in Embedding's call whose only consumer
    `consumer` is a built-in recurrent layer's call on it alone, so that at
    inference the recurrent layer can take the ids (EmbedRecurrentStep)."""
    from seqcore.layers.core import Embedding
    from seqcore.layers.recurrent import BaseRNN
    embedding, recurrent = node.layer, consumer.layer
    return type(embedding) is Embedding and isinstance(recurrent, BaseRNN) \
        and type(recurrent).call is BaseRNN.call \
        and type(recurrent)._inference_sequence is \
        BaseRNN._inference_sequence \
        and len(node.input_tensors) == 1 and node.n_main == 1 \
        and consumer.input_tensors == node.output_tensors[:1] \
        and consumer.n_main == 1 and not consumer.tensor_slots \
        and node_call_arguments(consumer, ()) == ((), {})


def routes_gradient(layer, producer):
    """Whether `layer` (a max pooling) may hand `producer`, the layer that
    made its input, a RoutedGradient instead of a dense gradient."""
    routes = getattr(layer, "routes_gradient_to", None)
    return routes is not None and routes(producer)


def call_fused(conv, pool, x, training):
    """conv then pool on x, as their __call__s would (input checks,
    building) but in one kernel; returns the pooled output."""
    x = conv._convert_input(x)
    conv._check_input(x.shape)
    pool._maybe_build(conv.compute_output_shape(x.shape))
    return conv._call_pooled(x, pool, training)


def node_call_arguments(node, argument_values):
    """(args, kwargs) of a node's symbolic call with this run's values for
    its tensor arguments; the options it was called with (`training=False`
    on a frozen base, `return_sequences`-like flags) are kept."""
    arguments = getattr(node, "arguments", None)
    if arguments is None:
        return (), {}
    _, args, kwargs = arguments
    if not args and not kwargs:
        return (), {}
    if not node.tensor_slots and find(args, kwargs):
        # A layer that records its own tensors as inputs (the attention
        # layers: layer(query, value)) gets them with its inputs.
        return (), {k: v for k, v in kwargs.items() if not find((v,), {})}
    return substitute(args, kwargs, node.tensor_slots, argument_values)


class LayerStep:
    """One node: its layer's call, and that call's backward.

    Attributes:
        node: the graph node.
        routes: True when the layer (a max pooling) hands the node making
            its input a RoutedGradient.
        from_inputs: True when every tensor the node reads is a model
            input: its input gradient is needed only if the caller asks.
    """

    def __init__(self, node, routes=False, from_inputs=False):
        self.node = node
        self.layer = node.layer
        self.routes = routes
        self.from_inputs = from_inputs
        # Looked up once: which values the call reads and writes, and
        # whether it has call arguments beyond its inputs.
        self._main_ids = [id(t) for t in node.input_tensors[:node.n_main]]
        self._argument_ids = [id(t) for t in
                              node.input_tensors[node.n_main:]]
        self._output_ids = [id(t) for t in node.output_tensors]
        self._no_arguments = node_call_arguments(node, ()) == ((), {}) \
            if not node.tensor_slots else False

    def forward(self, values, masks, training, record, index):
        node = self.node
        main = [values[i] for i in self._main_ids]
        x = main[0] if len(main) == 1 else main
        if self._no_arguments:
            call_args, call_kwargs = (), None
        else:
            call_args, call_kwargs = node_call_arguments(
                node, [values[i] for i in self._argument_ids])
        mask = node_input_mask(node, masks) if masks else None
        out, out_mask = self.layer._call_with_mask(
            x, mask, training, call_args, call_kwargs)
        if out_mask is not None or masks:
            record_output_masks(node, out_mask, masks)
        if len(self._output_ids) == 1:
            values[self._output_ids[0]] = out
        else:
            for tensor_id, value in zip(self._output_ids, out):
                values[tensor_id] = value
        if training:
            record[index] = backprop.take_state(self.layer)

    def backward(self, grads, state, need_input_grad, dy_is_dz, input_ids):
        """Add this call's input gradients to `grads` ({id(tensor):
        gradient}), from its output's. input_ids: the model inputs whose
        gradients the caller wants (empty: none)."""
        node, layer = self.node, self.layer
        outs = [grads.get(id(t)) for t in node.output_tensors]
        if all(g is None for g in outs):
            return
        backprop.give_state(layer, state)
        if self.routes:
            grads[id(node.input_tensors[0])] = layer.backward_routed(outs[0])
            return
        if self.from_inputs and not input_ids:
            need_input_grad = False     # only model inputs, not wanted
        dx = backprop.layer_backward(
            layer, outs[0] if len(outs) == 1 else outs, need_input_grad,
            dy_is_dz)
        inputs = node.input_tensors[:node.n_main]
        if dx is not None:
            accumulate(grads, inputs, dx if len(inputs) > 1 else [dx])
        if node.tensor_slots:
            arguments = node.input_tensors[node.n_main:]
            needed = [not isinstance(t._keras_history[0], InputLayer)
                      for t in arguments]
            accumulate(grads, arguments, argument_grads(
                layer, node.tensor_slots, needed))


class _PairStep:
    """Two layer steps, `first` and its output's only consumer `second`,
    that may run as one. The record keeps first's state at the step's
    index and second's at -1 - index; backward runs second's, then
    first's."""

    def __init__(self, first, second):
        self.first, self.second = first, second
        self.node = second.node

    def _forward_apart(self, values, masks, training, record, index):
        self.first.forward(values, masks, training, record, index)
        self.second.forward(values, masks, training, record, -1 - index)

    def has_trainable_weights(self):
        return any(node.layer.trainable_weights for node in _step_nodes(self))


class ConvPoolStep(_PairStep):
    """A convolution and the max pooling that is its only consumer, run
    as one kernel; backward routes the pooling's gradient to the
    convolution. Runs the two layers apart when a mask reaches them."""

    def forward(self, values, masks, training, record, index):
        conv_node = self.first.node
        tensor = conv_node.input_tensors[0]
        if node_input_mask(conv_node, masks) is not None:
            self._forward_apart(values, masks, training, record, index)
            return
        y = call_fused(self.first.layer, self.second.layer,
                       values[id(tensor)], training)
        values[id(self.node.output_tensors[0])] = y
        if training:
            record[index] = backprop.take_state(self.first.layer)
            record[-1 - index] = backprop.take_state(self.second.layer)

    def backward(self, grads, state, need_input_grad, dy_is_dz, input_ids,
                 pool_state=None):
        self.second.backward(grads, pool_state, need_input_grad, False,
                             input_ids)
        self.first.backward(grads, state, need_input_grad, dy_is_dz,
                            input_ids)


class NormActStep(_PairStep):
    """A normalization and the activation layer that is its only
    consumer. At inference the normalization applies the activation in
    its own pass (`call_activated`); in training, with a mask, or on input
    the kernels do not take, the two run apart."""

    def __init__(self, first, second, activation):
        super().__init__(first, second)
        self.activation = activation

    def forward(self, values, masks, training, record, index):
        norm_node = self.first.node
        if training or node_input_mask(norm_node, masks) is not None:
            self._forward_apart(values, masks, training, record, index)
            return
        norm, act = self.first.layer, self.second.layer
        x = norm._convert_input(values[id(norm_node.input_tensors[0])])
        norm._check_input(x.shape)
        y = norm.call_activated(x, self.activation)
        if y is None:
            self._forward_apart(values, masks, training, record, index)
            return
        act._maybe_build(x.shape)
        values[id(self.node.output_tensors[0])] = y

    def backward(self, grads, state, need_input_grad, dy_is_dz, input_ids,
                 act_state=None):
        self.second.backward(grads, act_state, need_input_grad, dy_is_dz,
                             input_ids)
        self.first.backward(grads, state, need_input_grad, False, input_ids)


class ConvNormStep(_PairStep):
    """A convolution and the normalization that is its only consumer:
    `second` is the normalization's step, or its NormActStep when the
    normalization's only consumer is an activation. At inference the
    normalization's affine map is folded into the convolution's kernel and
    bias, and the activation into its epilogue: one kernel, and no pass
    over the convolution's output. In training or with a mask, the steps
    run apart, their records kept under this step's index."""

    def forward(self, values, masks, training, record, index):
        conv_node = self.first.node
        if not training and node_input_mask(conv_node, masks) is None:
            y = self._folded(values[id(conv_node.input_tensors[0])])
            if y is not None:
                values[id(self.node.output_tensors[0])] = y
                return
        parts = {}
        self.first.forward(values, masks, training, parts, 0)
        self.second.forward(values, masks, training, parts, 1)
        if training:
            record[index] = parts

    def _folded(self, x):
        """The steps' inference output from the convolution's input, or
        None when a layer declines (see call_folded, folded_affine)."""
        norm_step = self.second.first if isinstance(self.second, NormActStep) \
            else self.second
        activation = self.second.activation \
            if isinstance(self.second, NormActStep) else None
        conv, norm = self.first.layer, norm_step.layer
        x = conv._convert_input(x)
        conv._check_input(x.shape)
        out_shape = conv.compute_output_shape(x.shape)
        outputs = 1
        for d in out_shape:
            outputs *= d
        # Folding rescales the weights on every call; a pass over the
        # output is cheaper when the weights outnumber the outputs (a deep
        # layer at batch 1: ResNet50's weights are 25 M floats).
        if sum(v.size for v in conv.weights) > outputs:
            return None
        affine = norm.folded_affine(len(out_shape))
        if affine is None:
            return None
        return conv.call_folded(x, affine[0], affine[1], activation)

    def backward(self, grads, state, need_input_grad, dy_is_dz, input_ids,
                 unused_state=None):
        parts = state if isinstance(state, dict) else {}
        none = (None, None)
        # the convolution needs its output's gradient whatever the caller
        # wants of the inputs
        if isinstance(self.second, _PairStep):
            self.second.backward(grads, parts.get(1, none), True, dy_is_dz,
                                 input_ids, parts.get(-2, none))
        else:
            self.second.backward(grads, parts.get(1, none), True, dy_is_dz,
                                 input_ids)
        self.first.backward(grads, parts.get(0, none), need_input_grad,
                            False, input_ids)


class EmbedRecurrentStep(_PairStep):
    """An Embedding and the LSTM/GRU/SimpleRNN that is its only consumer.
    At inference the recurrent layer gets the ids (BaseRNN.call_on_ids):
    no (batch, steps, features) embedded array, and each distinct id's
    input projection computed once. In training, with a mask reaching the
    ids, or on ids that are not (batch, steps), the two run apart."""

    def forward(self, values, masks, training, record, index):
        embedding_node = self.first.node
        embedding, recurrent = self.first.layer, self.second.layer
        ids = values[id(embedding_node.input_tensors[0])]
        if training or node_input_mask(embedding_node, masks) is not None \
                or not embedding.built or np.ndim(ids) != 2 or \
                embedding.embeddings.value.dtype != np.float32:
            self._forward_apart(values, masks, training, record, index)
            return
        ids = embedding.checked_ids(ids)
        out, out_mask = recurrent.call_on_ids(
            embedding, ids, embedding.compute_mask(ids))
        if out_mask is not None or masks:
            record_output_masks(self.node, out_mask, masks)
        outputs = self.node.output_tensors
        if len(outputs) == 1:
            values[id(outputs[0])] = out
        else:
            for tensor, value in zip(outputs, out):
                values[id(tensor)] = value

    def backward(self, grads, state, need_input_grad, dy_is_dz, input_ids,
                 recurrent_state=None):
        # the embedding needs its output's gradient whatever the caller
        # wants of the ids
        self.second.backward(grads, recurrent_state, True, dy_is_dz,
                             input_ids)
        self.first.backward(grads, state, need_input_grad, False, input_ids)


def accumulate(grads, tensors, values):
    """Add each value (None: no gradient) to its tensor's gradient."""
    for tensor, g in zip(tensors, values):
        if g is None:
            continue
        if id(tensor) in grads:
            grads[id(tensor)] = grads[id(tensor)] + g
        else:
            grads[id(tensor)] = g


def _step_nodes(step):
    if isinstance(step, _PairStep):
        return _step_nodes(step.first) + _step_nodes(step.second)
    return [step.node]


def _last_uses(steps, outputs):
    """Per step, the ids of the tensors whose last reader it is (never a
    model output): what forward may drop once the step has run."""
    last = {}
    for index, step in enumerate(steps):
        for node in _step_nodes(step):
            for tensor in node.input_tensors:
                last[id(tensor)] = index
    kept = {id(t) for t in outputs}
    released = [[] for _ in steps]
    for tensor_id, index in last.items():
        if tensor_id not in kept:
            released[index].append(tensor_id)
    return released


class Plan:
    """A graph model's nodes as steps, with every fusion decided.

    Args:
        inputs: the model's input tensors.
        outputs: its output tensors.
        nodes: the graph's nodes, each after its parents (input layers'
            nodes may be among them).
    """

    def __init__(self, inputs, outputs, nodes):
        self.inputs, self.outputs = list(inputs), list(outputs)
        nodes = [n for n in nodes if not isinstance(n.layer, InputLayer)]
        sole = sole_consumers(nodes, self.outputs)
        input_ids = {id(t) for t in self.inputs}
        steps, producer = {}, {}
        for node in nodes:
            for tensor in node.output_tensors:
                producer[id(tensor)] = node
        for node in nodes:
            made = producer.get(id(node.input_tensors[0])) \
                if node.input_tensors else None
            routes = made is not None and sole.get(id(made)) is node and \
                routes_gradient(node.layer, made.layer)
            from_inputs = bool(node.input_tensors) and all(
                id(t) in input_ids for t in node.input_tensors)
            steps[id(node)] = LayerStep(node, routes, from_inputs)
        ordered, skip = [], set()
        for node in nodes:
            if id(node) in skip:
                continue
            step = steps[id(node)]
            consumer = sole.get(id(node))
            if consumer is not None and fuses(node.layer, consumer.layer):
                step = ConvPoolStep(step, steps[id(consumer)])
                skip.add(id(consumer))
            elif consumer is not None and \
                    looks_up_projections(node, consumer):
                step = EmbedRecurrentStep(step, steps[id(consumer)])
                skip.add(id(consumer))
            elif consumer is not None and \
                    folds_normalization(node, consumer):
                step = ConvNormStep(step, self._norm_act_step(
                    consumer, sole, steps, skip))
                skip.add(id(consumer))
            elif consumer is not None:
                step = self._norm_act_step(node, sole, steps, skip)
            ordered.append(step)
        self.steps = ordered
        self._input_ids = input_ids
        self._released = _last_uses(ordered, self.outputs)
        # (input shape, dtype, functions) of the lean inference path for
        # the last checked call's input, or None: see lean_chain.
        self.inference = None
        self._output_layers = self._find_output_layers(nodes)

    @staticmethod
    def _norm_act_step(node, sole, steps, skip):
        """node's step, paired with its only consumer as a NormActStep
        when that consumer is an activation the normalization applies in
        its own pass (the consumer then joins `skip`)."""
        step, consumer = steps[id(node)], sole.get(id(node))
        if consumer is None or steps[id(consumer)].routes:
            return step
        activation = fused_activation(node.layer, consumer.layer)
        if activation is None:
            return step
        skip.add(id(consumer))
        return NormActStep(step, steps[id(consumer)], activation)

    def _find_output_layers(self, nodes):
        consumed = {id(t) for node in nodes for t in node.input_tensors}
        found = []
        for tensor in self.outputs:
            layer = tensor._keras_history[0]
            alone = not isinstance(layer, InputLayer) and \
                id(tensor) not in consumed and \
                sum(t is tensor for t in self.outputs) == 1
            found.append(layer if alone else None)
        return found

    def lean_chain(self, x, output_mask=None):
        """(shape, dtype, functions) for inference on inputs like `x`: when
        the graph is a chain of single-input layers called with no other
        arguments, each with a lean inference function for its input shape
        (Layer._inference_fn), no masks, no activity regularizer; else
        None. The functions run one after another on a validated input."""
        import numpy as np
        if output_mask is not None or x.dtype != np.float32 or \
                len(self.inputs) != 1 or len(self.outputs) != 1:
            return None
        shape, functions, tensor = x.shape, [], self.inputs[0]
        for step in self.steps:
            node = getattr(step, "node", None)
            if not isinstance(step, LayerStep) or \
                    node.input_tensors != [tensor] or \
                    len(node.output_tensors) != 1 or \
                    node_call_arguments(node, ()) != ((), {}):
                return None
            layer = step.layer
            if layer.activity_regularizer is not None:
                return None     # its call records the output for the loss
            forward = layer._inference_fn(shape)
            if forward is None:
                return None
            functions.append(forward)
            shape = layer.compute_output_shape(shape)
            tensor = node.output_tensors[0]
        if tensor is not self.outputs[0]:
            return None
        return (x.shape, x.dtype, functions)

    def output_layers(self):
        """Per output, the layer making it when nothing else in the model
        uses it (so its gradient may be taken before its activation)."""
        return list(self._output_layers)

    def forward(self, input_values, input_masks, training):
        """Run the steps. Returns (outputs, output masks, record): lists in
        the order of the model's outputs, and the run's state for backward
        (None unless training)."""
        values = {id(t): v for t, v in zip(self.inputs, input_values)}
        masks = {}
        for tensor, m in zip(self.inputs, input_masks):
            if m is not None:
                masks[id(tensor)] = m
        record = {} if training else None
        released = self._released
        # Steps that backward will not reach keep no record: all of them in
        # an unrecorded part of an outer step, else those before the first
        # trainable step when the caller wants no input gradient (fit's
        # step through a frozen base).
        if not training:
            unrecorded = 0
        elif not backprop.recording():
            unrecorded = len(self.steps)
        elif backprop.claim_no_input_grad():
            unrecorded = self._first_trainable()
        else:
            unrecorded = 0
        for index, step in enumerate(self.steps):
            if index < unrecorded:
                with backprop.not_recording():
                    step.forward(values, masks, training, {}, index)
                for node in _step_nodes(step):
                    backprop.drop_saved(node.layer)
            else:
                step.forward(values, masks, training, record, index)
            # Values nothing later reads go now (a training call's layers
            # keep what their backward needs): peak memory is the live
            # set, not every activation of the run.
            for tensor_id in released[index]:
                values.pop(tensor_id, None)
        return ([values[id(t)] for t in self.outputs],
                [masks.get(id(t)) for t in self.outputs], record)

    def backward(self, record, dys, need_input_grad=True, dy_is_dz=None):
        """Gradients of the model's inputs (None where not needed).

        Args:
            record: what forward returned for the training call.
            dys: one gradient per output (None: no loss on it).
            need_input_grad: whether the caller uses the inputs' gradients.
            dy_is_dz: per output, whether its gradient is taken before the
                activation of the layer in output_layers().
        """
        grads = {}
        for tensor, dy in zip(self.outputs, dys):
            if dy is not None:
                accumulate(grads, [tensor], [dy])
        pre = set()
        if dy_is_dz:
            pre = {id(layer) for layer, flag in
                   zip(self._output_layers, dy_is_dz) if flag}
        first = self._first_trainable()
        input_ids = self._input_ids if need_input_grad else ()
        listener = backprop.active_backward_listener()
        for index in range(len(self.steps) - 1, -1, -1):
            if index < first and not need_input_grad:
                break
            step = self.steps[index]
            wanted = need_input_grad or index > first
            fused = id(step.node.layer) in pre
            state = record.get(index, (None, None))
            if isinstance(step, _PairStep):
                step.backward(grads, state, wanted, fused, input_ids,
                              record.get(-1 - index, (None, None)))
            else:
                step.backward(grads, state, wanted, fused, input_ids)
            if listener is not None:
                listener([node.layer for node in _step_nodes(step)])
        return [grads.get(id(t)) for t in self.inputs]

    def _first_trainable(self):
        """Index of the first step with trainable weights (len if none):
        the steps before it need not run backward when the caller needs no
        input gradient, and it computes no input gradient."""
        for index, step in enumerate(self.steps):
            if isinstance(step, _PairStep):
                if step.has_trainable_weights():
                    return index
            elif step.layer.trainable_weights:
                return index
        return len(self.steps)
