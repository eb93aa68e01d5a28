"""3-D convolutions (NDHWC) as sums over depth taps of the conv2d GEMM
kernel, forward and backward, for the ConvLSTM layers.

For depth tap a, output depth o reads input depth o * sd + a * dd - pd;
the input slices of all output depths are gathered into one batch of
(n * od) images and convolved with the tap's 2-D kernel. A kernel of depth
1 on a depth-1 input (ConvLSTM1D/2D) is one conv2d call on the input as is.
"""
import numpy as np

from seqcore import _kernels


def _tap_rows(x, a, strides, dilation, pads, out_depth):
    """(gathered (n, od, h, w, c) input of tap a or x itself, valid output
    depths (index array), their input depths), or None when no output
    depth reads this tap."""
    n, depth = x.shape[:2]
    src = np.arange(out_depth) * strides[0] + a * dilation[0] - pads[0]
    valid = (src >= 0) & (src < depth)
    if not valid.any():
        return None
    outs, ins = np.nonzero(valid)[0], src[valid]
    if len(outs) == out_depth == depth and np.array_equal(ins, outs):
        return x, outs, ins
    rows = np.zeros((n, out_depth) + x.shape[2:], np.float32)
    rows[:, outs] = x[:, ins]
    return rows, outs, ins


def conv3d_forward(x, kernel, bias, strides, dilation, pads, out_shape):
    """x (n, d, h, w, c) * kernel (kd, kh, kw, c, f) + bias -> (n, od, oh,
    ow, f); pads = (front, top, left) zero padding; out_shape (od, oh,
    ow)."""
    n = x.shape[0]
    od, oh, ow = out_shape
    f = kernel.shape[-1]
    y = None
    for a in range(kernel.shape[0]):
        taps = _tap_rows(x, a, strides, dilation, pads, od)
        if taps is None:
            continue
        rows = np.ascontiguousarray(taps[0]).reshape((n * od,) +
                                                     x.shape[2:])
        part = _kernels.conv2d_forward(
            rows, np.ascontiguousarray(kernel[a]), bias if y is None else None,
            tuple(strides[1:]), tuple(dilation[1:]), tuple(pads[1:]),
            (oh, ow)).reshape(n, od, oh, ow, f)
        y = part if y is None else y + part
    if y is None:
        y = np.zeros((n, od, oh, ow, f), np.float32)
        if bias is not None:
            y += bias
    return y


def conv3d_backward(x, kernel, dy, strides, dilation, pads, dk, beta,
                    input_grad):
    """Gradients of conv3d_forward given dy (n, od, oh, ow, f): dk (the
    kernel's shape, C-contiguous) = beta * dk + the kernel gradient, in
    place; returns the input gradient (n, d, h, w, c) when input_grad."""
    n = x.shape[0]
    od = dy.shape[1]
    dy_rows = np.ascontiguousarray(dy).reshape((n * od,) + dy.shape[2:])
    dx = np.zeros(x.shape, np.float32) if input_grad else None
    for a in range(kernel.shape[0]):
        taps = _tap_rows(x, a, strides, dilation, pads, od)
        if taps is None:
            if beta == 0.0:
                dk[a] = 0.0
            else:
                dk[a] *= beta
            continue
        rows, outs, ins = taps
        part = _kernels.conv2d_backward(
            np.ascontiguousarray(rows).reshape((n * od,) + x.shape[2:]),
            np.ascontiguousarray(kernel[a]), dy_rows, tuple(strides[1:]),
            tuple(dilation[1:]), tuple(pads[1:]), dk=dk[a], beta=beta,
            input_grad=input_grad)
        if input_grad:
            part = part.reshape((n, od) + x.shape[2:])
            dx[:, ins] += part[:, outs]
    return dx
