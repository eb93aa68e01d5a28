"""Output sizes and padding of sliding windows (convolution and pooling),
with TensorFlow's 'same' rule that Keras uses: the extra padding cell, if
any, goes after (bottom/right); and the NHWC conversions the conv and
pooling kernels share."""
from dataclasses import dataclass

import numpy as np


def effective_size(window, dilation):
    return (window - 1) * dilation + 1


def output_length(length, window, stride, dilation, padding):
    """Output length along one axis, None when the input length is unknown."""
    if length is None:
        return None
    if padding == "valid":
        return (length - effective_size(window, dilation)) // stride + 1
    return (length + stride - 1) // stride  # 'same' and 'causal'


def padding_before(length, window, stride, dilation, padding):
    """Zeros (or ignored cells) before the first input element."""
    eff = effective_size(window, dilation)
    if padding == "valid":
        return 0
    if padding == "causal":
        return eff - 1
    out = output_length(length, window, stride, dilation, padding)
    return max((out - 1) * stride + eff - length, 0) // 2


def check_output(layer, input_shape, sizes):
    if any(s is not None and s <= 0 for s in sizes):
        raise ValueError(
            f"{layer.__class__.__name__} '{layer.name}': computed output size "
            f"would be non-positive ({tuple(sizes)}) for input shape "
            f"{tuple(input_shape)} with window "
            f"{getattr(layer, 'kernel_size', getattr(layer, 'pool_size', '?'))}"
            f", strides {layer.strides} and padding '{layer.padding}'.")


def spatial_shape(shape, data_format):
    """The spatial axes of an input shape, channels first or last."""
    return tuple(shape[1:-1]) if data_format == "channels_last" \
        else tuple(shape[2:])


def output_shape(input_shape, sizes, channels, data_format):
    """(batch, *sizes, channels) in the layer's data format."""
    if data_format == "channels_last":
        return (input_shape[0],) + tuple(sizes) + (channels,)
    return (input_shape[0], channels) + tuple(sizes)


def to_nhwc(x, rank, data_format):
    """Input as contiguous NHWC; a 1-D input gets a height of 1."""
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    if rank == 1:
        x = x[:, np.newaxis]
    return np.ascontiguousarray(x)


def from_nhwc(y, rank, data_format):
    """The inverse of to_nhwc on a kernel's output."""
    if rank == 1:
        y = y[:, 0]
    if data_format == "channels_first":
        y = np.ascontiguousarray(np.moveaxis(y, -1, 1))
    return y


def geometry(layer, nhwc_shape, window, strides, dilation):
    """(output height and width, padding before) for the kernels, on NHWC
    input (1-D as height 1): the layer's window, strides and dilation are
    padded with 1s for the missing height."""
    fill = (1,) * (2 - len(window))
    window, strides, dilation = (fill + tuple(window), fill + tuple(strides),
                                 fill + tuple(dilation))
    out, pads = [], []
    for length, k, s, d in zip(nhwc_shape[1:3], window, strides, dilation):
        out.append(output_length(length, k, s, d, layer.padding))
        pads.append(padding_before(length, k, s, d, layer.padding))
    if min(out) <= 0:
        check_output(layer, nhwc_shape, out)
    return window, strides, dilation, tuple(out), tuple(pads)


@dataclass
class RoutedGradient:
    """A max pooling's input gradient, not expanded: each pooled output's
    gradient `values[i, a, b, c]` belongs to input pixel `where[i, a, b, c]`
    (h * w index, of channel c), whose value is `outputs[i, a, b, c]`. All
    three are NHWC, shaped like the pooling's output. The convolution that
    produced the pooling's input takes it in place of a dense gradient and
    skips the zeros (docs/architecture.md: one C call per layer)."""
    values: np.ndarray
    where: np.ndarray
    outputs: np.ndarray
