"""MultiHeadAttention and GroupedQueryAttention.

Both project query, key and value with EinsumDense sub-layers (Keras's
weights, names and `.keras` paths: query/key/value/attention_output, saved
under query_dense/key_dense/value_dense/output_dense), attend per head with
the GEMM and a fused masked softmax (seqcore/layers/_attention_core.py),
and project the heads back.

Calling convention (Keras 3): `layer(query, value, key=None, *,
query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
return_attention_scores=False, training=None, use_causal_mask=False)`.
In a functional model the layer's node holds [query, value(, key)];
`use_causal_mask` and `return_attention_scores` given at the symbolic call
are kept for the model's later calls.
"""
import math

import numpy as np

from seqcore import constraints, initializers, regularizers
from seqcore import random as sc_random
from seqcore import _kernels
from seqcore.engine import custom_call
from seqcore.engine import tape as tape_module
from seqcore.engine.keras_tensor import KerasTensor, Node
from seqcore.engine.layer import FLOATX, Layer
from seqcore.engine.naming import auto_name
from seqcore.layers import _attention_core as core
from seqcore.layers import _validation
from seqcore.layers.einsum_dense import EinsumDense
from seqcore.saving.serialization import register_builtin

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def projection_equation(free_dims, bound_dims, output_dims):
    """(equation, bias axes): `free_dims` input axes kept, `bound_dims`
    contracted with the kernel, `output_dims` made by the kernel."""
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims:free_dims + bound_dims]
    out = _LETTERS[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out


def _as_array(x, what, layer):
    if x is None:
        return None
    try:
        return np.asarray(x, dtype=FLOATX)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{layer.__class__.__name__} '{layer.name}': "
                         f"{what} must be a numeric array, received "
                         f"{type(x).__name__}: {exc}") from None


def causal_mask(t, s):
    """(1, T, S) lower-triangular: query i attends to keys j <= i."""
    return (np.arange(t)[:, None] >= np.arange(s)[None, :])[None]


def combined_mask(query_mask=None, value_mask=None, key_mask=None,
                  attention_mask=None, causal=None):
    """The (B, T, S) attention mask (True = attend) from Keras's mask
    sources, joined with logical and; None when there is none."""
    found = []
    if query_mask is not None:
        found.append(np.asarray(query_mask).astype(bool)[..., :, None])
    if value_mask is not None:
        found.append(np.asarray(value_mask).astype(bool)[..., None, :])
    if key_mask is not None:
        found.append(np.asarray(key_mask).astype(bool)[..., None, :])
    if causal is not None:
        found.append(causal)
    if attention_mask is not None:
        found.append(np.asarray(attention_mask).astype(bool))
    if not found:
        return None
    mask = found[0]
    for m in found[1:]:
        mask = mask & m
    return mask


class _AttentionBase(Layer):
    """The calling convention shared by the attention layers with query,
    value and key inputs and per-head projections."""

    # Call options a functional model's config keeps in the layer's node.
    _serialized_call_kwargs = ("use_causal_mask", "return_attention_scores")
    # A functional model hands the inputs' masks as mask=[query, value, key].
    _consumes_mask = True
    # MultiHeadAttention overwrites its `query_mask` argument with the query
    # tensor's mask; GroupedQueryAttention uses the argument.
    _honours_query_mask = False

    def __call__(self, query, value=None, key=None, *, query_mask=None,
                 value_mask=None, key_mask=None, attention_mask=None,
                 return_attention_scores=None, training=None,
                 use_causal_mask=None, mask=None):
        tape = tape_module.active()
        if tape is not None:     # inside a custom layer's training call
            options = {k: v for k, v in dict(
                query_mask=query_mask, value_mask=value_mask,
                key_mask=key_mask, attention_mask=attention_mask,
                return_attention_scores=return_attention_scores,
                training=training, use_causal_mask=use_causal_mask,
                mask=mask).items() if v is not None}
            others = (value,) if key is None else (value, key)
            return custom_call.call_on_tape(self, tape, query, others,
                                            options)
        if value is None and isinstance(query, (list, tuple)):
            parts = list(query)
            if not 2 <= len(parts) <= 3:
                raise ValueError(
                    f"{self.__class__.__name__} '{self.name}': a list input "
                    f"must be [query, value] or [query, value, key], "
                    f"received {len(parts)} tensors")
            query, value, key = (parts + [None])[:3]
        if value is None:
            raise ValueError(f"{self.__class__.__name__} '{self.name}' needs "
                             f"a `value` input: layer(query, value)")
        # Keras 3 reads the query's mask from the query tensor only (its
        # `query_mask` argument is overwritten): `mask`, the inputs'
        # automatic masks [query, value, key], plays that part here.
        if not self._honours_query_mask:
            query_mask = None
        if mask is not None:
            masks = list(mask) + [None] * 3
            query_mask = masks[0]
            value_mask = value_mask if value_mask is not None else masks[1]
            key_mask = key_mask if key_mask is not None else masks[2]
        saved = getattr(self, "_call_options", {})
        if return_attention_scores is None:
            return_attention_scores = saved.get("return_attention_scores",
                                                False)
        if use_causal_mask is None:
            use_causal_mask = saved.get("use_causal_mask", False)
        tensors = [query, value] + ([] if key is None else [key])
        if any(isinstance(t, KerasTensor) for t in tensors):
            if not all(isinstance(t, KerasTensor) for t in tensors):
                raise ValueError(
                    f"{self.__class__.__name__} '{self.name}': query, value "
                    f"and key must all be symbolic tensors or all arrays")
            if any(m is not None for m in (query_mask, value_mask, key_mask,
                                           attention_mask)):
                raise NotImplementedError(
                    f"{self.__class__.__name__} '{self.name}': masks as "
                    f"symbolic inputs of a functional model are not "
                    f"supported by seqcore yet; pass use_causal_mask=True, "
                    f"or call the layer on arrays with the masks")
            self._call_options = {
                "use_causal_mask": bool(use_causal_mask),
                "return_attention_scores": bool(return_attention_scores)}
            return self._symbolic(tensors, bool(return_attention_scores))
        if training:
            self._step_calls = self.__dict__.get("_step_calls", 0) + 1
        arrays = [_as_array(t, n, self) for t, n in
                  zip(tensors, ("query", "value", "key"))]
        query, value = arrays[0], arrays[1]
        key = arrays[2] if len(arrays) > 2 else None
        if not self.built:
            self.build(query.shape, value.shape,
                       None if key is None else key.shape)
        self._check_shapes(query.shape, value.shape,
                           None if key is None else key.shape)
        out = self.call(query, value, key, query_mask=query_mask,
                        value_mask=value_mask, key_mask=key_mask,
                        attention_mask=attention_mask,
                        return_attention_scores=bool(
                            return_attention_scores),
                        training=training,
                        use_causal_mask=bool(use_causal_mask))
        if self.activity_regularizer is not None:
            # its loss joins the compiled loss (on the attention output)
            self._activity_output = out[0] if isinstance(out, list) else out
        return out

    def _call_output_shapes(self, shapes, call_kwargs):
        """The output shape of a call on inputs of `shapes` [query, value(,
        key)], and the scores' with return_attention_scores (call_kwargs:
        the node's options): what functional models ask of this node."""
        out_shape = self.compute_output_shape(*shapes)
        if call_kwargs.get("return_attention_scores"):
            return [out_shape, self._scores_shape(*shapes)]
        return out_shape

    def _symbolic(self, tensors, return_scores):
        shapes = [t.shape for t in tensors]
        if not self.built:
            self.build(*shapes)
        self._check_shapes(*shapes)
        found = self._call_output_shapes(
            shapes, {"return_attention_scores": return_scores})
        outputs = [KerasTensor(s) for s in found] if return_scores else \
            [KerasTensor(found)]
        node = Node(self, tensors, outputs)
        # Keras 3's node arguments: layer(query, value(, key))
        node.arguments = (tensors[0], tuple(tensors[1:]), {})
        node.call_kwargs = {k: v for k, v in self._call_options.items() if v}
        self._inbound_nodes.append(node)
        for i, tensor in enumerate(outputs):
            tensor._keras_history = (self, len(self._inbound_nodes) - 1, i)
        return outputs if return_scores else outputs[0]

    def compute_mask(self, inputs, mask=None):
        """The query's mask is the output's."""
        if isinstance(mask, (list, tuple)):
            return mask[0] if mask else None
        return mask

    def _saved_children(self):
        """Keras 3's `.keras` keys of the projections."""
        return [("query_dense", self._query_dense),
                ("key_dense", self._key_dense),
                ("value_dense", self._value_dense),
                ("output_dense", self._output_dense)]

    def _sublayer(self, name, equation, output_shape, bias_axes):
        layer = EinsumDense(
            equation, output_shape=output_shape,
            bias_axes=bias_axes if self.use_bias else None,
            kernel_initializer=initializers.get(
                initializers.serialize(self._kernel_initializer)),
            bias_initializer=initializers.get(
                initializers.serialize(self._bias_initializer)),
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            kernel_constraint=_copied(self._kernel_constraint),
            bias_constraint=_copied(self._bias_constraint), name=name)
        return layer

    def _adopt(self, layer, input_shape):
        """Build a projection (in this layer's build: its weights' paths
        fall under this layer's) and track it."""
        layer.build(tuple(input_shape))
        layer.built = True
        layer.trainable = self.trainable
        self._layers.append(layer)
        return layer

    def _dropout_scale(self, shape, training):
        if not training or self._dropout == 0.0:
            return None
        rng = getattr(self, "_rng", None)
        if rng is None and self.seed is not None:
            rng = self._rng = sc_random.generator(self.seed)
        rng = rng or sc_random.generator()
        return _kernels.dropout_mask(
            int(rng.integers(0, 2**63, dtype=np.int64)), self._dropout,
            np.empty(shape, np.float32))

    def backward(self, dy, need_input_grad=True):
        if isinstance(dy, (list, tuple)):
            d_out, d_scores = dy[0], (dy[1] if len(dy) > 1 else None)
        else:
            d_out, d_scores = dy, None
        return self._backward(d_out, d_scores, need_input_grad)


def reserve_sublayer_names():
    """Take the automatic names of the Softmax and Dropout layers that
    Keras's attention layers create when built, so that the layers made
    after them get the names Keras gives them (`dropout_3`, not
    `dropout_2`)."""
    auto_name("Softmax")
    auto_name("Dropout")


@register_builtin
class MultiHeadAttention(_AttentionBase):
    """Multi-head attention (Vaswani et al., 2017) as Keras 3 computes it.

    Args:
        num_heads: number of heads N.
        key_dim: size H of each head for query and key.
        value_dim: size Hv of each head for value (default key_dim).
        dropout: rate of dropout on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: last axes of the output (default: the query's last).
        attention_axes: the axes attention runs over (default: all but the
            batch and the last).
        seed: seed of the dropout.

    Inputs: query (B, T..., dq), value (B, S..., dv), key (B, S..., dk).
    Output: (B, T..., output_shape or dq); with return_attention_scores
    also the probabilities (B, <other axes>, N, T..., S...).
    Weights: query kernel (dq, N, H) and bias (N, H); key (dk, N, H), (N, H);
    value (dv, N, Hv), (N, Hv); attention_output (N, Hv, out), (out,).
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0,
                 use_bias=True, output_shape=None, attention_axes=None,
                 sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        name = "MultiHeadAttention"
        for arg, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or \
                    value <= 0:
                raise ValueError(f"{name}: {arg} must be a positive integer, "
                                 f"received {arg}={value!r}")
        if value_dim is not None and (isinstance(value_dim, bool) or
                                      not isinstance(value_dim, int) or
                                      value_dim <= 0):
            raise ValueError(f"{name}: value_dim must be a positive integer "
                             f"or None, received value_dim={value_dim!r}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if sliding_window is not None:
            raise NotImplementedError(f"{name}: sliding_window is not "
                                      f"supported by seqcore")
        if use_gate:
            raise NotImplementedError(f"{name}: use_gate=True is not "
                                      f"supported by seqcore")
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = _validation.rate(name, "dropout", dropout)
        self.use_bias = bool(use_bias)
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(f"{name}: output_shape must be an int, a "
                                 f"tuple or a list, received output_shape="
                                 f"{output_shape!r}") from None
        self._output_shape = output_shape or None
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and \
                not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"{name}: attention_axes must be an int, list or "
                             f"tuple, received attention_axes="
                             f"{attention_axes!r}")
        self._attention_axes = None if attention_axes is None else \
            tuple(attention_axes)
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    attention_axes = property(lambda self: self._attention_axes)

    # ---- building ----------------------------------------------------------

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and query_shape and \
                isinstance(query_shape[0], (list, tuple)):
            shapes = list(query_shape) + [None]
            query_shape, value_shape, key_shape = shapes[0], shapes[1], \
                shapes[2]
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        n, h, hv = self._num_heads, self._key_dim, self._value_dim
        rank = len(query_shape)
        eq, bias = projection_equation(rank - 1, 1, 2)
        self._query_dense = self._adopt(self._sublayer(
            "query", eq, [None] * (rank - 2) + [n, h], bias), query_shape)
        eq, bias = projection_equation(len(key_shape) - 1, 1, 2)
        self._key_dense = self._adopt(self._sublayer(
            "key", eq, [None] * (len(key_shape) - 2) + [n, h], bias),
            key_shape)
        eq, bias = projection_equation(len(value_shape) - 1, 1, 2)
        self._value_dense = self._adopt(self._sublayer(
            "value", eq, [None] * (len(value_shape) - 2) + [n, hv], bias),
            value_shape)
        projected_rank = len(value_shape) + 1
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, projected_rank - 2))
        else:
            self._attention_axes = tuple(
                a if a >= 0 else projected_rank - 1 + a
                for a in self._attention_axes)
        for a in self._attention_axes:
            if not 0 < a < projected_rank - 2:
                raise ValueError(
                    f"MultiHeadAttention '{self.name}': attention_axes "
                    f"{self._attention_axes} must name axes between the "
                    f"batch and the last axis of inputs of rank {rank}")
        out_dims = self._output_shape or (query_shape[-1],)
        eq, bias = projection_equation(rank - 1, 2, len(out_dims))
        self._output_dense = self._adopt(self._sublayer(
            "attention_output", eq, [None] * (rank - 2) + list(out_dims),
            bias), query_shape[:-1] + (n, hv))
        reserve_sublayer_names()
        self.built = True

    build._records_build = True     # no single input shape to record

    def _check_shapes(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if tuple(value_shape)[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError(
                f"All dimensions of `value` and `key`, except the last one, "
                f"must be equal. Received: value_shape={tuple(value_shape)} "
                f"and key_shape={tuple(key_shape)}")
        if len(query_shape) != len(value_shape) or len(query_shape) < 3:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': query and value must "
                f"have the same rank (at least 3), received query shape "
                f"{tuple(query_shape)} and value shape {tuple(value_shape)}")
        if self.built:
            expected = self._query_dense.kernel.shape[0]
            if query_shape[-1] not in (None, expected):
                raise ValueError(
                    f"MultiHeadAttention '{self.name}' was built for queries "
                    f"with last axis {expected}, received shape "
                    f"{tuple(query_shape)}")

    def compute_output_shape(self, query_shape, value_shape=None,
                             key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None:
            self._check_shapes(query_shape, value_shape, key_shape)
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def _scores_shape(self, query_shape, value_shape, key_shape=None):
        rank = len(query_shape) + 1
        axes = self._attention_axes
        batch = [i for i in range(rank - 1) if i not in axes]
        q_proj = tuple(query_shape[:-1]) + (self._num_heads,)
        v_proj = tuple(value_shape[:-1]) + (self._num_heads,)
        return tuple(q_proj[i] for i in batch) + \
            tuple(q_proj[i] for i in axes) + tuple(v_proj[i] for i in axes)

    # ---- forward -----------------------------------------------------------

    def _layout(self, projected_shape):
        """(perm to (batch axes, attention axes, channels), batch shape,
        attention shape) of a projected (B, ..., N, H) tensor."""
        rank = len(projected_shape)
        axes = self._attention_axes
        batch = [i for i in range(rank - 1) if i not in axes]
        perm = batch + list(axes) + [rank - 1]
        return perm, tuple(projected_shape[i] for i in batch), \
            tuple(projected_shape[i] for i in axes)

    def _to_groups(self, x):
        """x (B, ..., N, H) as (batch axes..., T, H): a strided view when
        attention runs over one axis, else a copy with the attention axes
        flattened."""
        perm, batch, attn = self._layout(x.shape)
        view = x.transpose(perm)
        if len(attn) == 1:
            return view
        return np.ascontiguousarray(view).reshape(
            batch + (math.prod(attn), x.shape[-1]))

    def _from_groups(self, x, like_shape):
        """The inverse of _to_groups, as a C-contiguous array."""
        perm, batch, attn = self._layout(like_shape)
        full = x.reshape(batch + attn + (x.shape[-1],))
        return np.ascontiguousarray(full.transpose(np.argsort(perm)))

    def _context_buffer(self, shape):
        """An empty (B, ..., N, Hv) context and its grouped view to write."""
        context = np.empty(shape, np.float32)
        perm, batch, attn = self._layout(shape)
        return context, (context.transpose(perm) if len(attn) == 1 else None)

    def _group_mask(self, mask, scores_shape, groups_shape):
        """The (B, T, S)-style mask expanded as Keras does to the scores'
        rank, broadcast, and flattened to (G, T, S)."""
        if mask is None:
            return None
        mask = np.asarray(mask, dtype=bool)
        axis = -len(self._attention_axes) * 2 - 1
        while mask.ndim < len(scores_shape):
            mask = np.expand_dims(mask, axis)
        try:
            mask = np.broadcast_to(mask, scores_shape)
        except ValueError:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': the attention mask of "
                f"shape {mask.shape} does not broadcast to the attention "
                f"scores {scores_shape}") from None
        return mask.reshape(groups_shape)

    def call(self, query, value, key=None, query_mask=None, value_mask=None,
             key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None,
             use_causal_mask=False):
        key_given = key is not None
        key = value if key is None else key
        causal = causal_mask(query.shape[1], value.shape[1]) \
            if use_causal_mask else None
        mask = combined_mask(query_mask, value_mask,
                             key_mask if key_given else None,
                             attention_mask, causal)
        q = self._query_dense(query, training=training)
        k = self._key_dense(key, training=training)
        v = self._value_dense(value, training=training)
        kv_shapes = (k.shape, v.shape)
        k, v = self._repeat_heads(k), self._repeat_heads(v)
        qg, kg, vg = self._to_groups(q), self._to_groups(k), \
            self._to_groups(v)
        _, batch, q_attn = self._layout(q.shape)
        _, _, k_attn = self._layout(k.shape)
        scores_shape = batch + q_attn + k_attn
        groups_shape = batch + (qg.shape[-2], kg.shape[-2])
        gmask = self._group_mask(mask, scores_shape, groups_shape)
        # Keras's fused path (no dropout, no scores returned, rank-3 inputs)
        # leaves a fully masked row uniform; its Softmax layer zeroes it.
        zero_masked = self._dropout > 0.0 or return_attention_scores or \
            q.ndim != 4
        dropout = self._dropout_scale(groups_shape, training)
        context_shape = q.shape[:-1] + (v.shape[-1],)
        context, out_view = self._context_buffer(context_shape)
        grouped, probs, state = core.forward(
            qg, kg, vg, self._inverse_sqrt_key_dim, gmask, zero_masked,
            dropout, out=out_view)
        if out_view is None:
            context = self._from_groups(grouped, context_shape)
        out = self._output_dense(context, training=training)
        if training:
            self._saved = (state, key_given, q.shape, k.shape, v.shape,
                           kv_shapes,
                           [layer._saved for layer in self._layers])
        if return_attention_scores:
            return [out, probs.reshape(scores_shape)]
        return out

    def _backward(self, d_out, d_scores, need_input_grad=True):
        state, key_given, q_shape, k_shape, v_shape, kv_shapes, sub = \
            self._saved
        for layer, saved in zip(self._layers, sub):
            layer._saved = saved
        d_context = self._output_dense.backward(d_out)
        d_context = self._to_groups(d_context)
        if d_scores is not None:
            d_scores = np.asarray(d_scores, np.float32).reshape(
                state[7].shape)
        dq, dk, dv = core.backward(state, d_context, d_scores)
        dk = self._sum_heads(self._from_groups(dk, k_shape), kv_shapes[0])
        dv = self._sum_heads(self._from_groups(dv, v_shape), kv_shapes[1])
        grads = []
        dq = self._from_groups(dq, q_shape)
        for layer, dg in ((self._query_dense, dq), (self._key_dense, dk),
                          (self._value_dense, dv)):
            grads.append(layer.backward(dg, need_input_grad=need_input_grad))
        if not need_input_grad:
            return None
        d_query, d_key, d_value = grads
        if not key_given:
            return [d_query, d_value + d_key]
        return [d_query, d_value, d_key]

    def _repeat_heads(self, x):
        """Keys and values shared by groups of query heads (GQA): here
        every head has its own."""
        return x

    def _sum_heads(self, dx, shape):
        return dx

    # ---- config ------------------------------------------------------------

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads, "key_dim": self._key_dim,
            "value_dim": self._value_dim, "dropout": self._dropout,
            "use_bias": self.use_bias, "use_gate": False,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": None,
            "kernel_initializer": initializers.serialize(
                self._kernel_initializer),
            "bias_initializer": initializers.serialize(
                self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(
                self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(
                self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
            "kernel_constraint": constraints.serialize(
                self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        })
        return config


@register_builtin
class GroupedQueryAttention(MultiHeadAttention):
    """Grouped-query attention (Ainslie et al., 2023): num_query_heads query
    heads share num_key_value_heads key/value heads, each key/value head
    serving num_query_heads // num_key_value_heads consecutive query heads.

    Args:
        head_dim: size of each head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key and value heads (divides
            num_query_heads).
        dropout, use_bias, initializers, regularizers, seed: as in
            MultiHeadAttention.

    Inputs: query (B, T, dim), value (B, S, dim), key (B, S, dim).
    Output: (B, T, dim). Weights: query kernel (dim, Nq, H), bias (Nq, H);
    key and value (dim, Nkv, H), (Nkv, H); attention_output (Nq, H, dim),
    (dim,).
    """

    _honours_query_mask = True

    def __init__(self, head_dim, num_query_heads, num_key_value_heads,
                 dropout=0.0, use_bias=True, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        for arg, value in (("head_dim", head_dim),
                           ("num_query_heads", num_query_heads),
                           ("num_key_value_heads", num_key_value_heads)):
            if isinstance(value, bool) or not isinstance(value, int) or \
                    value <= 0:
                raise ValueError(f"GroupedQueryAttention: {arg} must be a "
                                 f"positive integer, received {arg}={value!r}")
        if num_query_heads % num_key_value_heads:
            raise ValueError("`num_query_heads` must be divisible by "
                             "`num_key_value_heads`.")
        super().__init__(
            num_heads=num_query_heads, key_dim=head_dim, dropout=dropout,
            use_bias=use_bias, attention_axes=(1,),
            sliding_window=sliding_window, flash_attention=flash_attention,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, use_gate=use_gate,
            seed=seed, **kwargs)
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and query_shape and \
                isinstance(query_shape[0], (list, tuple)):
            shapes = list(query_shape) + [None]
            query_shape, value_shape, key_shape = shapes[:3]
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        nq, nkv, h = self.num_query_heads, self.num_key_value_heads, \
            self.head_dim
        bias = self.use_bias
        self._query_dense = self._adopt(self._sublayer(
            "query", "bqm,muh->bquh", (None, nq, h), "uh"), query_shape)
        self._key_dense = self._adopt(self._sublayer(
            "key", "bkm,mvh->bkvh", (None, nkv, h), "vh"), key_shape)
        self._value_dense = self._adopt(self._sublayer(
            "value", "bkm,mvh->bkvh", (None, nkv, h), "vh"), value_shape)
        self.feature_dim = query_shape[-1]
        self._output_dense = self._adopt(self._sublayer(
            "attention_output", "bquh,uhm->bqm", (None, self.feature_dim),
            "m"), (None, None, nq, h))
        self.use_bias = bias
        reserve_sublayer_names()
        self.built = True

    build._records_build = True

    def _check_shapes(self, query_shape, value_shape, key_shape=None):
        if len(query_shape) != 3 or len(value_shape) != 3:
            raise ValueError(
                f"GroupedQueryAttention '{self.name}': query and value must "
                f"be 3-D (batch, length, dim), received query "
                f"{tuple(query_shape)} and value {tuple(value_shape)}")
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"The last dimension of `query_shape` and `value_shape` must "
                f"be equal, but are {query_shape[-1]}, {value_shape[-1]}. "
                f"Received: query_shape={tuple(query_shape)}, "
                f"value_shape={tuple(value_shape)}")
        super()._check_shapes(query_shape, value_shape, key_shape)

    def _repeat_heads(self, x):
        return np.repeat(x, self.num_repeats, axis=2)

    def _sum_heads(self, dx, shape):
        return np.ascontiguousarray(dx.reshape(
            shape[:2] + (shape[2], self.num_repeats, shape[3])).sum(axis=3))

    def get_config(self):
        config = Layer.get_config(self)
        config.update({
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self.use_bias, "use_gate": False,
            "sliding_window": None, "dropout": self._dropout,
            "kernel_initializer": initializers.serialize(
                self._kernel_initializer),
            "bias_initializer": initializers.serialize(
                self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(
                self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(
                self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
            "kernel_constraint": constraints.serialize(
                self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        })
        return config


def _copied(constraint):
    """A fresh copy of a constraint for each projection (as Keras does)."""
    if constraint is None or not hasattr(constraint, "get_config"):
        return constraint
    return type(constraint).from_config(constraint.get_config())
