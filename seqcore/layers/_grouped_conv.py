"""Conv1D/Conv2D with groups > 1: the channels split into `groups` equal
groups, group g's inputs feeding filters [g * f / groups, (g + 1) * f /
groups); one convolution (im2col + GEMM, bias and activation fused) per
group, on contiguous copies of the group's inputs and kernel columns.

The kernel is Keras's (*kernel_size, in_channels / groups, filters)."""
import numpy as np

from seqcore import _kernels, activations
from seqcore.engine.variables import grad_beta, store_grad
from seqcore.layers import _windows
from seqcore.layers.core import activation_backward, apply_activation, \
    sum_to_bias, train_activation


def check(layer, channels):
    """Raise unless the input channels split into the layer's groups."""
    if channels % layer.groups:
        raise ValueError(
            f"{layer.__class__.__name__} '{layer.name}': the number of input "
            f"channels must be evenly divisible by the number of groups. "
            f"Received groups={layer.groups}, but the input has {channels} "
            f"channels (full input shape is "
            f"{channels if channels is None else '...'})")


def _slices(layer, channels):
    cg, fg = channels // layer.groups, layer.filters // layer.groups
    return [(slice(g * cg, (g + 1) * cg), slice(g * fg, (g + 1) * fg))
            for g in range(layer.groups)]


def call(layer, inputs, training):
    """The grouped layer's call(): (n, ..., filters) in its data format."""
    x = _windows.to_nhwc(inputs, layer.rank, layer.data_format)
    _, strides, dilation, out, pads = _windows.geometry(
        layer, x.shape, layer.kernel_size, layer.strides, layer.dilation_rate)
    kernel = layer._kernel_2d(layer.kernel.value)
    bias = None if layer.bias is None else layer.bias.value
    parts = [(np.ascontiguousarray(x[..., cs]),
              np.ascontiguousarray(kernel[..., fs]),
              None if bias is None else np.ascontiguousarray(bias[fs]), fs)
             for cs, fs in _slices(layer, x.shape[-1])]
    shape = (x.shape[0],) + tuple(out) + (layer.filters,)

    def z_fn(act, y):
        for xg, kg, bg, fs in parts:
            y[..., fs] = _kernels.conv2d_forward(xg, kg, bg, strides,
                                                 dilation, pads, out,
                                                 activation=act)
        return y

    if training:
        z, y = train_activation(lambda act: z_fn(act, layer._buffer(
            "z", shape)), layer.activation, layer._buffer("y", shape))
        layer._saved = (x, z, y, strides, dilation, pads, out, parts)
    else:
        fused = activations.KERNEL_NAMES.get(layer.activation, False)
        y = z_fn(fused or None, np.empty(shape, np.float32))
        if fused is False:
            y = apply_activation(y, layer.activation)
    return _windows.from_nhwc(y, layer.rank, layer.data_format)


def backward(layer, dy, need_input_grad=True, dy_is_dz=False):
    """The grouped layer's backward(): the input gradient (None when
    need_input_grad is False), the kernel's and the bias's written; dy is
    the gradient before the activation when dy_is_dz."""
    x, z, y, strides, dilation, pads, _, parts = layer._saved
    dy = _windows.to_nhwc(np.asarray(dy, np.float32), layer.rank,
                          layer.data_format)
    dz = dy if dy_is_dz else activation_backward(
        layer.activation, z, y, dy, out=layer._buffer("dz", z.shape))
    want_dx = need_input_grad
    beta = grad_beta(layer.kernel)
    grad = None if beta is None else layer._kernel_2d(layer.kernel.grad)
    dx = layer._buffer("dx", x.shape) if want_dx else None
    for (cs, _), (xg, kg, _, fs) in zip(_slices(layer, x.shape[-1]), parts):
        dk = None if grad is None else np.zeros(kg.shape, np.float32)
        dxg = _kernels.conv2d_backward(
            xg, kg, np.ascontiguousarray(dz[..., fs]), strides, dilation,
            pads, dk=dk, input_grad=want_dx)
        if dk is not None:
            if beta == 0.0:
                grad[..., fs] = dk
            else:
                grad[..., fs] += dk
        if want_dx:
            dx[..., cs] = dxg
    if layer.bias is not None:
        store_grad(layer.bias, sum_to_bias(dz))
    return None if dx is None else \
        _windows.from_nhwc(dx, layer.rank, layer.data_format)
