"""Depthwise convolution layers: DepthwiseConv1D and DepthwiseConv2D, each
input channel convolved with its own `depth_multiplier` filters, on the
direct depthwise kernel (csrc/depthwise.c) with the bias and activation
fused.

Kernel (*kernel_size, in_channels, depth_multiplier) named 'kernel', bias
(in_channels * depth_multiplier,), as in Keras; output channel
c * depth_multiplier + m comes from input channel c and filter m.
"""
import numpy as np

from seqcore.config import standardize_data_format
from seqcore import _kernels, activations, regularizers
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import grad_beta, store_grad
from seqcore.layers import _validation, _windows
from seqcore.layers._validation import int_tuple, one_of, positive_int
from seqcore.layers.core import activation_backward, apply_activation, \
    sum_to_bias, train_activation
from seqcore.saving.serialization import register_builtin


def channel_axis(data_format):
    return -1 if data_format == "channels_last" else 1


def input_channels(layer, input_shape):
    """The channel count of `input_shape`, which must be known."""
    channels = input_shape[channel_axis(layer.data_format)]
    if channels is None:
        raise ValueError(f"{layer.__class__.__name__} '{layer.name}': the "
                         f"channel axis of the input must be known, "
                         f"received shape {tuple(input_shape)}")
    return channels


def window_options(layer, rank, kernel_size, strides, padding, data_format,
                   dilation_rate):
    """Validate and set kernel_size, strides, dilation_rate, padding and
    data_format (shared by the depthwise and separable layers)."""
    cls = layer.__class__.__name__
    layer.rank = rank
    layer.kernel_size = int_tuple(cls, "kernel_size", kernel_size, rank)
    layer.strides = int_tuple(cls, "strides", strides, rank)
    layer.dilation_rate = int_tuple(cls, "dilation_rate", dilation_rate, rank)
    layer.padding = one_of(cls, "padding", padding, ("valid", "same"))
    layer.data_format = standardize_data_format(data_format, cls)


def window_output_shape(layer, input_shape, channels):
    """(batch, *sizes, channels) in the layer's data format, for its window,
    strides, dilation and padding."""
    sizes = [_windows.output_length(length, k, s, d, layer.padding)
             for length, k, s, d in zip(
                 _windows.spatial_shape(input_shape, layer.data_format),
                 layer.kernel_size, layer.strides, layer.dilation_rate)]
    _windows.check_output(layer, input_shape, sizes)
    return _windows.output_shape(input_shape, sizes, channels,
                                 layer.data_format)


def kernel_2d(layer, kernel):
    """A rank-1 layer's kernel with a height of 1, for the 2-D kernels."""
    return kernel[None] if layer.rank == 1 else kernel


class BaseDepthwiseConv(Layer):
    rank = None  # 1 or 2

    def __init__(self, kernel_size, strides=1, padding="valid",
                 depth_multiplier=1, data_format=None, dilation_rate=1,
                 activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = self.__class__.__name__
        self.depth_multiplier = positive_int(cls, "depth_multiplier",
                                             depth_multiplier)
        window_options(self, self.rank, kernel_size, strides, padding,
                       data_format, dilation_rate)
        self.activation = _validation.activation(cls, "activation",
                                                 activation)
        _validation.weight_options(self, ("depthwise", "bias"), use_bias,
                                   locals())
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    def build(self, input_shape):
        channels = input_channels(self, input_shape)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint, name="kernel")
        self.bias = self.add_weight(
            shape=(channels * self.depth_multiplier,),
            initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias") \
            if self.use_bias else None
        self.input_spec = InputSpec(
            ndim=self.rank + 2,
            axes={channel_axis(self.data_format): channels})

    def compute_output_shape(self, input_shape):
        channels = input_shape[channel_axis(self.data_format)]
        return window_output_shape(
            self, input_shape,
            None if channels is None else channels * self.depth_multiplier)

    def call(self, inputs, training=None):
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        _, strides, dilation, out, pads = _windows.geometry(
            self, x.shape, self.kernel_size, self.strides, self.dilation_rate)
        kernel = kernel_2d(self, self.kernel.value)
        bias = None if self.bias is None else self.bias.value
        fused = activations.KERNEL_NAMES.get(self.activation, False)
        shape = (x.shape[0],) + tuple(out) + (kernel.shape[2] *
                                              kernel.shape[3],)
        if training:
            z, y = train_activation(lambda act: _kernels.depthwise2d_forward(
                x, kernel, bias, strides, dilation, pads, out,
                activation=act, out=self._buffer("z", shape)),
                self.activation, self._buffer("y", shape))
            self._saved = (x, z, y, strides, dilation, pads)
        else:
            y = _kernels.depthwise2d_forward(x, kernel, bias, strides,
                                             dilation, pads, out,
                                             activation=fused or None)
            if fused is False:
                y = apply_activation(y, self.activation)
        return _windows.from_nhwc(y, self.rank, self.data_format)

    def call_folded(self, inputs, scale, shift, activation=None):
        """Inference output followed by the per-channel affine map
        y * scale + shift (a BatchNormalization folded in) and `activation`
        (a C kernel activation name or None), as one depthwise convolution
        with its kernel and bias scaled per output channel. None when this
        layer has its own activation (see BaseConv.call_folded).

        Args:
            inputs: the layer's input.
            scale, shift: float32 arrays of shape (channels * multiplier,).
            activation: applied in the kernel's epilogue.
        """
        if activations.KERNEL_NAMES.get(self.activation, False) is not None:
            return None
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        _, strides, dilation, out, pads = _windows.geometry(
            self, x.shape, self.kernel_size, self.strides, self.dilation_rate)
        kernel = kernel_2d(self, self.kernel.value)
        kernel = kernel * scale.reshape(kernel.shape[2:])
        bias = shift if self.bias is None else \
            (self.bias.value * scale + shift).astype(np.float32)
        y = _kernels.depthwise2d_forward(x, kernel, bias, strides, dilation,
                                         pads, out, activation=activation)
        return _windows.from_nhwc(y, self.rank, self.data_format)

    _takes_preactivation_grad = True   # see Dense

    def backward(self, dy, need_input_grad=True, dy_is_dz=False):
        x, z, y, strides, dilation, pads = self._saved
        dy = _windows.to_nhwc(dy.astype("float32", copy=False), self.rank,
                              self.data_format)
        dz = dy if dy_is_dz else activation_backward(
            self.activation, z, y, dy, out=self._buffer("dz", z.shape))
        beta = grad_beta(self.kernel)
        dk = None if beta is None else kernel_2d(self, self.kernel.grad)
        dx = _kernels.depthwise2d_backward(
            x, kernel_2d(self, self.kernel.value), dz, strides, dilation,
            pads, dk=dk, beta=beta or 0.0,
            input_grad=need_input_grad,
            out=self._buffer("dx", x.shape))
        if self.bias is not None:
            store_grad(self.bias, sum_to_bias(dz))
        return None if dx is None else \
            _windows.from_nhwc(dx, self.rank, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
        })
        config.update(_validation.weight_options_config(
            self, ("depthwise", "bias")))
        return config


@register_builtin
class DepthwiseConv1D(BaseDepthwiseConv):
    """(batch, steps, channels) -> (batch, new_steps,
    channels * depth_multiplier); kernel (kernel_size, channels,
    depth_multiplier)."""
    rank = 1


@register_builtin
class DepthwiseConv2D(BaseDepthwiseConv):
    """(batch, h, w, channels) -> (batch, oh, ow,
    channels * depth_multiplier); kernel (kh, kw, channels,
    depth_multiplier).

    Args:
        kernel_size: int or (kh, kw).
        strides: int or (sh, sw).
        padding: 'valid' or 'same'.
        depth_multiplier: filters per input channel.
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or (dh, dw).
        activation, use_bias, depthwise_*/bias_* initializer, regularizer
        and constraint, activity_regularizer: as in Keras.
    """
    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid",
                 depth_multiplier=1, data_format=None, dilation_rate=(1, 1),
                 **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier,
                         data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
