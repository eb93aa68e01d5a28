"""Attention (Luong-style, dot or concat scores) and AdditiveAttention
(Bahdanau-style), called on [query, value] or [query, value, key].

query (B..., Tq, dim), value (B..., Tv, dv), key (B..., Tv, dim) ->
output (B..., Tq, dv), and with return_attention_scores the weights
(B..., Tq, Tv). `mask=[query_mask, value_mask]`: value positions that are
False get no weight, query positions that are False get a zero output.
Dot scores run on the GEMM (seqcore/layers/_attention_core.py); the tanh
scores of concat and additive attention are elementwise numpy over
(B, Tq, Tv, dim).
"""
import math

import numpy as np

from seqcore import random as sc_random
from seqcore import _kernels
from seqcore.engine import custom_call
from seqcore.engine import tape as tape_module
from seqcore.engine.keras_tensor import KerasTensor, Node
from seqcore.engine.layer import FLOATX, Layer
from seqcore.engine.variables import store_grad
from seqcore.layers import _attention_core as core
from seqcore.layers import _validation
from seqcore.layers.attention import causal_mask
from seqcore.saving.serialization import register_builtin


def _scalar_weight(layer, name):
    """A trainable 0-d weight initialized to one (add_weight makes 0-d
    arrays 1-d: np.ascontiguousarray has no 0-d result)."""
    variable = layer.add_weight(name=name, shape=(), initializer="ones")
    variable._value = variable._value.reshape(())
    return variable


@register_builtin
class Attention(Layer):
    """Dot-product attention layer.

    Args:
        use_scale: learn a scalar `scale` that multiplies the scores.
        score_mode: 'dot' (q @ k^T) or 'concat'
            (concat_score_weight * sum(tanh(scale * (q + k)))).
        dropout: rate of dropout on the attention weights (training only).
        seed: seed of the dropout.

    Weights: scale () when use_scale, then concat_score_weight () for
    'concat', both initialized to ones.
    """

    _serialized_call_kwargs = ("use_causal_mask", "return_attention_scores")
    # A functional model hands the inputs' masks as mask=[query, value].
    _consumes_mask = True

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        name = self.__class__.__name__
        self.use_scale = bool(use_scale)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. "
                             f"Expected one of {{'dot', 'concat'}}. "
                             f"Received: score_mode={score_mode}")
        self.score_mode = score_mode
        self.dropout = _validation.rate(name, "dropout", dropout)
        self.seed = seed
        self.supports_masking = True

    # ---- calling -----------------------------------------------------------

    def _split(self, inputs, what="inputs"):
        name = self.__class__.__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: "
                f"{what}={type(inputs).__name__}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely "
                f"[query, value] or [query, value, key]. Received length: "
                f"{len(inputs)}.")
        return list(inputs)

    def __call__(self, inputs, mask=None, training=None,
                 return_attention_scores=None, use_causal_mask=None):
        tape = tape_module.active()
        if tape is not None:     # inside a custom layer's training call
            options = {k: v for k, v in dict(
                mask=mask, training=training,
                return_attention_scores=return_attention_scores,
                use_causal_mask=use_causal_mask).items() if v is not None}
            return custom_call.call_on_tape(self, tape, inputs, (), options)
        inputs = self._split(inputs)
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 not 2 <= len(mask) <= 3):
            raise ValueError(f"{self.__class__.__name__} layer mask must be "
                             f"a list, namely [query_mask, value_mask]. "
                             f"Received: mask={mask!r}.")
        saved = getattr(self, "_call_options", {})
        if return_attention_scores is None:
            return_attention_scores = saved.get("return_attention_scores",
                                                False)
        if use_causal_mask is None:
            use_causal_mask = saved.get("use_causal_mask", False)
        if any(isinstance(t, KerasTensor) for t in inputs):
            return self._symbolic(inputs, bool(return_attention_scores),
                                  bool(use_causal_mask))
        if training:
            self._step_calls = self.__dict__.get("_step_calls", 0) + 1
        arrays = [np.asarray(t, dtype=FLOATX) for t in inputs]
        shapes = [a.shape for a in arrays]
        if not self.built:
            self.build(shapes)
        self._check_shapes(shapes)
        return self.call(arrays, mask=mask, training=training,
                         return_attention_scores=bool(return_attention_scores),
                         use_causal_mask=bool(use_causal_mask))

    def _symbolic(self, tensors, return_scores, use_causal_mask):
        shapes = [t.shape for t in tensors]
        if not self.built:
            self.build(shapes)
        self._check_shapes(shapes)
        self._call_options = {"use_causal_mask": use_causal_mask,
                              "return_attention_scores": return_scores}
        outputs = [KerasTensor(self.compute_output_shape(shapes))]
        if return_scores:
            key = shapes[2] if len(shapes) > 2 else shapes[1]
            outputs.append(KerasTensor(tuple(shapes[0][:-1]) + (key[-2],)))
        node = Node(self, tensors, outputs)
        node.arguments = (list(tensors), (), {})   # Keras 3: layer([q, v])
        node.call_kwargs = {k: v for k, v in self._call_options.items() if v}
        self._inbound_nodes.append(node)
        for i, tensor in enumerate(outputs):
            tensor._keras_history = (self, len(self._inbound_nodes) - 1, i)
        return outputs if return_scores else outputs[0]

    def _check_shapes(self, shapes):
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) > 2 else v
        name = self.__class__.__name__
        if len(q) < 3 or len(v) != len(q) or len(k) != len(q):
            raise ValueError(f"{name} '{self.name}': query, value and key "
                             f"must have the same rank (at least 3), "
                             f"received {[tuple(s) for s in shapes]}")
        if q[-1] is not None and k[-1] is not None and q[-1] != k[-1]:
            raise ValueError(f"{name} '{self.name}': query and key must "
                             f"have the same last axis, received query "
                             f"{tuple(q)} and key {tuple(k)}")
        if v[-2] is not None and k[-2] is not None and v[-2] != k[-2]:
            raise ValueError(f"{name} '{self.name}': value and key must "
                             f"have the same length, received value "
                             f"{tuple(v)} and key {tuple(k)}")

    # ---- weights -----------------------------------------------------------

    def build(self, input_shape):
        self._split(input_shape, "input_shape")
        self.scale = _scalar_weight(self, "scale") \
            if self.use_scale else None
        self.concat_score_weight = _scalar_weight(
            self, "concat_score_weight") \
            if self.score_mode == "concat" else None
        self.built = True

    build._records_build = True

    # ---- scores ------------------------------------------------------------

    def _scores(self, q, k):
        """Scores (G, Tq, Tv) and what their backward needs."""
        if self.score_mode == "dot":
            scale = float(self.scale.value) if self.scale is not None else 1.0
            scores = np.empty((q.shape[0], q.shape[1], k.shape[1]),
                              np.float32)
            for g in range(q.shape[0]):
                _kernels.gemm(q[g], k[g], scores[g], trans_b=True,
                              alpha=scale)
            return scores, None
        s = self.scale.value if self.scale is not None else np.float32(1)
        u = np.tanh(s * (q[:, :, None, :] + k[:, None, :, :]))
        c = self.concat_score_weight.value
        return np.ascontiguousarray(c * u.sum(axis=-1),
                                    dtype=np.float32), u

    def _scores_backward(self, ds, q, k, u):
        """(dq, dk) and the weights' gradients from d loss / d scores."""
        if self.score_mode == "dot":
            scale = float(self.scale.value) if self.scale is not None else 1.0
            dq, dk = np.empty_like(q), np.empty_like(k)
            for g in range(q.shape[0]):
                _kernels.gemm(ds[g], k[g], dq[g], alpha=scale)
                _kernels.gemm(ds[g], q[g], dk[g], trans_a=True, alpha=scale)
            if self.scale is not None:
                raw = sum(float(np.sum(_kernels.gemm(ds[g], k[g]) * q[g]))
                          for g in range(q.shape[0]))
                store_grad(self.scale, np.float32(raw))
            return dq, dk
        s = self.scale.value if self.scale is not None else np.float32(1)
        c = self.concat_score_weight.value
        store_grad(self.concat_score_weight,
                   np.float32(np.sum(ds * u.sum(axis=-1))))
        du = (c * ds)[..., None] * (1.0 - u * u)      # d loss / d (s * (q+k))
        if self.scale is not None:
            total = q[:, :, None, :] + k[:, None, :, :]
            store_grad(self.scale, np.float32(np.sum(du * total)))
        return (s * du.sum(axis=2)).astype(np.float32), \
            (s * du.sum(axis=1)).astype(np.float32)

    # ---- forward and backward ----------------------------------------------

    def call(self, inputs, mask=None, training=None,
             return_attention_scores=False, use_causal_mask=False):
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        key_given = len(inputs) > 2
        batch = q.shape[:-2]
        g_count = math.prod(batch)
        qg = np.ascontiguousarray(q).reshape(g_count, q.shape[-2], -1)
        kg = np.ascontiguousarray(k).reshape(g_count, k.shape[-2], -1)
        vg = np.ascontiguousarray(v).reshape(g_count, v.shape[-2], -1)
        q_mask = None if mask is None else mask[0]
        v_mask = None if mask is None else mask[1]
        scores_mask = None
        if v_mask is not None:
            scores_mask = np.asarray(v_mask, bool)[..., None, :]
        if use_causal_mask:
            causal = causal_mask(q.shape[-2], k.shape[-2])
            scores_mask = causal if scores_mask is None else \
                scores_mask & causal
        gshape = (g_count, q.shape[-2], k.shape[-2])
        gmask = None if scores_mask is None else np.broadcast_to(
            scores_mask, batch + gshape[1:]).reshape(gshape)
        scores, u = self._scores(qg, kg)
        probs = core.masked_softmax(scores, gmask)
        dropout = None
        if training and self.dropout > 0:
            rng = getattr(self, "_rng", None)
            if rng is None and self.seed is not None:
                rng = self._rng = sc_random.generator(self.seed)
            rng = rng or sc_random.generator()
            dropout = _kernels.dropout_mask(
                int(rng.integers(0, 2**63, dtype=np.int64)), self.dropout,
                np.empty(gshape, np.float32))
        weights = probs if dropout is None else probs * dropout
        out = core.weigh(weights, vg).reshape(batch + (q.shape[-2],
                                                       v.shape[-1]))
        keep = None
        if q_mask is not None:
            keep = np.asarray(q_mask, bool)[..., None]
            out = np.where(keep, out, np.float32(0)).astype(np.float32)
        if training:
            self._saved = (qg, kg, vg, u, gmask, dropout, probs, weights,
                           keep, key_given, (q.shape, v.shape, k.shape))
        if return_attention_scores:
            return [out, weights.reshape(batch + gshape[1:])]
        return out

    def backward(self, dy, need_input_grad=True):
        if isinstance(dy, (list, tuple)):
            d_out, d_scores = dy[0], (dy[1] if len(dy) > 1 else None)
        else:
            d_out, d_scores = dy, None
        (qg, kg, vg, u, gmask, dropout, probs, weights, keep, key_given,
         shapes) = self._saved
        d_out = np.asarray(d_out, np.float32)
        if keep is not None:
            d_out = np.where(keep, d_out, np.float32(0))
        d_weights, dv = core.weigh_backward(
            weights, vg, d_out.reshape(qg.shape[:2] + (vg.shape[-1],)))
        if d_scores is not None:
            d_weights = d_weights + np.asarray(
                d_scores, np.float32).reshape(d_weights.shape)
        dp = d_weights if dropout is None else d_weights * dropout
        ds = core.softmax_backward(probs, dp, gmask)
        dq, dk = self._scores_backward(ds, qg, kg, u)
        if not need_input_grad:
            return None
        q_shape, v_shape, k_shape = shapes
        dq, dv, dk = dq.reshape(q_shape), dv.reshape(v_shape), \
            dk.reshape(k_shape)
        if not key_given:
            return [dq, dv + dk]
        return [dq, dv, dk]

    # ---- shapes and config -------------------------------------------------

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return np.asarray(mask[0])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale,
                       "score_mode": self.score_mode,
                       "dropout": self.dropout, "seed": self.seed})
        return config


@register_builtin
class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention: scores
    sum(scale * tanh(q + k)) over the last axis.

    Args:
        use_scale: learn a per-channel `scale` (dim,) (glorot_uniform).
        dropout: rate of dropout on the attention weights (training only).

    Weights: scale (dim,) when use_scale.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._split(input_shape, "input_shape")
        dim = input_shape[0][-1]
        self.scale = self.add_weight(
            name="scale", shape=(dim,), initializer="glorot_uniform") \
            if self.use_scale else None
        self.concat_score_weight = None
        self.built = True

    build._records_build = True

    def _scores(self, q, k):
        u = np.tanh(q[:, :, None, :] + k[:, None, :, :])
        s = self.scale.value if self.scale is not None else np.float32(1)
        return np.ascontiguousarray((s * u).sum(axis=-1),
                                    dtype=np.float32), u

    def _scores_backward(self, ds, q, k, u):
        if self.scale is not None:
            store_grad(self.scale, np.einsum("gts,gtsh->h", ds, u))
        s = self.scale.value if self.scale is not None else np.float32(1)
        du = ds[..., None] * s * (1.0 - u * u)
        return du.sum(axis=2).astype(np.float32), \
            du.sum(axis=1).astype(np.float32)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
