"""Neural-network ops (keras.ops.relu, softmax, ...): the activation
functions of seqcore.activations (C kernels on float32), each with its
vector-Jacobian product for the tape. Derivatives of the kernel
activations reuse `activations.backward` (the same C kernels the built-in
layers' backward passes use)."""
import numpy as np

from seqcore import activations as _act
from seqcore.engine.tape import differentiable


def _kernel_vjp(name):
    """vjp from activations.backward(name, x, y, g): default options only."""
    def vjp(g, out, x):
        x = np.asarray(x)
        if x.dtype != out.dtype:
            x = x.astype(out.dtype)
        return (_act.backward(name, x, out, g),)
    vjp.__name__ = f"_{name}_vjp"
    return vjp


def _relu_vjp(g, out, x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0 \
            and type(x) is np.ndarray and x.dtype == out.dtype == \
            g.dtype == np.float32 and x.flags.c_contiguous and \
            out.flags.c_contiguous and g.flags.c_contiguous:
        return (_act.backward("relu", x, out, g),)     # the C kernel
    x = np.asarray(x, out.dtype)
    slope = np.where(x > threshold, 1.0, negative_slope).astype(out.dtype)
    if max_value is not None:
        slope = slope * (x < max_value)
    return (g * slope,)


relu = differentiable(_relu_vjp)(_act.relu)
relu6 = differentiable(_kernel_vjp("relu6"))(_act.relu6)
sigmoid = differentiable(_kernel_vjp("sigmoid"))(_act.sigmoid)
tanh = differentiable(_kernel_vjp("tanh"))(_act.tanh)
softplus = differentiable(_kernel_vjp("softplus"))(_act.softplus)
softsign = differentiable(_kernel_vjp("softsign"))(_act.softsign)
silu = differentiable(_kernel_vjp("swish"))(_act.silu)
swish = silu
hard_sigmoid = differentiable(_kernel_vjp("hard_sigmoid"))(_act.hard_sigmoid)
selu = differentiable(_kernel_vjp("selu"))(_act.selu)
exponential = differentiable(_kernel_vjp("exponential"))(_act.exponential)


def _leaky_relu_vjp(g, out, x, negative_slope=0.2):
    x = np.asarray(x)
    return (g * np.where(x > 0, 1.0, negative_slope).astype(out.dtype),)


leaky_relu = differentiable(_leaky_relu_vjp)(_act.leaky_relu)


def _elu_vjp(g, out, x, alpha=1.0):
    x = np.asarray(x)
    return (g * np.where(x > 0, 1.0, out + alpha).astype(out.dtype),)


elu = differentiable(_elu_vjp)(_act.elu)


def _gelu_vjp(g, out, x, approximate=False):
    name = "gelu_tanh" if approximate else "gelu"
    x64, y64 = np.asarray(x, np.float64), np.asarray(out, np.float64)
    d = _act.backward(name, x64, y64, np.asarray(g, np.float64))
    return (d.astype(out.dtype),)


_gelu = differentiable(_gelu_vjp)(_act.gelu)


def gelu(x, approximate=True):
    """GELU; keras.ops.gelu approximates with tanh by default (the
    activation keras.activations.gelu does not)."""
    return _gelu(x, approximate=approximate)


def _hard_silu_vjp(g, out, x):
    x = np.asarray(x, out.dtype)
    inner = np.clip(x + 3.0, 0.0, 6.0) / 6.0
    return (g * (inner + x * ((x > -3) & (x < 3)) / 6.0),)


hard_silu = differentiable(_hard_silu_vjp)(_act.hard_silu)
hard_swish = hard_silu


def _mish_vjp(g, out, x):
    x = np.asarray(x, out.dtype)
    t = np.tanh(np.logaddexp(0.0, x))
    sig = 1.0 / (1.0 + np.exp(-x))
    return (g * (t + x * (1 - t * t) * sig),)


mish = differentiable(_mish_vjp)(_act.mish)


def _softmax_vjp(g, out, x, axis=-1):
    return (out * (g - np.sum(g * out, axis=axis, keepdims=True)),)


softmax = differentiable(_softmax_vjp)(_act.softmax)


def _log_softmax_vjp(g, out, x, axis=-1):
    return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)


log_softmax = differentiable(_log_softmax_vjp)(_act.log_softmax)


# keras.ops.nn also holds the rest of the namespace (seqcore/ops/nn_extra.py,
# nn_conv.py); imported last, as they use the activations above.
from seqcore.ops.nn_conv import (average_pool, conv, conv_transpose,  # noqa: E402,F401
                                 depthwise_conv, max_pool, separable_conv)
from seqcore.ops.nn_extra import *  # noqa: E402,F401,F403
from seqcore.ops.nn_blocks import *  # noqa: E402,F401,F403
