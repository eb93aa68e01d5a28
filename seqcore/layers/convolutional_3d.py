"""Conv3D and Conv3DTranspose (NDHWC data), as sums over the kernel's depth
taps of 2-D convolutions on the existing kernels: for depth tap t, the
depth slices that tap reads are stacked into one batch of images and run
through one 2-D convolution (im2col + GEMM) or transposed convolution
(GEMM + col2im) with the kernel's slice t, and added into the output
slices they belong to. Gradients run the same taps backward.

Kernels as Keras's: Conv3D (kd, kh, kw, in_channels / groups, filters),
Conv3DTranspose (kd, kh, kw, filters, in_channels)."""
import numpy as np

from seqcore import _kernels
from seqcore.engine.variables import store_grad
from seqcore.layers import _windows
from seqcore.layers.convolutional import BaseConv
from seqcore.layers.convolutional_transpose import BaseConvTranspose, \
    transpose_crop
from seqcore.layers.core import activation_backward, apply_activation, \
    sum_to_bias
from seqcore.saving.serialization import register_builtin


def to_ndhwc(x, data_format):
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    return np.ascontiguousarray(x, dtype=np.float32)


def from_ndhwc(y, data_format):
    if data_format == "channels_first":
        y = np.ascontiguousarray(np.moveaxis(y, -1, 1))
    return y


def depth_taps(length, out_length, stride, dilation, pad, tap):
    """(outputs, inputs): the output depths o whose tap `tap` reads an input
    depth i = o * stride - pad + tap * dilation inside [0, length)."""
    o = np.arange(out_length)
    i = o * stride - pad + tap * dilation
    inside = (i >= 0) & (i < length)
    return o[inside], i[inside]


def _stack(a, index):
    """a[:, index] as one contiguous batch of images (n * len(index), ...)."""
    part = np.ascontiguousarray(a[:, index])
    return part.reshape((-1,) + part.shape[2:])


def _activate(layer, z, training):
    """(y, saved pre-activation) of the layer's activation on z."""
    if training:
        y = apply_activation(z, layer.activation, inplace=False)
        return y, z
    return apply_activation(z, layer.activation), None


@register_builtin
class Conv3D(BaseConv):
    """(batch, d, h, w, channels) -> (batch, od, oh, ow, filters); kernel
    (kd, kh, kw, channels / groups, filters).

    Args:
        filters, kernel_size, strides, padding ('valid' or 'same'),
        data_format, dilation_rate, groups, activation, use_bias and the
        kernel_*/bias_* options: as in Keras.
    """
    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1),
                 padding="valid", data_format=None, dilation_rate=(1, 1, 1),
                 groups=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, **kwargs)

    def accepts_routed_gradient(self):
        return False

    def _geometry(self, shape):
        out, pads = [], []
        for length, k, s, d in zip(shape[1:4], self.kernel_size,
                                   self.strides, self.dilation_rate):
            out.append(_windows.output_length(length, k, s, d, self.padding))
            pads.append(_windows.padding_before(length, k, s, d,
                                                self.padding))
        if min(out) <= 0:
            _windows.check_output(self, shape, out)
        return out, pads

    def _groups(self, channels):
        cg, fg = channels // self.groups, self.filters // self.groups
        return [(slice(g * cg, (g + 1) * cg), slice(g * fg, (g + 1) * fg))
                for g in range(self.groups)]

    def call(self, inputs, training=None):
        x = to_ndhwc(inputs, self.data_format)
        out, pads = self._geometry(x.shape)
        kernel = self.kernel.value
        z = np.zeros((x.shape[0],) + tuple(out) + (self.filters,),
                     np.float32)
        hw = (tuple(self.strides[1:]), tuple(self.dilation_rate[1:]),
              tuple(pads[1:]), tuple(out[1:]))
        for t in range(self.kernel_size[0]):
            o, i = depth_taps(x.shape[1], out[0], self.strides[0],
                              self.dilation_rate[0], pads[0], t)
            if not len(o):
                continue
            xt = _stack(x, i)
            for cs, fs in self._groups(x.shape[-1]):
                part = _kernels.conv2d_forward(
                    np.ascontiguousarray(xt[..., cs]),
                    np.ascontiguousarray(kernel[t][..., fs]), None, *hw)
                z[:, o, ..., fs] += part.reshape(
                    (x.shape[0], len(o)) + part.shape[1:])
        if self.bias is not None:
            z += self.bias.value
        y, saved = _activate(self, z, training)
        if training:
            self._saved = (x, saved, y, pads, hw)
        return from_ndhwc(y, self.data_format)

    def backward(self, dy, need_input_grad=True, dy_is_dz=False):
        x, z, y, pads, hw = self._saved
        dy = to_ndhwc(np.asarray(dy, np.float32), self.data_format)
        dz = np.ascontiguousarray(
            dy if dy_is_dz else
            activation_backward(self.activation, z, y, dy))
        kernel = self.kernel.value
        want_dx = need_input_grad
        dx = np.zeros(x.shape, np.float32) if want_dx else None
        dk = np.zeros(kernel.shape, np.float32)
        for t in range(self.kernel_size[0]):
            o, i = depth_taps(x.shape[1], dz.shape[1], self.strides[0],
                              self.dilation_rate[0], pads[0], t)
            if not len(o):
                continue
            xt, dzt = _stack(x, i), _stack(dz, o)
            for cs, fs in self._groups(x.shape[-1]):
                part = np.zeros(kernel[t][..., fs].shape, np.float32)
                dxt = _kernels.conv2d_backward(
                    np.ascontiguousarray(xt[..., cs]),
                    np.ascontiguousarray(kernel[t][..., fs]),
                    np.ascontiguousarray(dzt[..., fs]), *hw[:3], dk=part,
                    input_grad=want_dx)
                dk[t][..., fs] += part
                if want_dx:
                    dx[:, i, ..., cs] += dxt.reshape(
                        (x.shape[0], len(i)) + dxt.shape[1:])
        store_grad(self.kernel, dk)
        if self.bias is not None:
            store_grad(self.bias, sum_to_bias(dz))
        return None if dx is None else from_ndhwc(dx, self.data_format)


@register_builtin
class Conv3DTranspose(BaseConvTranspose):
    """(batch, d, h, w, channels) -> (batch, od, oh, ow, filters); kernel
    (kd, kh, kw, filters, channels). Arguments as Conv2DTranspose's."""
    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1),
                 padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides,
                         padding=padding, output_padding=output_padding,
                         data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)

    def _geometry3(self, shape):
        ops = self.output_padding or (None,) * 3
        sizes = self._sizes(shape[1:4])
        crops = [transpose_crop(k, s, d, self.padding, op) for k, s, d, op in
                 zip(self.kernel_size, self.strides, self.dilation_rate, ops)]
        return sizes, crops

    def call(self, inputs, training=None):
        x = to_ndhwc(inputs, self.data_format)
        sizes, crops = self._geometry3(x.shape)
        kernel = self.kernel.value
        n = x.shape[0]
        z = np.zeros((n,) + tuple(sizes) + (self.filters,), np.float32)
        hw = (tuple(self.strides[1:]), tuple(self.dilation_rate[1:]),
              tuple(crops[1:]))
        for t in range(self.kernel_size[0]):
            # the convolution this is the gradient of maps depth sizes[0]
            # to x's depth: its output o reads input i
            o, i = depth_taps(sizes[0], x.shape[1], self.strides[0],
                              self.dilation_rate[0], crops[0], t)
            if not len(o):
                continue
            part = _kernels.conv2d_transpose_forward(
                _stack(x, o), kernel[t],
                (n * len(o),) + tuple(sizes[1:]) + (self.filters,), *hw)
            z[:, i] += part.reshape((n, len(o)) + part.shape[1:])
        if self.bias is not None:
            z += self.bias.value
        y, saved = _activate(self, z, training)
        if training:
            self._saved = (x, saved, y, crops, hw)
        return from_ndhwc(y, self.data_format)

    def backward(self, dy, need_input_grad=True, dy_is_dz=False):
        x, z, y, crops, hw = self._saved
        dy = to_ndhwc(np.asarray(dy, np.float32), self.data_format)
        dz = np.ascontiguousarray(
            dy if dy_is_dz else
            activation_backward(self.activation, z, y, dy))
        kernel = self.kernel.value
        want_dx = need_input_grad
        dx = np.zeros(x.shape, np.float32) if want_dx else None
        dk = np.zeros(kernel.shape, np.float32)
        n = x.shape[0]
        for t in range(self.kernel_size[0]):
            o, i = depth_taps(dz.shape[1], x.shape[1], self.strides[0],
                              self.dilation_rate[0], crops[0], t)
            if not len(o):
                continue
            dzt = _stack(dz, i)
            _kernels.conv2d_backward(dzt, kernel[t], _stack(x, o), *hw,
                                     dk=dk[t], beta=1.0, input_grad=False)
            if want_dx:
                part = _kernels.conv2d_forward(dzt, kernel[t], None, *hw,
                                               tuple(x.shape[2:4]))
                dx[:, o] += part.reshape((n, len(o)) + part.shape[1:])
        store_grad(self.kernel, dk)
        if self.bias is not None:
            store_grad(self.bias, sum_to_bias(dz))
        return None if dx is None else from_ndhwc(dx, self.data_format)
