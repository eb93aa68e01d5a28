"""ReversibleEmbedding: an Embedding that can also project hidden vectors
back to vocabulary logits (`call(x, reverse=True)`), with the embeddings'
transpose (tied weights, the default) or its own `reverse_embeddings`.

The reverse projection is one float32 GEMM (numpy's matmul), its backward
two more; the forward lookup is Embedding's.
"""
import numpy as np

from seqcore.engine.layer import Layer
from seqcore.engine.variables import grad_beta, store_grad
from seqcore.layers.core import Embedding
from seqcore.saving.serialization import register_builtin

_REVERSE_DTYPES = ("float16", "float32", "float64")


@register_builtin
class ReversibleEmbedding(Embedding):
    """Integer ids (batch, ...) -> vectors (batch, ..., output_dim), and with
    `reverse=True` vectors (batch, ..., output_dim) -> logits (batch, ...,
    input_dim).

    Args:
        input_dim: vocabulary size (largest id + 1).
        output_dim: embedding size.
        tie_weights: reverse with the transpose of `embeddings` (True) or a
            separate trainable `reverse_embeddings` (output_dim, input_dim).
        embeddings_initializer, embeddings_regularizer,
        embeddings_constraint, mask_zero: as Embedding (the initializer also
            makes `reverse_embeddings`).
        reverse_dtype: None (the layer's float32) or a float dtype name the
            reverse projection is computed and returned in.
        logit_soft_cap: None, or c > 0: logits become c * tanh(logits / c).

    Call arguments:
        inputs: ids, or vectors when `reverse` is True.
        reverse: project back to the vocabulary instead of embedding.
    """

    # the call option a `.keras` file's inbound nodes carry
    _serialized_call_kwargs = ("reverse",)

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None,
                 mask_zero=False, reverse_dtype=None, logit_soft_cap=None,
                 **kwargs):
        super().__init__(input_dim, output_dim,
                         embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint,
                         mask_zero=mask_zero, **kwargs)
        if isinstance(reverse_dtype, dict):   # a serialized DTypePolicy
            reverse_dtype = reverse_dtype.get("config", {}).get("name")
        if reverse_dtype is not None and \
                str(reverse_dtype) not in _REVERSE_DTYPES:
            raise ValueError(f"ReversibleEmbedding: reverse_dtype must be "
                             f"None or one of {_REVERSE_DTYPES} (numpy has "
                             f"no bfloat16), received "
                             f"reverse_dtype={reverse_dtype!r}")
        if logit_soft_cap is not None and not float(logit_soft_cap) > 0:
            raise ValueError(f"ReversibleEmbedding: logit_soft_cap must be "
                             f"None or a positive number, received "
                             f"logit_soft_cap={logit_soft_cap!r}")
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = None if reverse_dtype is None else \
            str(reverse_dtype)
        self.logit_soft_cap = logit_soft_cap
        self._reverse_call = False      # the mode of the call in progress
        self._reverse_shape = False     # the mode of a symbolic call

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
                name="reverse_embeddings", trainable=True)

    # ---- the call's mode decides how inputs convert and shapes infer -------

    def __call__(self, inputs, *args, reverse=False, **kwargs):
        self._reverse_call = bool(reverse)
        return super().__call__(inputs, *args, reverse=reverse, **kwargs)

    def _symbolic_call(self, inputs, *args, **kwargs):
        self._reverse_shape = bool(kwargs.get("reverse", False))
        try:
            out = super()._symbolic_call(inputs, *args, **kwargs)
        finally:
            self._reverse_shape = False
        if kwargs.get("reverse"):     # saved in the node, as Keras does
            self._inbound_nodes[-1].call_kwargs = {"reverse": True}
        return out

    def _convert_input(self, inputs):
        if self._reverse_call:
            return Layer._convert_input(self, inputs)
        return super()._convert_input(inputs)

    # ---- forward and backward ------------------------------------------

    def _reverse_kernel(self):
        return self.embeddings.value.T if self.tie_weights else \
            self.reverse_embeddings.value

    def call(self, inputs, training=None, reverse=False):
        if not reverse:
            out = super().call(inputs, training=training)
            if training:
                self._saved = ("ids", self._saved)
            return out
        if inputs.ndim < 1 or inputs.shape[-1] != self.output_dim:
            raise ValueError(
                f"ReversibleEmbedding '{self.name}': reverse=True expects "
                f"vectors (..., {self.output_dim}) (output_dim), received "
                f"shape {inputs.shape}")
        dtype = np.dtype(self.reverse_dtype or "float32")
        x = inputs.astype(dtype, copy=False)
        logits = np.matmul(x, self._reverse_kernel().astype(dtype,
                                                             copy=False))
        capped = None
        if self.logit_soft_cap is not None:
            cap = dtype.type(self.logit_soft_cap)
            capped = np.tanh(logits / cap)
            logits = capped * cap
        if training:
            self._saved = ("reverse", x, capped)
        return logits

    def backward(self, dy):
        kind = self._saved[0]
        # the weight this call did not use gets a zero gradient
        if not self.tie_weights:
            unused = self.embeddings if kind == "reverse" else \
                self.reverse_embeddings
            if grad_beta(unused) == 0.0:
                unused.grad.fill(0.0)
        if kind == "ids":
            self._saved = self._saved[1]
            try:
                return super().backward(dy)
            finally:
                self._saved = ("ids", self._saved)
        _, x, capped = self._saved
        dz = np.asarray(dy, x.dtype)
        if capped is not None:
            dz = dz * (1 - np.square(capped))
        kernel = self._reverse_kernel().astype(x.dtype, copy=False)
        flat_x = x.reshape(-1, self.output_dim)
        flat_dz = dz.reshape(-1, self.input_dim)
        dkernel = (flat_x.T @ flat_dz).astype(np.float32)
        if self.tie_weights:
            store_grad(self.embeddings, dkernel.T)
        else:
            store_grad(self.reverse_embeddings, dkernel)
        dx = np.matmul(dz, kernel.T)
        return np.ascontiguousarray(dx, np.float32)

    def compute_mask(self, inputs, mask=None):
        if self._reverse_call:
            return None
        return super().compute_mask(inputs, mask)

    def _output_dtype(self, input_dtype):
        if self._reverse_shape and self.reverse_dtype is not None:
            return self.reverse_dtype
        return "float32"

    def compute_output_shape(self, input_shape, reverse=False):
        shape = list(input_shape)
        if reverse or self._reverse_shape:
            shape[-1] = self.input_dim
        else:
            shape.append(self.output_dim)
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.setdefault("quantization_config", None)
        config.update({"tie_weights": self.tie_weights,
                       "reverse_dtype": self.reverse_dtype,
                       "logit_soft_cap": self.logit_soft_cap})
        return config
