"""GroupNormalization, UnitNormalization and SpectralNormalization.

Memory-bound maps over each sample (group and unit normalization) run as
numpy's vectorized loops; spectral normalization rescales a wrapped layer's
kernel by its largest singular value, estimated by power iteration.
"""
import numbers

import numpy as np

from seqcore import constraints, initializers, regularizers
from seqcore.engine.backprop import call_backward
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import store_grad
from seqcore.layers.normalization import (_add_scale_and_shift,
                                          _scale_and_shift_config)
from seqcore.saving.serialization import (deserialize_keras_object,
                                          register_builtin,
                                          serialize_keras_object)


@register_builtin
class GroupNormalization(Layer):
    """Splits the channels (`axis`) into `groups` and normalizes each group
    of each sample over its channels and all other non-batch axes, then
    scales by gamma and shifts by beta per channel.

    Args:
        groups: number of groups (divides the channels); -1 makes one group
            per channel (instance normalization).
        axis: the channel axis.
        epsilon: added to the variance.
        center, scale: whether to add beta / multiply by gamma.

    Input and output: any shape of rank >= 2. Weights: gamma (C,), beta (C,).
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True,
                 scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or \
                (groups <= 0 and groups != -1):
            raise ValueError(
                f"Received an invalid value for argument `groups`, expected "
                f"a positive integer (or `-1` for instance normalization). "
                f"Received: groups={groups}")
        super().__init__(**kwargs)
        if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
            raise ValueError(f"GroupNormalization: axis must be an integer, "
                             f"received axis={axis!r}")
        self.groups = groups
        self.axis = int(axis)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"GroupNormalization '{self.name}': axis "
                             f"{self.axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}")
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined "
                f"dimension but the layer received an input with shape "
                f"{tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be "
                             f"more than the number of channels ({dim}).")
        if dim % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a "
                             f"multiple of the number of channels ({dim}).")
        self._axis = self.axis % ndim
        _add_scale_and_shift(self, (dim,))
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})

    def _grouped(self, x):
        """x with its channel axis split into (groups, channels / groups),
        and the axes each group's statistics run over."""
        shape = list(x.shape)
        a = self._axis
        shape[a:a + 1] = [self.groups, shape[a] // self.groups]
        axes = tuple(i for i in range(1, len(shape)) if i != a)
        return x.reshape(shape), axes

    def _per_channel(self, v, ndim):
        shape = [1] * (ndim + 1)
        shape[self._axis] = self.groups
        shape[self._axis + 1] = v.shape[0] // self.groups
        return v.reshape(shape)

    def call(self, inputs, training=None):
        xg, axes = self._grouped(inputs)
        mean = xg.mean(axis=axes, keepdims=True)
        inv = 1.0 / np.sqrt(xg.var(axis=axes, keepdims=True) + self.epsilon)
        x_hat = (xg - mean) * inv
        y = x_hat
        if self.scale:
            y = y * self._per_channel(self.gamma.value, inputs.ndim)
        if self.center:
            y = y + self._per_channel(self.beta.value, inputs.ndim)
        if training:
            self._saved = (x_hat, inv, axes, inputs.shape)
        return np.ascontiguousarray(y.reshape(inputs.shape), np.float32)

    def backward(self, dy):
        x_hat, inv, axes, shape = self._saved
        dyg = np.asarray(dy, np.float32).reshape(x_hat.shape)
        ndim = len(shape)
        channel = (self._axis, self._axis + 1)
        others = tuple(i for i in range(ndim + 1) if i not in channel)
        if self.center:
            store_grad(self.beta, dyg.sum(axis=others).reshape(-1))
        if self.scale:
            store_grad(self.gamma, (dyg * x_hat).sum(axis=others).reshape(-1))
            dyg = dyg * self._per_channel(self.gamma.value, ndim)
        dx = inv * (dyg - dyg.mean(axis=axes, keepdims=True) -
                    x_hat * (dyg * x_hat).mean(axis=axes, keepdims=True))
        return np.ascontiguousarray(dx.reshape(shape), np.float32)

    def compute_output_shape(self, input_shape):
        n = len(input_shape)
        if not -n <= self.axis < n:
            raise ValueError(f"Axis {self.axis} is out of bounds for input "
                             f"shape {tuple(input_shape)}. Received: "
                             f"axis={self.axis}")
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"groups": self.groups, "axis": self.axis,
                       "epsilon": self.epsilon, "center": self.center,
                       "scale": self.scale})
        config.update(_scale_and_shift_config(self))
        return config


@register_builtin
class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis`:
    y = x * min(1 / ||x||, 1e12).

    Args:
        axis: an int or a list of ints (default: the last axis).
    """

    INV_NORM_CAP = 1e12

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, numbers.Integral) and not isinstance(axis,
                                                                   bool):
            self.axis = int(axis)
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an "
                            f"int or a list/tuple of ints. Received: "
                            f"axis={axis}")
        self.supports_masking = True
        self.built = True

    def _axes(self):
        return tuple(self.axis) if isinstance(self.axis, list) else self.axis

    def call(self, inputs, training=None):
        square_sum = np.sum(np.square(inputs, dtype=np.float64),
                            axis=self._axes(), keepdims=True)
        with np.errstate(divide="ignore"):
            inv = np.minimum(1.0 / np.sqrt(square_sum), self.INV_NORM_CAP)
        y = (inputs * inv).astype(np.float32)
        if training:
            self._saved = (y, inv)
        return y

    def backward(self, dy):
        y, inv = self._saved
        capped = inv >= self.INV_NORM_CAP
        projection = np.sum(dy * y, axis=self._axes(), keepdims=True)
        dx = inv * (dy - np.where(capped, 0.0, y * projection))
        return dx.astype(np.float32)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for axis in axes:
            if axis >= len(input_shape) or axis < -len(input_shape):
                raise ValueError(f"Axis {self.axis} is out of bounds for "
                                 f"input shape {tuple(input_shape)}.")
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _l2_normalize(v):
    """v / ||v||, the norm floored at 1e-12 (Keras's normalize)."""
    return v / max(float(np.sqrt(np.sum(v * v))), 1e-12)


@register_builtin
class SpectralNormalization(Layer):
    """Wraps a layer with a `kernel` (or `embeddings`) and, at each training
    call, divides that kernel by its spectral norm sigma, estimated with
    `power_iterations` steps of power iteration from the stored vector u:
    v = normalize(u W^T), u = normalize(v W), sigma = v W u^T, with W the
    kernel as a (-1, units) matrix. The normalized kernel and u are written
    back (as Keras does), so inference uses the last normalized kernel.

    Args:
        layer: the wrapped layer.
        power_iterations: power iteration steps per training call (> 0).

    Weights (Keras's order): the wrapped kernel, vector_u (1, units)
    (non-trainable), then the wrapped layer's other weights.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(f"SpectralNormalization: `layer` must be a "
                             f"Layer instance, received "
                             f"{type(layer).__name__}")
        if isinstance(power_iterations, bool) or \
                not isinstance(power_iterations, numbers.Integral) or \
                power_iterations <= 0:
            raise ValueError(f"`power_iterations` should be greater than "
                             f"zero. Received: `power_iterations="
                             f"{power_iterations}`")
        self.layer = layer
        self.power_iterations = int(power_iterations)
        self._layers = [layer]
        self.supports_masking = layer.supports_masking

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(tuple(input_shape))
            self.layer.built = True
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"{type(self.layer).__name__} object has no "
                             f"attribute 'kernel' nor 'embeddings'")
        self.kernel = kernel
        self._own_weights.append(kernel)       # tracked twice, as in Keras
        self.vector_u = self.add_weight(
            shape=(1, kernel.shape[-1]), name="vector_u", trainable=False,
            initializer=initializers.TruncatedNormal(stddev=0.02))
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})

    def _saved_children(self):
        return [("layer", self.layer)]

    # The kernel is both this layer's and the wrapped one's: list it once.
    def _collect_weights(self, trainable):
        out, seen = [], set()
        for w in super()._collect_weights(trainable):
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    def normalized_weights(self):
        """(new u, kernel / sigma) from the current kernel and u."""
        w = self.kernel.value.reshape(-1, self.kernel.shape[-1]).astype(
            np.float64)
        u = self.vector_u.value.astype(np.float64)
        for _ in range(self.power_iterations):
            v = _l2_normalize(u @ w.T)
            u = _l2_normalize(v @ w)
        sigma = ((v @ w) @ u.T).item()
        return u.astype(np.float32), \
            (self.kernel.value / np.float32(sigma)).astype(np.float32)

    def call(self, inputs, training=None):
        if training and np.any(self.kernel.value != 0):
            u, kernel = self.normalized_weights()
            self.vector_u.value[...] = u
            self.kernel.value[...] = kernel
        out = self.layer(inputs, training=training)
        if training:
            self._saved = getattr(self.layer, "_saved", None)
        return out

    def backward(self, dy, need_input_grad=True):
        self.layer._saved = self._saved
        return call_backward(self.layer, dy, need_input_grad)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        config["power_iterations"] = self.power_iterations
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"],
                                                   custom_objects)
        return cls(**config)
