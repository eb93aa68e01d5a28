"""Convolution layers: Conv1D and Conv2D (NHWC data, HWIO kernels), on the
im2col + GEMM kernel with the bias and activation fused."""
import numpy as np

from seqcore.config import standardize_data_format
from seqcore import _kernels, activations, regularizers
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.layers import _grouped_conv, _windows
from seqcore.layers._validation import int_tuple, one_of, positive_int
from seqcore.engine.variables import grad_beta, store_grad
from seqcore.layers.core import OUTPUT_DERIVATIVE, activation_backward, \
    apply_activation, sum_to_bias, train_activation
from seqcore.layers import _validation
from seqcore.saving.serialization import register_builtin


class BaseConv(Layer):
    rank = None  # 1 or 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls, n = self.__class__.__name__, self.rank
        self.filters = positive_int(cls, "filters", filters)
        self.kernel_size = int_tuple(cls, "kernel_size", kernel_size, n)
        self.strides = int_tuple(cls, "strides", strides, n)
        self.dilation_rate = int_tuple(cls, "dilation_rate", dilation_rate, n)
        paddings = ("valid", "same", "causal") if n == 1 else ("valid", "same")
        self.padding = one_of(cls, "padding", padding, paddings)
        self.data_format = standardize_data_format(data_format, cls)
        self.groups = positive_int(cls, "groups", groups)
        if self.filters % self.groups:
            raise ValueError(
                f"{cls}: the number of filters must be evenly divisible by "
                f"the number of groups. Received: groups={self.groups}, "
                f"filters={self.filters}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{cls}: `strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}")
        self.activation = _validation.activation(cls, "activation",
                                                 activation)
        _validation.weight_options(self, ("kernel", "bias"), use_bias,
                                   locals())
        self.input_spec = InputSpec(ndim=n + 2)

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(f"{self.__class__.__name__} '{self.name}': the "
                             f"channel axis of the input must be known, "
                             f"received shape {tuple(input_shape)}")
        _grouped_conv.check(self, channels)
        self.kernel = self.add_weight(
            shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint, name="kernel")
        self.bias = self.add_weight(
            shape=(self.filters,), initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias") \
            if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={self._channel_axis(): channels})

    def compute_output_shape(self, input_shape):
        sizes = [_windows.output_length(length, k, s, d, self.padding)
                 for length, k, s, d in zip(
                     _windows.spatial_shape(input_shape, self.data_format),
                     self.kernel_size, self.strides, self.dilation_rate)]
        _windows.check_output(self, input_shape, sizes)
        return _windows.output_shape(input_shape, sizes, self.filters,
                                     self.data_format)

    def call(self, inputs, training=None):
        if self.groups > 1:
            return _grouped_conv.call(self, inputs, training)
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        _, strides, dilation, out, pads = _windows.geometry(
            self, x.shape, self.kernel_size, self.strides, self.dilation_rate)
        fused = activations.KERNEL_NAMES.get(self.activation, False)
        kernel = self._kernel_2d(self.kernel.value)
        bias = None if self.bias is None else self.bias.value
        if training:
            shape = (x.shape[0],) + tuple(out) + (self.filters,)
            z, y = train_activation(lambda act: _kernels.conv2d_forward(
                x, kernel, bias, strides, dilation, pads, out,
                activation=act, out=self._buffer("z", shape)),
                self.activation, self._buffer("y", shape))
            self._saved = (x, z, y, strides, dilation, pads, out)
        else:
            y = _kernels.conv2d_forward(x, kernel, bias, strides, dilation,
                                        pads, out, activation=fused or None)
            if fused is False:
                y = apply_activation(y, self.activation)
        return _windows.from_nhwc(y, self.rank, self.data_format)

    def call_folded(self, inputs, scale, shift, activation=None):
        """Inference output of this layer followed by the per-filter affine
        map y * scale + shift (a BatchNormalization at inference, folded
        in) and `activation` (a C kernel activation name or None), as one
        convolution whose kernel and bias are scaled per filter. None when
        this layer has its own activation or groups, for the caller to run
        the layers apart.

        Args:
            inputs: the layer's input.
            scale, shift: float32 arrays of shape (filters,).
            activation: applied in the convolution's epilogue.
        """
        if self.groups > 1 or \
                activations.KERNEL_NAMES.get(self.activation, False) is not None:
            return None
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        _, strides, dilation, out, pads = _windows.geometry(
            self, x.shape, self.kernel_size, self.strides, self.dilation_rate)
        kernel = self._kernel_2d(self.kernel.value) * scale
        bias = shift if self.bias is None else \
            (self.bias.value * scale + shift).astype(np.float32)
        y = _kernels.conv2d_forward(x, kernel, bias, strides, dilation, pads,
                                    out, activation=activation)
        return _windows.from_nhwc(y, self.rank, self.data_format)

    def _call_pooled(self, inputs, pool, training=True):
        """call(inputs, training) and then `pool`'s (a MaxPooling that
        fuses_with this layer), in one kernel that never writes this
        layer's full output (conv_pool.c). Returns the pooled output; in
        training, both layers are left ready for backward()."""
        x = _windows.to_nhwc(inputs, self.rank, self.data_format)
        _, strides, dilation, out, pads = _windows.geometry(
            self, x.shape, self.kernel_size, self.strides, self.dilation_rate)
        window = (1,) * (2 - self.rank) + tuple(pool.pool_size)
        shape = (x.shape[0], out[0] // window[0], out[1] // window[1],
                 self.filters)
        where = pool._buffer("where", shape, np.int32) if training else None
        y = _kernels.conv2d_maxpool_forward(
            x, self._kernel_2d(self.kernel.value),
            None if self.bias is None else self.bias.value, strides,
            dilation, pads, out, window,
            activation=activations.KERNEL_NAMES.get(self.activation),
            out=pool._buffer("y", shape) if training else None, where=where)
        if training:
            self._saved = (x, None, None, strides, dilation, pads, out)
            pool._saved = ((x.shape[0],) + out + (self.filters,), y, where,
                           window, window, (0, 0))
        return _windows.from_nhwc(y, self.rank, self.data_format)

    def _kernel_2d(self, kernel):
        """The HWIO kernel the 2-D C kernels take (1-D: height 1)."""
        return kernel[np.newaxis] if self.rank == 1 else kernel

    _takes_preactivation_grad = True   # see Dense

    def backward(self, dy, need_input_grad=True, dy_is_dz=False):
        if self.groups > 1:
            return _grouped_conv.backward(self, dy, need_input_grad,
                                          dy_is_dz)
        if isinstance(dy, _windows.RoutedGradient):
            return self._backward_routed(dy, need_input_grad)
        x, z, y, strides, dilation, pads, _ = self._saved
        if z is None:
            raise RuntimeError(
                f"{self.__class__.__name__} '{self.name}' ran as one kernel "
                f"with the max pooling after it: its gradient comes through "
                f"that pooling's backward_routed(), not a dense gradient")
        dy = _windows.to_nhwc(np.asarray(dy, np.float32), self.rank,
                              self.data_format)
        dz = dy if dy_is_dz else activation_backward(
            self.activation, z, y, dy, out=self._buffer("dz", z.shape))
        dz = np.ascontiguousarray(dz)
        beta = grad_beta(self.kernel)
        dk = None if beta is None else self._kernel_2d(self.kernel.grad)
        dx = _kernels.conv2d_backward(
            x, self._kernel_2d(self.kernel.value), dz, strides, dilation,
            pads, dk=dk, beta=beta or 0.0, input_grad=need_input_grad,
            out=self._buffer("dx", x.shape))
        if self.bias is not None:
            store_grad(self.bias, sum_to_bias(dz))
        return None if dx is None else \
            _windows.from_nhwc(dx, self.rank, self.data_format)

    def accepts_routed_gradient(self):
        """Whether backward() takes a max pooling's RoutedGradient: the
        activation's derivative must follow from its output alone (the
        routed outputs are what the pooling kept) and no activity
        regularizer may add a dense gradient."""
        return self.groups == 1 and self.activity_regularizer is None and (
            self.activation is activations.linear or
            activations.KERNEL_NAMES.get(self.activation) in
            OUTPUT_DERIVATIVE)

    def _backward_routed(self, routed, need_input_grad=True):
        """backward() on the few outputs a max pooling routed a gradient
        to (conv_routed.c): about a quarter of the dense work after a 2x2
        pooling."""
        x, _, _, strides, dilation, pads, out = self._saved
        dz = activation_backward(self.activation, routed.outputs,
                                 routed.outputs, routed.values,
                                 out=self._buffer("routed_dz",
                                                  routed.values.shape))
        beta = grad_beta(self.kernel)
        dk = None if beta is None else self._kernel_2d(self.kernel.grad)
        db = None if self.bias is None or self.bias.grad is None else \
            self._buffer("routed_db", (self.filters,))
        dx = _kernels.conv2d_backward_routed(
            x, self._kernel_2d(self.kernel.value), dz, routed.where,
            out, strides, dilation, pads, dk=dk, beta=beta or 0.0,
            input_grad=need_input_grad,
            out=self._buffer("dx", x.shape), db=db)
        if db is not None:
            store_grad(self.bias, db)
        return None if dx is None else \
            _windows.from_nhwc(dx, self.rank, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate, "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
        })
        config.update(_validation.weight_options_config(
            self, ("kernel", "bias")))
        return config


@register_builtin
class Conv1D(BaseConv):
    """(batch, steps, channels) -> (batch, new_steps, filters);
    kernel (kernel_size, channels, filters). padding may be 'causal'."""
    rank = 1


@register_builtin
class Conv2D(BaseConv):
    """(batch, h, w, channels) -> (batch, oh, ow, filters);
    kernel (kh, kw, channels, filters)."""
    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), groups=1, **kwargs):
        super().__init__(filters, kernel_size, strides=strides,
                         padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, **kwargs)
