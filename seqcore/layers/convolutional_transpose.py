"""Transposed convolution layers: Conv1DTranspose and Conv2DTranspose.

A transposed convolution is the input gradient of a convolution: the
forward pass runs conv.c's GEMM + col2im backward of the convolution that
maps the (larger) output to the input, and the backward pass runs that
convolution forward (input gradient) and its kernel gradient. Kernel
(*kernel_size, filters, in_channels) named 'kernel', bias (filters,), as in
Keras; output sizes and the cropping of 'same' follow Keras 3.
"""
import numpy as np

from seqcore import _kernels, activations, regularizers
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import grad_beta, store_grad
from seqcore.layers import _validation, _windows
from seqcore.layers._validation import int_tuple, positive_int
from seqcore.layers.convolutional_depthwise import channel_axis, \
    input_channels, kernel_2d, window_options
from seqcore.layers.core import activation_backward, apply_activation, \
    sum_to_bias, train_activation
from seqcore.saving.serialization import register_builtin


def transpose_length(length, kernel, stride, dilation, padding,
                     output_padding):
    """Output length along one axis (None when the input's is unknown)."""
    if length is None:
        return None
    eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(eff, stride) - eff if output_padding is None \
            else output_padding
        return (length - 1) * stride + eff + extra
    if output_padding is None:
        return length * stride
    return (length - 1) * stride + eff % 2 + output_padding


def transpose_crop(kernel, stride, dilation, padding, output_padding):
    """Cells of the full scatter (length (in - 1) * stride + eff) dropped
    before the output: the padding of the convolution it is the gradient
    of."""
    eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        return 0
    total = stride + eff - 2 if output_padding is None \
        else eff + eff % 2 - 2 + output_padding
    return eff - 1 - min(total // 2 + total % 2, eff - 1)


class BaseConvTranspose(Layer):
    rank = None  # 1 or 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1,
                 activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = self.__class__.__name__
        self.filters = positive_int(cls, "filters", filters)
        window_options(self, self.rank, kernel_size, strides, padding,
                       data_format, dilation_rate)
        self.output_padding = None if output_padding is None else int_tuple(
            cls, "output_padding", output_padding, self.rank, allow_zero=True)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{cls}: `strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}")
        if self.output_padding is not None:
            for i, (op, s) in enumerate(zip(self.output_padding,
                                            self.strides)):
                if op >= s:
                    raise ValueError(
                        f"{cls}: each value in `output_padding` must be "
                        f"strictly less than the corresponding `strides` "
                        f"value; at index {i} output_padding is {op} and "
                        f"strides is {s}. Received: output_padding="
                        f"{self.output_padding}, strides={self.strides}")
        self.activation = _validation.activation(cls, "activation",
                                                 activation)
        _validation.weight_options(self, ("kernel", "bias"), use_bias,
                                   locals())
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    def build(self, input_shape):
        channels = input_channels(self, input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint, name="kernel")
        self.bias = self.add_weight(
            shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias") \
            if self.use_bias else None
        self.input_spec = InputSpec(
            ndim=self.rank + 2,
            axes={channel_axis(self.data_format): channels})

    def _sizes(self, spatial):
        ops = self.output_padding or (None,) * self.rank
        return [transpose_length(length, k, s, d, self.padding, op)
                for length, k, s, d, op in zip(
                    spatial, self.kernel_size, self.strides,
                    self.dilation_rate, ops)]

    def compute_output_shape(self, input_shape):
        sizes = self._sizes(_windows.spatial_shape(input_shape,
                                                   self.data_format))
        return _windows.output_shape(input_shape, sizes, self.filters,
                                     self.data_format)

    def _geometry(self, nhwc_shape):
        """(output NHWC shape, strides, dilation, pads) for the 2-D kernels,
        a rank-1 layer as height 1."""
        fill = (1,) * (2 - self.rank)
        ops = self.output_padding or (None,) * self.rank
        sizes = self._sizes(nhwc_shape[3 - self.rank:3])
        pads = [transpose_crop(k, s, d, self.padding, op) for k, s, d, op in
                zip(self.kernel_size, self.strides, self.dilation_rate, ops)]
        return ((nhwc_shape[0],) + fill + tuple(sizes) + (self.filters,),
                fill + self.strides, fill + self.dilation_rate,
                (0,) * (2 - self.rank) + tuple(pads))

    def call(self, inputs, training=None):
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        shape, strides, dilation, pads = self._geometry(x.shape)
        kernel = kernel_2d(self, self.kernel.value)
        bias = None if self.bias is None else self.bias.value

        def z_fn(act, out=None):
            z = _kernels.conv2d_transpose_forward(x, kernel, shape, strides,
                                                  dilation, pads, out=out)
            if bias is not None:
                z += bias
            return z if act is None else _kernels.activation(z, act, out=z)

        if training:
            z, y = train_activation(
                lambda act: z_fn(act, self._buffer("z", shape)),
                self.activation, self._buffer("y", shape))
            self._saved = (x, z, y, strides, dilation, pads)
        else:
            fused = activations.KERNEL_NAMES.get(self.activation, False)
            y = z_fn(fused or None)
            if fused is False:
                y = apply_activation(y, self.activation)
        return _windows.from_nhwc(y, self.rank, self.data_format)

    _takes_preactivation_grad = True   # see Dense

    def backward(self, dy, need_input_grad=True, dy_is_dz=False):
        x, z, y, strides, dilation, pads = self._saved
        dy = _windows.to_nhwc(np.asarray(dy, np.float32), self.rank,
                              self.data_format)
        dz = dy if dy_is_dz else activation_backward(
            self.activation, z, y, dy, out=self._buffer("dz", z.shape))
        dz = np.ascontiguousarray(dz)
        kernel = kernel_2d(self, self.kernel.value)
        beta = grad_beta(self.kernel)
        if beta is not None:
            # the convolution's kernel gradient, with dz as its input and x
            # as its output gradient
            _kernels.conv2d_backward(
                dz, kernel, x, strides, dilation, pads,
                dk=kernel_2d(self, self.kernel.grad), beta=beta,
                input_grad=False)
        if self.bias is not None:
            store_grad(self.bias, sum_to_bias(dz))
        if not need_input_grad:
            return None
        dx = _kernels.conv2d_forward(dz, kernel, None, strides, dilation,
                                     pads, x.shape[1:3],
                                     out=self._buffer("dx", x.shape))
        return _windows.from_nhwc(dx, self.rank, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
        })
        config.update(_validation.weight_options_config(
            self, ("kernel", "bias")))
        return config


@register_builtin
class Conv1DTranspose(BaseConvTranspose):
    """(batch, steps, channels) -> (batch, new_steps, filters); kernel
    (kernel_size, filters, channels)."""
    rank = 1


@register_builtin
class Conv2DTranspose(BaseConvTranspose):
    """(batch, h, w, channels) -> (batch, oh, ow, filters); kernel
    (kh, kw, filters, channels).

    Args:
        filters: output channels.
        kernel_size, strides, dilation_rate: int or pair.
        padding: 'valid' or 'same'.
        output_padding: None or int/pair, each below its stride: extra
            cells at the end of each output axis.
        data_format: 'channels_last' (default) or 'channels_first'.
        activation, use_bias, kernel_*/bias_* initializer, regularizer and
        constraint, activity_regularizer: as in Keras.
    """
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1),
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides,
                         padding=padding, output_padding=output_padding,
                         data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
