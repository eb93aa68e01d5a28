"""Output sizes and padding of sliding windows (convolution and pooling),
with TensorFlow's 'same' rule that Keras uses: the extra padding cell, if
any, goes after (bottom/right)."""


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
