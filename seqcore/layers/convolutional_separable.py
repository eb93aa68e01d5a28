"""Separable convolution layers: SeparableConv1D and SeparableConv2D, a
depthwise convolution (csrc/depthwise.c, no bias) followed by a pointwise
1x1 convolution (one GEMM, bias and activation fused in its epilogue).

Weights, in Keras's order: depthwise_kernel (*kernel_size, in_channels,
depth_multiplier), pointwise_kernel (*(1,) * rank, in_channels *
depth_multiplier, filters), bias (filters,).
"""
import numpy as np

from seqcore import _kernels, activations, regularizers
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import grad_beta, store_grad
from seqcore.layers import _validation, _windows
from seqcore.layers._validation import positive_int
from seqcore.layers.convolutional_depthwise import channel_axis, \
    input_channels, kernel_2d, window_options, window_output_shape
from seqcore.layers.core import activation_backward, apply_activation, \
    sum_to_bias, train_activation
from seqcore.saving.serialization import register_builtin

_POINTWISE = ((1, 1), (1, 1), (0, 0))  # strides, dilation, padding


class BaseSeparableConv(Layer):
    rank = None  # 1 or 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, depth_multiplier=1,
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = self.__class__.__name__
        self.filters = positive_int(cls, "filters", filters)
        self.depth_multiplier = positive_int(cls, "depth_multiplier",
                                             depth_multiplier)
        window_options(self, self.rank, kernel_size, strides, padding,
                       data_format, dilation_rate)
        self.activation = _validation.activation(cls, "activation",
                                                 activation)
        _validation.weight_options(self, ("depthwise", "pointwise", "bias"),
                                   use_bias, locals())
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    def build(self, input_shape):
        channels = input_channels(self, input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, name="depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (channels * self.depth_multiplier,
                                      self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, name="pointwise_kernel")
        self.bias = self.add_weight(
            shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias") \
            if self.use_bias else None
        self.input_spec = InputSpec(
            ndim=self.rank + 2,
            axes={channel_axis(self.data_format): channels})

    def compute_output_shape(self, input_shape):
        return window_output_shape(self, input_shape, self.filters)

    def call(self, inputs, training=None):
        bias = None if self.bias is None else self.bias.value
        if not training:
            fused = activations.KERNEL_NAMES.get(self.activation, False)
            y = self._infer(inputs, self.pointwise_kernel.value, bias,
                            fused or None)
            return apply_activation(y, self.activation) if fused is False \
                else y
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        _, strides, dilation, out, pads = _windows.geometry(
            self, x.shape, self.kernel_size, self.strides, self.dilation_rate)
        dk = kernel_2d(self, self.depthwise_kernel.value)
        pk = kernel_2d(self, self.pointwise_kernel.value)
        mid = (x.shape[0],) + tuple(out) + (dk.shape[2] * dk.shape[3],)
        shape = mid[:3] + (self.filters,)
        t = _kernels.depthwise2d_forward(x, dk, None, strides, dilation, pads,
                                         out, out=self._buffer("t", mid))
        z, y = train_activation(lambda act: _kernels.conv2d_forward(
            t, pk, bias, *_POINTWISE, out, activation=act,
            out=self._buffer("z", shape)),
            self.activation, self._buffer("y", shape))
        self._saved = (x, t, z, y, strides, dilation, pads)
        return _windows.from_nhwc(y, self.rank, self.data_format)

    def _infer(self, inputs, pointwise, bias, activation):
        """Inference: the depthwise pass, then the pointwise kernel
        `pointwise` with `bias` and `activation` (a C kernel activation
        name or None) in its GEMM's epilogue."""
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        _, strides, dilation, out, pads = _windows.geometry(
            self, x.shape, self.kernel_size, self.strides, self.dilation_rate)
        t = _kernels.depthwise2d_forward(
            x, kernel_2d(self, self.depthwise_kernel.value), None, strides,
            dilation, pads, out)
        y = _kernels.conv2d_forward(t, kernel_2d(self, pointwise), bias,
                                    *_POINTWISE, out, activation=activation)
        return _windows.from_nhwc(y, self.rank, self.data_format)

    def call_folded(self, inputs, scale, shift, activation=None):
        """Inference output followed by the per-filter affine map
        y * scale + shift (a BatchNormalization folded in) and `activation`
        (a C kernel activation name or None): the pointwise kernel and the
        bias scaled per filter. None when this layer has its own activation
        (see BaseConv.call_folded).

        Args:
            inputs: the layer's input.
            scale, shift: float32 arrays of shape (filters,).
            activation: applied in the pointwise GEMM's epilogue.
        """
        if activations.KERNEL_NAMES.get(self.activation, False) is not None:
            return None
        bias = shift if self.bias is None else \
            (self.bias.value * scale + shift).astype(np.float32)
        return self._infer(inputs, self.pointwise_kernel.value * scale, bias,
                           activation)

    _takes_preactivation_grad = True   # see Dense

    def backward(self, dy, need_input_grad=True, dy_is_dz=False):
        x, t, z, y, strides, dilation, pads = self._saved
        dy = _windows.to_nhwc(dy.astype("float32", copy=False), self.rank,
                              self.data_format)
        dz = dy if dy_is_dz else activation_backward(
            self.activation, z, y, dy, out=self._buffer("dz", z.shape))
        pk = kernel_2d(self, self.pointwise_kernel.value)
        beta = grad_beta(self.pointwise_kernel)
        dt = _kernels.conv2d_backward(
            t, pk, dz, *_POINTWISE,
            dk=None if beta is None else kernel_2d(
                self, self.pointwise_kernel.grad),
            beta=beta or 0.0, out=self._buffer("dt", t.shape))
        if self.bias is not None:
            store_grad(self.bias, sum_to_bias(dz))
        beta = grad_beta(self.depthwise_kernel)
        dx = _kernels.depthwise2d_backward(
            x, kernel_2d(self, self.depthwise_kernel.value), dt, strides,
            dilation, pads,
            dk=None if beta is None else kernel_2d(
                self, self.depthwise_kernel.grad),
            beta=beta or 0.0,
            input_grad=need_input_grad,
            out=self._buffer("dx", x.shape))
        return None if dx is None else \
            _windows.from_nhwc(dx, self.rank, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
        })
        config.update(_validation.weight_options_config(
            self, ("depthwise", "pointwise", "bias")))
        return config


@register_builtin
class SeparableConv1D(BaseSeparableConv):
    """(batch, steps, channels) -> (batch, new_steps, filters)."""
    rank = 1


@register_builtin
class SeparableConv2D(BaseSeparableConv):
    """(batch, h, w, channels) -> (batch, oh, ow, filters).

    Args:
        filters: output channels of the pointwise convolution.
        kernel_size, strides, dilation_rate: int or pair (depthwise step).
        padding: 'valid' or 'same'.
        depth_multiplier: depthwise filters per input channel.
        data_format: 'channels_last' (default) or 'channels_first'.
        activation, use_bias, depthwise_*/pointwise_*/bias_* initializer,
        regularizer and constraint, activity_regularizer: as in Keras.
    """
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate,
                         depth_multiplier=depth_multiplier, **kwargs)
