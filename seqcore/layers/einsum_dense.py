"""EinsumDense: a dense layer whose contraction is an einsum equation.

`y = activation(einsum(equation, x, kernel) + bias)`. The equations
MultiHeadAttention builds (the input's last axes contracted with the
kernel's leading ones, `abc,cde->abde`, `abcd,cde->abe`) are a matrix
product once the axes are flattened, and run on the project's GEMM; any
other equation runs on numpy's einsum (no BLAS, so the same bits at any
thread count).
"""
import math
import re

import numpy as np

from seqcore import (_kernels, activations, constraints, initializers,
                     regularizers)
from seqcore.engine.layer import Layer
from seqcore.engine.variables import grad_beta, store_grad
from seqcore.layers import _validation
from seqcore.layers.core import activation_backward, apply_activation
from seqcore.saving.serialization import register_builtin

_EQUATION = re.compile(r"^([a-zA-Z.]+),([a-zA-Z.]+)->([a-zA-Z.]+)$")


def parse_equation(equation):
    """(input spec, kernel spec, output spec, elided side) of a dense einsum
    equation; elided is None, 'left' or 'right' for a `...` in the input and
    output."""
    match = _EQUATION.match(equation.replace(" ", "")) \
        if isinstance(equation, str) else None
    if match is None:
        raise ValueError(f"EinsumDense: equation must look like 'ab,bc->ac' "
                         f"(input,kernel->output), received "
                         f"equation={equation!r}")
    x_spec, k_spec, y_spec = match.groups()
    if "..." in k_spec:
        raise ValueError(f"EinsumDense: the kernel of {equation!r} cannot "
                         f"have an ellipsis")
    elided = None
    if x_spec.startswith("...") and y_spec.startswith("..."):
        elided = "left"
    elif x_spec.endswith("...") and y_spec.endswith("..."):
        elided = "right"
    elif "..." in x_spec or "..." in y_spec:
        raise ValueError(f"EinsumDense: an ellipsis must start (or end) both "
                         f"the input and the output of {equation!r}")
    strip = lambda s: s.replace("...", "")
    return strip(x_spec), k_spec, strip(y_spec), elided


def analyze(equation, bias_axes, input_shape, partial_output_shape):
    """(kernel shape, bias shape or None, full output shape) as Keras 3
    derives them from the equation, the input shape and the output shape
    given without its batch axis."""
    x_spec, k_spec, y_spec, elided = parse_equation(equation)
    input_shape = tuple(input_shape)
    n_elided = len(input_shape) - len(x_spec)
    if n_elided < 0 or (n_elided and elided is None):
        raise ValueError(f"EinsumDense: equation {equation!r} expects an "
                         f"input of rank {len(x_spec)}, received shape "
                         f"{input_shape}")
    out = [input_shape[0]] + list(partial_output_shape)
    if n_elided and elided == "left":
        out[1:1] = list(input_shape[1:n_elided])
    elif n_elided:
        out += list(input_shape[len(input_shape) - n_elided:])
    if elided == "left":
        x_pos = {c: i + n_elided for i, c in enumerate(x_spec)}
        y_pos = {c: i + n_elided for i, c in enumerate(y_spec)}
    else:
        x_pos = {c: i for i, c in enumerate(x_spec)}
        y_pos = {c: i for i, c in enumerate(y_spec)}
    if len(out) != len(y_spec) + n_elided:
        raise ValueError(f"EinsumDense: output_shape "
                         f"{tuple(partial_output_shape)} does not fit the "
                         f"output '{y_spec}' of {equation!r}")
    for c in x_spec:
        if c in y_pos and out[y_pos[c]] is not None and \
                out[y_pos[c]] != input_shape[x_pos[c]]:
            raise ValueError(
                f"EinsumDense: input shape and output shape do not match at "
                f"shared dimension '{c}': input {input_shape[x_pos[c]]}, "
                f"output {out[y_pos[c]]}")
        if c in y_pos:
            out[y_pos[c]] = input_shape[x_pos[c]]
    for c in y_spec:
        if c not in x_spec and c not in k_spec:
            raise ValueError(f"EinsumDense: dimension '{c}' of the output of "
                             f"{equation!r} is in neither the input nor the "
                             f"kernel")
    kernel = []
    for c in k_spec:
        if c in x_pos:
            kernel.append(input_shape[x_pos[c]])
        elif c in y_pos:
            kernel.append(out[y_pos[c]])
        else:
            raise ValueError(f"EinsumDense: kernel dimension '{c}' of "
                             f"{equation!r} is in neither the input nor the "
                             f"output")
        if kernel[-1] is None:
            raise ValueError(f"EinsumDense: kernel dimension '{c}' of "
                             f"{equation!r} is unknown for input shape "
                             f"{input_shape}")
    bias = None
    if bias_axes:
        for c in bias_axes:
            if c not in y_spec:
                raise ValueError(f"EinsumDense: bias axis '{c}' is not in "
                                 f"the output '{y_spec}' of {equation!r}")
        first = min(y_spec.index(c) for c in bias_axes)
        bias = tuple(out[y_pos[c]] if c in bias_axes else 1
                     for c in y_spec[first:])
    return tuple(kernel), bias, tuple(out)


def _matmul_split(x_spec, k_spec, y_spec, elided):
    """n (the contracted axes) when the equation is x[F + C] @ k[C + O] ->
    y[F + O] with C the input's last n axes and O the kernel's rest, else
    None."""
    if elided == "right":
        return None
    for n in range(1, len(k_spec) + 1):
        free, contracted, kept = x_spec[:-n], x_spec[-n:], k_spec[n:]
        if k_spec[:n] == contracted and y_spec == free + kept and \
                not set(free) & set(k_spec):
            return n
    return None


@register_builtin
class EinsumDense(Layer):
    """A dense layer over any einsum contraction of the input with a kernel.

    Args:
        equation: `'<input>,<kernel>-><output>'`, e.g. `'abc,cde->abde'`;
            a `...` may start (or end) both the input and the output.
        output_shape: the output's shape without its batch axis (None for a
            dimension taken from the input); an int for a 1-D output.
        activation: applied after the bias.
        bias_axes: output letters that get a bias (None: no bias).

    Input: any shape matching the equation's input. Output: the full
    output shape (see compute_output_shape). Weights: kernel (shaped by
    the kernel letters), then bias.
    """

    def __init__(self, equation, output_shape, activation=None,
                 bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None,
                 **kwargs):
        super().__init__(**kwargs)
        parse_equation(equation)
        if lora_rank or quantization_config is not None:
            raise ValueError("EinsumDense: LoRA and quantized kernels are "
                             "not supported by seqcore")
        self.equation = equation
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        try:
            self.partial_output_shape = tuple(output_shape)
        except TypeError:
            raise ValueError(f"EinsumDense: output_shape must be an int or "
                             f"a tuple, received output_shape="
                             f"{output_shape!r}") from None
        self.bias_axes = bias_axes
        self.activation = _validation.activation("EinsumDense", "activation",
                                                 activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        kernel_shape, bias_shape, self.full_output_shape = analyze(
            self.equation, self.bias_axes, input_shape,
            self.partial_output_shape)
        self.kernel = self.add_weight(
            shape=kernel_shape, initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint, name="kernel")
        self.bias = None if bias_shape is None else self.add_weight(
            shape=bias_shape, initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias")
        self._specs = parse_equation(self.equation)
        self._split = _matmul_split(*self._specs)

    # ---- forward -----------------------------------------------------------

    def _flat_bias(self, n_out):
        """The bias as a (n_out,) vector when it covers all kernel-made
        output axes (so the GEMM adds it), else None."""
        if self.bias is None or self.bias.value.size != n_out:
            return None
        return self.bias.value.reshape(-1)

    def call(self, inputs, training=None):
        x_spec, k_spec, y_spec, _ = self._specs
        kernel = self.kernel.value
        if self._split is not None:
            n = self._split
            k_in = math.prod(kernel.shape[:n])
            lead = inputs.shape[:inputs.ndim - n]
            tail = kernel.shape[n:]
            k2 = kernel.reshape(k_in, -1)
            x2 = inputs.reshape(-1, k_in)
            bias = self._flat_bias(k2.shape[1])
            z = _kernels.gemm(np.ascontiguousarray(x2), k2, bias=bias)
            z = z.reshape(lead + tail)
            if self.bias is not None and bias is None:
                z += self.bias.value
        else:
            z = np.einsum(self._einsum_spec(), inputs, kernel)
            if self.bias is not None:
                z = z + self.bias.value
            z = np.ascontiguousarray(z, dtype=np.float32)
        y = apply_activation(z, self.activation, inplace=not training)
        if training:
            self._saved = (inputs, z, y)
        return y

    def _einsum_spec(self):
        x_spec, k_spec, y_spec, elided = self._specs
        if elided == "left":
            return f"...{x_spec},{k_spec}->...{y_spec}"
        if elided == "right":
            return f"{x_spec}...,{k_spec}->{y_spec}..."
        return f"{x_spec},{k_spec}->{y_spec}"

    # ---- backward ----------------------------------------------------------

    def backward(self, dy, need_input_grad=True):
        x, z, y = self._saved
        dz = np.ascontiguousarray(
            activation_backward(self.activation, z, y,
                                np.ascontiguousarray(dy, dtype=np.float32)),
            dtype=np.float32)
        if self.bias is not None:
            others = tuple(range(dz.ndim - self.bias.value.ndim))
            db = dz.sum(axis=others)
            for axis, size in enumerate(self.bias.value.shape):
                if size == 1:
                    db = db.sum(axis=axis, keepdims=True)
            store_grad(self.bias, db)
        kernel = self.kernel.value
        if self._split is not None:
            n = self._split
            k2 = kernel.reshape(math.prod(kernel.shape[:n]), -1)
            x2 = np.ascontiguousarray(x).reshape(-1, k2.shape[0])
            dz2 = dz.reshape(-1, k2.shape[1])
            beta = grad_beta(self.kernel)
            if beta is not None:
                _kernels.gemm(x2, dz2, self.kernel.grad.reshape(k2.shape),
                              trans_a=True, beta=beta)
            if not need_input_grad:
                return None
            return _kernels.gemm(dz2, k2, trans_b=True).reshape(x.shape)
        x_spec, k_spec, y_spec, elided = self._specs
        dots = lambda s: ("..." + s) if elided == "left" else \
            (s + "...") if elided == "right" else s
        store_grad(self.kernel, np.einsum(
            f"{dots(x_spec)},{dots(y_spec)}->{k_spec}", x, dz))
        if not need_input_grad:
            return None
        kept = "".join(c for c in x_spec if c in y_spec or c in k_spec)
        dx = np.einsum(f"{dots(y_spec)},{k_spec}->{dots(kept)}", dz, kernel)
        if kept != x_spec:   # an input axis summed away: broadcast back
            for i, c in enumerate(x_spec):
                if c not in kept:
                    axis = i if elided != "left" else i - len(x_spec)
                    dx = np.expand_dims(dx, axis)
            dx = np.broadcast_to(dx, x.shape)
        return np.ascontiguousarray(dx, dtype=np.float32)

    def compute_output_shape(self, input_shape):
        return analyze(self.equation, self.bias_axes, input_shape,
                       self.partial_output_shape)[2]

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(
                self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(
                self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            # Keras's EinsumDense writes this key even when it is None
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        })
        return config
