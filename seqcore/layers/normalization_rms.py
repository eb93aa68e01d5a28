"""RMSNormalization: x / sqrt(mean(x ** 2 over axis) + epsilon) * scale
(Zhang and Sennrich's RMSNorm), as keras.layers.RMSNormalization and
seqcore.ops.rms_normalization.

A memory-bound map over each sample, run as numpy's vectorised loops.
"""
import numbers

import numpy as np

from seqcore.engine.layer import Layer
from seqcore.engine.variables import store_grad
from seqcore.saving.serialization import register_builtin


def _sum_to_shape(array, shape):
    """Sum `array` over the axes along which `shape` was broadcast to it."""
    lead = array.ndim - len(shape)
    array = array.sum(axis=tuple(range(lead))) if lead else array
    keep = tuple(i for i, n in enumerate(shape) if n == 1 and
                 array.shape[i] != 1)
    return array.sum(axis=keep, keepdims=True) if keep else array


@register_builtin
class RMSNormalization(Layer):
    """Divides the input by its root mean square over `axis`, then
    multiplies by the learned `scale`.

    Args:
        axis: an int or a list of ints, the axes normalized over.
        epsilon: added to the mean square.

    Input and output: any shape. Weight: scale, of the shape of the input
    along `axis` (sorted), initialized to ones. As in Keras, scale
    multiplies the normalized input with numpy broadcasting (it lines up
    with the trailing axes), so `axis` should name the last axes.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or any(isinstance(a, bool) or
                           not isinstance(a, numbers.Integral) for a in axes):
            raise ValueError(f"RMSNormalization: axis must be an integer or "
                             f"a list of integers, received axis={axis!r}")
        if isinstance(epsilon, bool) or not isinstance(
                epsilon, numbers.Real) or epsilon < 0:
            raise ValueError(f"RMSNormalization: epsilon must be a "
                             f"non-negative number, received "
                             f"epsilon={epsilon!r}")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = epsilon   # no masking: Keras's drops the mask

    def _axes(self, ndim):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"Axis {a} is out of bounds for input of "
                                 f"rank {ndim}. Received: axis={self.axis}")
        return tuple(sorted(a % ndim for a in axes))

    def build(self, input_shape):
        axes = self._axes(len(input_shape))
        if isinstance(self.axis, list):
            self.axis = sorted(self.axis)
        else:
            self.axis = [self.axis]
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(f"RMSNormalization '{self.name}': the input's "
                             f"axes {self.axis} must be known, received "
                             f"input shape {tuple(input_shape)}")
        known = tuple(1 if d is None else d for d in input_shape)
        try:
            fits = np.broadcast_shapes(known, shape) == known
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"RMSNormalization '{self.name}': scale of shape {shape} "
                f"(the input along axis={self.axis}) multiplies the input "
                f"of shape {tuple(input_shape)} with broadcasting from the "
                f"last axes, as in Keras; normalize over the last axes")
        self.scale = self.add_weight(name="scale", shape=shape,
                                     initializer="ones")

    def call(self, inputs, training=None):
        x = inputs if inputs.ndim else inputs.reshape(1)
        axes = self._axes(x.ndim)
        inv = 1.0 / np.sqrt(np.mean(np.square(x), axis=axes, keepdims=True,
                                    dtype=np.float32) +
                            np.float32(self.epsilon))
        normed = x * inv
        if training:
            self._saved = (x, normed, inv, axes, inputs.shape)
        return np.ascontiguousarray(normed * self.scale.value, np.float32)

    def backward(self, dy):
        """dx = inv * (g - x * inv^2 * mean(g * x)), g = dy * scale;
        d scale = sum of dy * normalized input over the broadcast axes."""
        x, normed, inv, axes, shape = self._saved
        dy = np.asarray(dy, np.float32).reshape(x.shape)
        scale = self.scale.value
        store_grad(self.scale, _sum_to_shape(dy * normed, scale.shape))
        g = dy * scale
        dx = inv * (g - normed * inv * np.mean(g * x, axis=axes,
                                               keepdims=True))
        return np.ascontiguousarray(dx.reshape(shape), np.float32)

    def compute_output_shape(self, input_shape):
        self._axes(len(input_shape))
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
