"""Core layers: Dense, Activation, Embedding, Identity."""
import warnings

import numpy as np

from seqcore import (_kernels, activations, constraints, initializers,
                     regularizers)
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import grad_beta, store_grad
from seqcore.layers._validation import positive_int
from seqcore.layers import _validation
from seqcore.layers._lora import LoraMixin
from seqcore.saving.serialization import register_builtin


def apply_activation(x, activation, inplace=True):
    """activation(x) on the C kernel when it has one, in place if asked."""
    name = activations.KERNEL_NAMES.get(activation, False)
    if name is None:
        return x
    contiguous32 = x.dtype == np.float32 and x.flags.c_contiguous
    if name and contiguous32:
        return _kernels.activation(x, name, out=x if inplace else None)
    if activation is activations.softmax and contiguous32:
        return _kernels.softmax(x, out=x if inplace else None)
    return activation(x)


# Activations whose derivative the kernels compute from the output alone
# (relu: x > 0 iff y > 0), so that training can fuse them into the GEMM
# epilogue and keep only y.
OUTPUT_DERIVATIVE = ("relu", "sigmoid", "tanh")


def train_activation(z_fn, activation, y_out=None):
    """(z, y) for training: y = activation(z_fn(fused)) where `z_fn(name)`
    runs the layer's GEMM with the fused activation `name` (or None). When
    the derivative needs only y, z is y itself (no second array); else y
    goes to `y_out` when given."""
    name = activations.KERNEL_NAMES.get(activation, False)
    if activation is activations.linear or name in OUTPUT_DERIVATIVE:
        y = z_fn(name)
        return y, y
    if activation is activations.softmax:
        y = z_fn(None)
        return y, _kernels.softmax(y, out=y)
    z = z_fn(None)
    if name and y_out is not None:
        return z, _kernels.activation(z, name, out=y_out)
    return z, apply_activation(z, activation, inplace=False)


def activation_backward(activation, z, y, dy, out=None):
    """d loss / d z for y = activation(z), given dy = d loss / d y; into
    `out` when given (a C-contiguous float32 array shaped like dy)."""
    if activation is activations.linear:
        return dy
    if activation is activations.softmax:
        return y * (dy - np.sum(dy * y, axis=-1, keepdims=True))
    name = activations.KERNEL_NAMES.get(activation, False)
    if not name:
        return traced_activation_backward(activation, z, dy)
    return _kernels.activation_backward(z, y, dy, name, out=out)


def traced_activation_backward(activation, z, dy):
    """d loss / d z for an activation without a kernel (a user function
    written with seqcore.ops, as Keras allows `Dense(activation=fn)`):
    `activation` is replayed on z under a tape of its own and
    differentiated.

    Args:
        activation: the function; z: its input; dy: d loss / d output,
            shaped like z.
    """
    from seqcore.engine import tape as tape_module
    label = getattr(activation, "__name__", repr(activation))
    tape = tape_module.Tape(f"activation {label}")
    with tape_module.recording(tape):
        z_traced = tape.watch(np.asarray(z))
        y_traced = activation(z_traced)
    if type(y_traced) is not tape_module.Traced:
        raise NotImplementedError(
            f"activation {label!r} has no derivative in seqcore: write it "
            f"with seqcore.ops (keras.ops) so that it can be differentiated")
    grads = tape.backward([(y_traced.node, np.asarray(dy))])
    dz = grads.get(z_traced.node)
    if dz is None:
        return np.zeros_like(np.asarray(dy))
    return np.asarray(dz, dtype=np.asarray(dy).dtype)


def sum_to_bias(dz):
    """d loss / d bias: dz summed over every axis but the last."""
    return np.add.reduce(dz.reshape(-1, dz.shape[-1]), axis=0)


@register_builtin
class Dense(LoraMixin, Layer):
    """outputs = activation(inputs @ kernel + bias), on the last axis.

    kernel: (input_dim, units), bias: (units,), as in Keras.
    """

    _lora_base, _lora_constraint = "kernel", "kernel_constraint"

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if quantization_config is not None:
            raise ValueError("Dense: quantized layers are not supported by "
                             "seqcore")
        self.units = positive_int("Dense", "units", units)
        self.activation = _validation.activation("Dense", "activation",
                                              activation)
        _validation.weight_options(self, ("kernel", "bias"), use_bias,
                                   locals())
        self.supports_masking = True
        self._init_lora(lora_rank, lora_alpha)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense '{self.name}': the last axis of the "
                             f"input must be known, received shape "
                             f"{tuple(input_shape)}")
        self.kernel = self.add_weight(
            shape=(input_dim, self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint, name="kernel")
        self.bias = self.add_weight(
            shape=(self.units,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias") \
            if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        if self.lora_rank:
            self.built = True
            self.enable_lora(self.lora_rank)

    def call(self, inputs, training=None):
        x = inputs.reshape(-1, inputs.shape[-1])
        if training:
            return self._train_call(x, inputs.shape)
        fused = activations.KERNEL_NAMES.get(self.activation, False)
        out = _kernels.gemm(
            x, self._effective_weight(),
            bias=None if self.bias is None else self.bias.value,
            activation=fused or None)
        if fused is False:
            out = apply_activation(out, self.activation)
        return out.reshape(inputs.shape[:-1] + (self.units,))

    def _train_call(self, x, input_shape):
        bias = None if self.bias is None else self.bias.value
        shape = (x.shape[0], self.units)
        kernel = self._effective_weight()
        z, y = train_activation(lambda act: _kernels.gemm(
            x, kernel, self._buffer("z", shape), bias=bias,
            activation=act), self.activation, self._buffer("y", shape))
        self._saved = (x, z, y, input_shape, kernel)
        return y.reshape(input_shape[:-1] + (self.units,))

    # The trainer may hand backward() the gradient before the activation
    # (softmax or sigmoid fused with its cross-entropy): dy_is_dz says so.
    _takes_preactivation_grad = True

    def backward(self, dy, need_input_grad=True, dy_is_dz=False):
        x, z, y, input_shape, kernel = self._saved
        dy = np.ascontiguousarray(dy).reshape(z.shape)
        dz = dy if dy_is_dz else activation_backward(
            self.activation, z, y, dy, out=self._buffer("dz", z.shape))
        if self._lora_wants_grad():
            dw = _kernels.gemm(x, dz, trans_a=True)
            store_grad(self.kernel, dw)
            self._store_lora_grads(dw)
        else:
            beta = grad_beta(self.kernel)
            if beta is not None:
                _kernels.gemm(x, dz, self.kernel.grad, trans_a=True,
                              beta=beta)
        if self.bias is not None:
            store_grad(self.bias, sum_to_bias(dz))
        if not need_input_grad:
            return None
        dx = _kernels.gemm(dz, kernel,
                           self._buffer("dx", (dz.shape[0], x.shape[1])),
                           trans_b=True)
        return dx.reshape(input_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def _inference_fn(self, input_shape):
        fused = activations.KERNEL_NAMES.get(self.activation, False)
        softmax = self.activation is activations.softmax
        if len(input_shape) != 2 or (fused is False and not softmax) or \
                self.lora_enabled:
            return None
        code = _kernels.activation_code(None if softmax else fused)
        kernel, bias = self.kernel, self.bias

        def forward(x):
            y = _kernels.dense_forward(
                x, kernel.value, None if bias is None else bias.value, code)
            return _kernels.softmax(y, out=y) if softmax else y
        return forward

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
        })
        config.update(_validation.weight_options_config(
            self, ("kernel", "bias")))
        return self._lora_config(config)


@register_builtin
class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _validation.activation("Activation", "activation",
                                                 activation)
        self.supports_masking = True

    def call(self, inputs, training=None):
        name = activations.KERNEL_NAMES.get(self.activation, False)
        if training and name and inputs.flags.c_contiguous:
            y = _kernels.activation(inputs, name,
                                    out=self._buffer("y", inputs.shape))
        else:
            y = apply_activation(inputs, self.activation, inplace=False)
        if training:
            self._saved = (inputs, y)
        return y

    _takes_preactivation_grad = True

    def kernel_activation(self):
        """The C kernel activation this layer computes (a name), or None:
        what a normalization before it may apply in its own pass."""
        return activations.KERNEL_NAMES.get(self.activation)

    def backward(self, dy, dy_is_dz=False):
        x, y = self._saved
        if dy_is_dz:
            return dy
        return activation_backward(self.activation, x, y,
                                   np.ascontiguousarray(dy, np.float32),
                                   out=self._buffer("dx", y.shape))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


@register_builtin
class Identity(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, training=None):
        return inputs

    def backward(self, dy):
        return dy

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@register_builtin
class Embedding(LoraMixin, Layer):
    """Integer ids (batch, ...) -> vectors (batch, ..., output_dim).

    embeddings: (input_dim, output_dim). Float inputs are accepted when
    they hold whole numbers, as Keras casts them; ids must lie in
    [0, input_dim).
    """

    _lora_base, _lora_constraint = "embeddings", "embeddings_constraint"

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None,
                 mask_zero=False, weights=None, lora_rank=None,
                 lora_alpha=None, quantization_config=None, **kwargs):
        input_length = kwargs.pop("input_length", None)  # Keras 2, ignored
        if input_length is not None:   # Keras 3.15's words
            warnings.warn("Argument `input_length` is deprecated. Just "
                          "remove it.", stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim = positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = positive_int("Embedding", "output_dim", output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self._initial_weights = weights
        self._init_lora(lora_rank, lora_alpha)
        del input_length

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint, name="embeddings")
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        if self.lora_rank:
            self.built = True
            self.enable_lora(self.lora_rank)

    def _convert_input(self, inputs):
        ids = np.asarray(inputs)
        if ids.dtype.kind in "iu":
            return ids
        if ids.dtype.kind == "f":
            as_int = ids.astype(np.int64)
            if np.array_equal(as_int, ids):
                return as_int
            bad = ids[as_int != ids].flat[0]
            raise ValueError(
                f"Embedding '{self.name}' expects integer token ids; "
                f"received {ids.dtype} values such as {bad}")
        raise ValueError(f"Embedding '{self.name}' expects integer token ids; "
                         f"received an array of dtype {ids.dtype}")

    def checked_ids(self, inputs):
        """`inputs` as integer ids, each in [0, input_dim), or ValueError."""
        inputs = self._convert_input(inputs)
        if inputs.size:
            low, high = inputs.min(), inputs.max()
            if low < 0 or high >= self.input_dim:
                bad = low if low < 0 else high
                raise ValueError(
                    f"Embedding '{self.name}': token id {bad} is out of range "
                    f"for input_dim={self.input_dim} (ids must be in "
                    f"[0, {self.input_dim}))")
        return inputs

    def call(self, inputs, training=None):
        inputs = self.checked_ids(inputs)
        if training:
            self._saved = inputs
            out = self._buffer("y", inputs.shape + (self.output_dim,))
            # mode="clip" (ids were checked above): "raise" would buffer.
            return np.take(self._effective_weight(), inputs, axis=0,
                           out=out, mode="clip")
        return np.take(self._effective_weight(), inputs, axis=0)

    def backward(self, dy):
        """Writes the (dense) embeddings gradient; integer ids have no
        gradient, so this returns None."""
        if self._lora_wants_grad():
            dw = np.zeros(self.embeddings.shape, np.float32)
            _kernels.embedding_backward(self._saved, dy, dw)
            store_grad(self.embeddings, dw)
            self._store_lora_grads(dw)
            return None
        beta = grad_beta(self.embeddings)
        if beta is None:
            return None
        grad = self.embeddings.grad
        if beta == 0.0:
            grad.fill(0.0)
        _kernels.embedding_backward(self._saved, dy, grad)
        return None

    def compute_mask(self, inputs, mask=None):
        return None if not self.mask_zero else np.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(
                self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(
                self.embeddings_regularizer),
            "activity_regularizer": None, "embeddings_constraint":
                constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        })
        return self._lora_config(config)
