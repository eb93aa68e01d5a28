"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax.

Each keeps, in training, what its backward needs (the input, or the output
for Softmax) in `self._saved`; shapes pass through unchanged and masks
propagate (Softmax also uses the mask it receives).
"""
import numbers
import warnings

import numpy as np

from seqcore import _kernels, constraints, initializers, regularizers
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import store_grad
from seqcore.saving.serialization import register_builtin


def _non_negative(layer, name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            value < 0:
        raise ValueError(f"{layer}: {name} must be a non-negative number"
                         f"{' or None' if allow_none else ''}, received "
                         f"{name}={value!r}")
    return value


class _Elementwise(Layer):
    """A weightless elementwise activation: y = f(x), dx = dy * f'(x).

    A subclass whose options match one of the C kernels' activations names
    it in `_kernel_name()`; float32 arrays then take the kernel both ways,
    other inputs the subclass's numpy `_forward` and `_derivative`.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _kernel_name(self):
        return None

    def kernel_activation(self):
        """The C kernel activation this layer computes (a name), or None:
        what a normalization before it may apply in its own pass."""
        return self._kernel_name()

    def _kernel_for(self, x):
        name = self._kernel_name()
        if name is not None and isinstance(x, np.ndarray) and \
                x.dtype == np.float32 and x.flags.c_contiguous:
            return name
        return None

    def call(self, inputs, training=None):
        kernel = self._kernel_for(inputs)
        y = _kernels.activation(inputs, kernel) if kernel else \
            self._forward(inputs)
        if training:
            self._saved = (inputs, y, kernel)
        return y

    def backward(self, dy):
        x, y, kernel = self._saved
        if kernel and dy.dtype == np.float32 and dy.flags.c_contiguous:
            return _kernels.activation_backward(x, y, dy, kernel)
        return (dy * self._derivative(x)).astype(np.float32, copy=False)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@register_builtin
class ReLU(_Elementwise):
    """Rectified linear unit with options, as Keras 3 computes it:

        y = min(x, max_value)                if x > threshold
        y = negative_slope * (x - threshold) otherwise

    Args:
        max_value: saturation value (>= 0), or None for no ceiling.
        negative_slope: slope below the threshold (>= 0).
        threshold: below it (or at it) the input is damped (>= 0).
    Shape: any; the output has the input's shape.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.max_value = _non_negative("ReLU", "max_value", max_value, True)
        self.negative_slope = _non_negative("ReLU", "negative_slope",
                                            negative_slope)
        self.threshold = _non_negative("ReLU", "threshold", threshold)

    def _kernel_name(self):
        if self.negative_slope == 0 and self.threshold == 0:
            if self.max_value is None:
                return "relu"
            if self.max_value == 6:
                return "relu6"
        return None

    def _forward(self, x):
        above = x > self.threshold
        y = np.where(above, x, 0.0).astype(x.dtype, copy=False)
        if self.max_value is not None:
            y = np.minimum(y, np.asarray(self.max_value, x.dtype))
        if self.negative_slope:
            y = y - (self.negative_slope *
                     np.maximum(self.threshold - x, 0.0)).astype(x.dtype)
        return y

    def _derivative(self, x):
        d = (x > self.threshold).astype(np.float32)
        if self.max_value is not None:
            d *= x < self.max_value
        if self.negative_slope:
            d += np.float32(self.negative_slope) * (x < self.threshold)
        return d

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value,
                       "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config


@register_builtin
class LeakyReLU(_Elementwise):
    """y = x if x > 0 else negative_slope * x.

    Args:
        negative_slope: the slope for x < 0 (>= 0; Keras's default 0.3).
            Keras 2's `alpha` is accepted, with Keras's deprecation warning.
    Shape: any; the output has the input's shape.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use "
                          "`negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        self.negative_slope = _non_negative("LeakyReLU", "negative_slope",
                                            negative_slope)

    def _kernel_name(self):
        return "leaky_relu" if self.negative_slope == 0.2 else None

    def _forward(self, x):
        return np.where(x > 0, x, x * np.asarray(self.negative_slope,
                                                 x.dtype))

    def _derivative(self, x):
        return np.where(x > 0, np.float32(1.0),
                        np.float32(self.negative_slope))

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


@register_builtin
class ELU(_Elementwise):
    """y = x if x > 0 else alpha * (exp(x) - 1).

    Args:
        alpha: scale of the negative part.
    Shape: any; the output has the input's shape.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
            raise ValueError(f"ELU: alpha must be a number, received "
                             f"alpha={alpha!r}")
        self.alpha = alpha

    def _kernel_name(self):
        return "elu" if self.alpha == 1 else None

    def _forward(self, x):
        neg = np.expm1(np.minimum(x, 0)) * np.asarray(self.alpha, x.dtype)
        return np.where(x > 0, x, neg)

    def _derivative(self, x):
        return np.where(x > 0, 1.0, self.alpha * np.exp(np.minimum(x, 0)))

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


@register_builtin
class PReLU(Layer):
    """Parametric ReLU: y = x if x > 0 else alpha * x, with a learned alpha.

    alpha: shape input_shape[1:], with the `shared_axes` (1-based, batch
    excluded) set to 1.

    Args:
        alpha_initializer, alpha_regularizer, alpha_constraint: for alpha.
        shared_axes: axes along which alpha is shared (an int or a list).
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = list(shared_axes) if isinstance(shared_axes,
                                                   (list, tuple)) \
                else [shared_axes]
            if any(isinstance(a, bool) or not isinstance(a, numbers.Integral)
                   or a < 1 for a in axes):
                raise ValueError(f"PReLU: shared_axes must be positive axis "
                                 f"indices (the batch axis 0 excluded), "
                                 f"received shared_axes={shared_axes!r}")
            self.shared_axes = [int(a) for a in axes]

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if axis > len(shape):
                raise ValueError(
                    f"PReLU '{self.name}': shared axis {axis} is out of "
                    f"range for inputs of shape {tuple(input_shape)}")
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(
                f"PReLU '{self.name}': every non-shared axis of the input "
                f"must be known, received shape {tuple(input_shape)}")
        self.alpha = self.add_weight(
            shape=tuple(shape), name="alpha",
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if i not in (self.shared_axes or ())}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs, training=None):
        if training:
            self._saved = inputs
        alpha = self.alpha.value
        return np.where(inputs > 0, inputs, alpha * inputs)

    def backward(self, dy):
        x = self._saved
        alpha = self.alpha.value
        d_alpha = np.where(x > 0, 0.0, dy * x)
        axes = (0,) + tuple(a for a in self.shared_axes or ())
        store_grad(self.alpha, np.sum(d_alpha, axis=axes).reshape(
            alpha.shape))
        return np.where(x > 0, dy, dy * alpha).astype(np.float32, copy=False)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": initializers.serialize(
                self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(
                self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes})
        return config


@register_builtin
class Softmax(Layer):
    """Softmax along `axis` (an int or a list of ints). With a mask
    (broadcastable to the input; True or > 0.5 keeps), masked positions get
    -1e9 before the softmax and 0 after it, as in Keras.

    Shape: any; the output has the input's shape.
    """

    _consumes_mask = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or any(isinstance(a, bool) or
                           not isinstance(a, numbers.Integral) for a in axes):
            raise ValueError(f"Softmax: axis must be an integer or a list of "
                             f"integers, received axis={axis!r}")
        self.axis = axis
        self.supports_masking = True

    def _axes(self, ndim):
        axes = self.axis if isinstance(self.axis, (list, tuple)) \
            else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"Softmax '{self.name}': axis {a} is out of "
                                 f"range for inputs of rank {ndim}")
        return tuple(a % ndim for a in axes)

    def _mask(self, mask, inputs):
        mask = np.asarray(mask)
        if mask.ndim > inputs.ndim or any(
                m != 1 and m != i for m, i in zip(mask.shape[::-1],
                                                  inputs.shape[::-1])):
            raise ValueError(
                f"The `mask` must be broadcastable to `inputs`. Received: "
                f"inputs.shape={inputs.shape}, mask.shape={mask.shape}")
        return mask if mask.dtype == bool else mask > 0.5

    def call(self, inputs, training=None, mask=None):
        axes = self._axes(inputs.ndim)
        if mask is not None:
            mask = self._mask(mask, inputs)
            inputs = np.where(mask, inputs, np.asarray(-1e9, inputs.dtype))
        if len(axes) == 1 and axes[0] == inputs.ndim - 1 and \
                inputs.dtype == np.float32:
            y = _kernels.softmax(np.ascontiguousarray(inputs))
        else:
            shifted = inputs - np.max(inputs, axis=axes, keepdims=True)
            e = np.exp(shifted)
            y = e / np.sum(e, axis=axes, keepdims=True)
        if mask is not None:
            y = np.where(mask, y, np.asarray(0.0, y.dtype))
        if training:
            self._saved = (y, mask, axes)
        return y

    def backward(self, dy):
        y, mask, axes = self._saved
        if mask is not None:
            dy = np.where(mask, dy, 0.0)
        dx = y * (dy - np.sum(dy * y, axis=axes, keepdims=True))
        if mask is not None:
            dx = np.where(mask, dx, 0.0)
        return dx.astype(np.float32, copy=False)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
