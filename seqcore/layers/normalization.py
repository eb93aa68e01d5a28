"""Normalization layers: BatchNormalization and LayerNormalization.

Both are affine maps per channel once the statistics are known, bound by
memory bandwidth. BatchNormalization over the last axis of float32 data
(Keras's default) runs one-pass C kernels (csrc/batchnorm.c); other axes,
dtypes and masks use numpy's vectorized loops."""
import numpy as np

from seqcore import _kernels, constraints, initializers, regularizers
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import store_grad
from seqcore.layers import _renorm
from seqcore.saving.serialization import register_builtin


def _normalize_axes(layer, axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{layer.__class__.__name__} '{layer.name}': "
                             f"axis {a} is out of range for input of rank "
                             f"{ndim}")
        out.append(a % ndim)
    return sorted(out)


def _add_scale_and_shift(layer, shape):
    """The gamma (when scale) and beta (when center) weights of `shape`."""
    layer.gamma = layer.add_weight(
        shape=shape, name="gamma", initializer=layer.gamma_initializer,
        regularizer=layer.gamma_regularizer,
        constraint=layer.gamma_constraint) if layer.scale else None
    layer.beta = layer.add_weight(
        shape=shape, name="beta", initializer=layer.beta_initializer,
        regularizer=layer.beta_regularizer,
        constraint=layer.beta_constraint) if layer.center else None


def _broadcast(v, axes, ndim):
    """v (shaped like the normalized axes) reshaped to broadcast against
    an input of rank ndim."""
    shape = [1] * ndim
    for a, d in zip(axes, v.shape):
        shape[a] = d
    return v.reshape(shape)


def _scale_and_shift_config(layer):
    return {
        "beta_initializer": initializers.serialize(layer.beta_initializer),
        "gamma_initializer": initializers.serialize(layer.gamma_initializer),
        "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
        "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
        "beta_constraint": constraints.serialize(layer.beta_constraint),
        "gamma_constraint": constraints.serialize(layer.gamma_constraint),
    }


def _masked_moments(x, mask, axis):
    """Keras's masked batch statistics per channel: mean and variance over
    the entries where `mask` (x's shape, bool) is True, each divided by
    (count + 1e-7).

    Returns:
        (mean, variance), float32 arrays of shape (x.shape[axis],).
    """
    axes = tuple(i for i in range(x.ndim) if i != axis)
    weight = np.sum(mask, axis=axes, keepdims=True, dtype=np.float32) + \
        np.float32(1e-7)
    mean = np.sum(np.where(mask, x, 0), axis=axes, keepdims=True) / weight
    centred = np.where(mask, x - mean, 0)
    variance = np.sum(centred * centred, axis=axes, keepdims=True) / weight
    return (mean.reshape(-1).astype(np.float32),
            variance.reshape(-1).astype(np.float32))


def _masked_moments_backward(x, d_hat, mask, mean, inv, axis):
    """dx of y = gamma * (x - mean) * inv + beta with the masked statistics
    of _masked_moments, given d_hat = dy * gamma (every entry, masked ones
    included, depends on the statistics).

    With c = 1 / (count + 1e-7), A = sum(d_hat), B = sum(d_hat * (x - mean))
    and K = sum(m * (x - mean)) per channel:
    dx = inv * (d_hat - c m A - c m inv^2 B ((x - mean) - c K))."""
    axes = tuple(i for i in range(x.ndim) if i != axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    m = mask.astype(np.float64)
    mu = mean.astype(np.float64).reshape(shape)
    iv = inv.astype(np.float64).reshape(shape)
    c = 1.0 / (np.sum(m, axis=axes, keepdims=True) + np.float32(1e-7))
    diff = x.astype(np.float64) - mu
    d = d_hat.astype(np.float64)
    a = np.sum(d, axis=axes, keepdims=True)
    b = np.sum(d * diff, axis=axes, keepdims=True)
    k = np.sum(m * diff, axis=axes, keepdims=True)
    dx = iv * (d - c * m * a - c * m * iv * iv * b * (diff - c * k))
    return dx.astype(np.float32)


def _channels_last_float32(x, axis):
    """Whether the C kernels take x: float32 normalized over its last
    axis (they work on any layout; numpy's path covers the rest)."""
    return x.dtype == np.float32 and axis == x.ndim - 1 and x.ndim >= 1


def _batch_norm_dx(x, dy, mean, inv, gamma, sum_dy, sum_dy_xhat):
    """dx of y = gamma * (x - mean) * inv + beta with batch statistics,
    over the last axis, from the per-channel sums of dy and dy * x_hat:
    dx = inv * gamma * (dy - sum_dy / n - x_hat * sum_dy_xhat / n)."""
    n = x.size // x.shape[-1] if x.size else 1
    g = inv.astype(np.float64) * gamma
    q = -g * inv * (sum_dy_xhat / n)
    r = -g * (sum_dy / n)
    f32 = np.float32
    return _kernels.bn_backward_dx(x, dy, mean, g.astype(f32), q.astype(f32),
                                   r.astype(f32))


@register_builtin
class BatchNormalization(Layer):
    """Normalizes each channel (`axis`) with the batch statistics when
    training (and updates the moving ones), with the moving statistics at
    inference. Weights: gamma, beta, moving_mean, moving_variance."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True,
                 scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        self.renorm = bool(renorm)
        self.renorm_clipping = _renorm.check_clipping(renorm_clipping) \
            if renorm else renorm_clipping
        self.renorm_momentum = float(renorm_momentum)
        if not isinstance(axis, int):
            raise ValueError(f"BatchNormalization: axis must be an integer, "
                             f"received axis={axis!r}")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(
            moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(
            moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        self.supports_masking = True

    def build(self, input_shape):
        (self._axis,) = _normalize_axes(self, self.axis, len(input_shape))
        dim = input_shape[self._axis]
        if dim is None:
            raise ValueError(f"BatchNormalization '{self.name}': axis "
                             f"{self.axis} of input shape {tuple(input_shape)} "
                             f"must be known")
        shape = (dim,)
        _add_scale_and_shift(self, shape)
        self.moving_mean = self.add_weight(
            shape=shape, name="moving_mean", trainable=False,
            initializer=self.moving_mean_initializer)
        self.moving_variance = self.add_weight(
            shape=shape, name="moving_variance", trainable=False,
            initializer=self.moving_variance_initializer)
        if self.renorm:
            _renorm.add_weights(self, shape)
        self.input_spec = InputSpec(ndim=len(input_shape),
                                    axes={self.axis: dim})

    # In training, the batch statistics are over the unmasked entries
    # only (a mask is (batch, steps) for inputs (batch, steps, channels)).
    _consumes_mask = True

    def call(self, inputs, training=None, mask=None):
        ndim = inputs.ndim
        if mask is not None and np.ndim(mask) != ndim - 1:
            raise ValueError(
                f"The mask provided should be one dimension less than the "
                f"inputs. Received: mask.shape={np.shape(mask)}, "
                f"inputs.shape={inputs.shape}")
        batch_statistics = bool(training and self.trainable)
        weights = None
        if batch_statistics and mask is not None:
            weights = np.broadcast_to(np.expand_dims(
                np.asarray(mask, bool), -1), inputs.shape)
            mean, variance = _masked_moments(inputs, weights, self._axis)
        elif batch_statistics and _channels_last_float32(inputs,
                                                         self._axis):
            mean, variance = (m.astype(np.float32)
                              for m in _kernels.bn_moments(inputs))
        elif batch_statistics:
            axes = tuple(i for i in range(ndim) if i != self._axis)
            mean = inputs.mean(axis=axes)
            variance = inputs.var(axis=axes)
        renorm = None
        if batch_statistics and self.renorm:
            renorm = _renorm.correction(self, mean, variance)
            _renorm.update_statistics(self, mean, variance)
        elif batch_statistics:
            m = self.momentum
            self.moving_mean.value[...] = self.moving_mean.value * m + \
                mean * (1.0 - m)
            self.moving_variance.value[...] = \
                self.moving_variance.value * m + variance * (1.0 - m)
        else:
            mean = self.moving_mean.value
            variance = self.moving_variance.value
        inv, scale, shift = self._affine(mean, variance, renorm)
        if _channels_last_float32(inputs, self._axis):
            y = _kernels.channel_affine(inputs, scale, shift)
        else:
            y = inputs * _broadcast(scale, (self._axis,), ndim)
            y += _broadcast(shift, (self._axis,), ndim)
        if training:
            self._saved = (inputs, mean, inv, scale, batch_statistics,
                           weights, renorm)
        return y

    def _affine(self, mean, variance, renorm=None):
        """(inv, scale, shift): 1 / sqrt(variance + epsilon), and the map
        y = x * scale + shift (float32, per channel) the statistics and
        gamma and beta (composed with renorm's r and d) make."""
        inv = 1.0 / np.sqrt(variance + self.epsilon)
        gamma = self.gamma.value if self.scale else None
        beta = self.beta.value if self.center else None
        if renorm is not None:   # (x_hat * r + d) * gamma + beta
            gamma, beta = _renorm.compose(renorm, gamma, beta)
        scale = inv * gamma if gamma is not None else inv
        shift = -mean * scale
        if beta is not None:
            shift = shift + beta
        return inv, scale.astype(np.float32), shift.astype(np.float32)

    def folded_affine(self, ndim):
        """(scale, shift), float32 per channel, of the inference map
        y = x * scale + shift on an input of `ndim` dimensions, for folding
        into the convolution before; None when this layer does not
        normalize the last axis there or its weights are not float32."""
        if self._axis != ndim - 1 or \
                self.moving_mean.value.dtype != np.float32:
            return None
        _, scale, shift = self._affine(self.moving_mean.value,
                                       self.moving_variance.value)
        return scale, shift

    def call_activated(self, inputs, activation):
        """The inference output (moving statistics) with `activation`, a C
        kernel activation name, applied in the same pass; None when the
        kernels do not take `inputs` (not float32 over the last axis), for
        the caller to run the layers apart. The plan calls this for a
        normalization whose only consumer is an activation layer."""
        if not _channels_last_float32(inputs, self._axis):
            return None
        _, scale, shift = self._affine(self.moving_mean.value,
                                       self.moving_variance.value)
        return _kernels.channel_affine(inputs, scale, shift,
                                       activation=activation)

    def backward(self, dy):
        x, mean, inv, scale, batch_statistics, weights, renorm = self._saved
        if weights is None and dy.dtype == np.float32 and \
                _channels_last_float32(x, self._axis):
            return self._backward_channels_last(dy)
        ndim, axis = x.ndim, (self._axis,)
        axes = tuple(i for i in range(ndim) if i != self._axis)
        x_hat = (x - _broadcast(mean, axis, ndim)) * _broadcast(inv, axis,
                                                               ndim)
        if self.scale:
            d_gamma = np.sum(dy * x_hat, axis=axes)
            if renorm is not None:   # r and d are constants (no gradient)
                d_gamma = d_gamma * renorm[0] + \
                    np.sum(dy, axis=axes) * renorm[1]
            store_grad(self.gamma, d_gamma)
        if self.center:
            store_grad(self.beta, np.sum(dy, axis=axes))
        if not batch_statistics:  # an affine map with fixed statistics
            return (dy * _broadcast(scale, axis, ndim)).astype(np.float32)
        gamma = self.gamma.value if self.scale else 1.0
        if renorm is not None:
            gamma = gamma * renorm[0]
        d_hat = dy * _broadcast(np.asarray(gamma, np.float32), axis, ndim)
        if weights is not None:
            return _masked_moments_backward(x, d_hat, weights, mean, inv,
                                            self._axis)
        dx = (d_hat - np.mean(d_hat, axis=axes, keepdims=True) -
              x_hat * np.mean(d_hat * x_hat, axis=axes, keepdims=True))
        return (dx * _broadcast(inv, axis, ndim)).astype(np.float32)

    def _backward_channels_last(self, dy):
        """backward() for float32 input normalized over its last axis,
        unmasked: two passes of C (the sums, then dx)."""
        x, mean, inv, scale, batch_statistics, _, renorm = self._saved
        inv = np.asarray(inv, np.float32)
        sum_dy, sum_dy_xhat = _kernels.bn_backward_sums(x, dy, mean, inv)
        if self.scale:
            d_gamma = sum_dy_xhat
            if renorm is not None:   # r and d are constants (no gradient)
                d_gamma = d_gamma * renorm[0] + sum_dy * renorm[1]
            store_grad(self.gamma, d_gamma.astype(np.float32))
        if self.center:
            store_grad(self.beta, sum_dy.astype(np.float32))
        if not batch_statistics:  # an affine map with fixed statistics
            return _kernels.channel_affine(dy, scale,
                                           np.zeros_like(scale))
        gamma = self.gamma.value.astype(np.float64) if self.scale else 1.0
        if renorm is not None:
            gamma = gamma * renorm[0]
        return _batch_norm_dx(x, dy, mean, inv, gamma, sum_dy, sum_dy_xhat)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(_scale_and_shift_config(self))
        config.update({
            "axis": self.axis, "momentum": self.momentum,
            "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "moving_mean_initializer": initializers.serialize(
                self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "renorm": self.renorm, "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
            "synchronized": self.synchronized,
        })
        return config


@register_builtin
class LayerNormalization(Layer):
    """Normalizes each sample over `axis` (the last by default), then
    scales by gamma and shifts by beta, both shaped like those axes."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 rms_scaling=False, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        self._axes = tuple(_normalize_axes(self, self.axis, len(input_shape)))
        if isinstance(self.axis, int):
            self.axis = [self.axis]  # Keras's config holds the list once built
        shape = tuple(input_shape[a] for a in self._axes)
        if any(d is None for d in shape):
            raise ValueError(f"LayerNormalization '{self.name}': the "
                             f"normalized axes of {tuple(input_shape)} must "
                             f"be known")
        if self.rms_scaling:
            # Keras 3: rms_scaling always has gamma and never beta, whatever
            # scale and center say.
            self.gamma = self.add_weight(
                shape=shape, name="gamma", initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint)
            self.beta = None
        else:
            _add_scale_and_shift(self, shape)

    def call(self, inputs, training=None):
        ndim = inputs.ndim
        mean = inputs.mean(axis=self._axes, keepdims=True)
        variance = inputs.var(axis=self._axes, keepdims=True)
        inv = 1.0 / np.sqrt(variance + self.epsilon)
        if self.rms_scaling:
            # Keras 3's (deprecated) rms_scaling: x / sqrt(var(x) + epsilon)
            # * gamma -- the variance about the mean, x itself not centred.
            y = inputs * inv
            if training:
                self._saved = (y, inv, mean * inv)
            y = y * _broadcast(self.gamma.value, self._axes, ndim)
            return y.astype(np.float32, copy=False)
        y = (inputs - mean) * inv
        if training:
            self._saved = (y.copy(), inv)
        if self.scale:
            y *= _broadcast(self.gamma.value, self._axes, ndim)
        if self.center:
            y += _broadcast(self.beta.value, self._axes, ndim)
        return y.astype(np.float32, copy=False)

    def backward(self, dy):
        """x_hat = (x - mean) * inv (or x * inv with rms_scaling; inv =
        1 / sqrt(var + epsilon) in both) over the normalized axes of each
        sample; y = x_hat * gamma + beta."""
        x_hat, inv = self._saved[:2]
        ndim = x_hat.ndim
        others = tuple(i for i in range(ndim) if i not in self._axes)
        if self.beta is not None:
            store_grad(self.beta, np.sum(dy, axis=others))
        if self.gamma is not None:
            store_grad(self.gamma, np.sum(dy * x_hat, axis=others))
            dy = dy * _broadcast(self.gamma.value, self._axes, ndim)
        projection = np.mean(dy * x_hat, axis=self._axes, keepdims=True)
        if self.rms_scaling:
            # x_hat = x * inv with inv = (var + eps)^-1/2: the variance's
            # derivative brings the centred x_hat - mean * inv.
            dx = dy - (x_hat - self._saved[2]) * projection
        else:
            dx = dy - np.mean(dy, axis=self._axes, keepdims=True) - \
                x_hat * projection
        return (dx * inv).astype(np.float32)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(_scale_and_shift_config(self))
        config.update({
            "axis": self.axis, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "rms_scaling": self.rms_scaling,
        })
        return config
