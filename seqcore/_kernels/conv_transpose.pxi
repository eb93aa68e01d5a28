# seqcore/_kernels/conv_transpose.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- transposed convolution (conv.c's input gradient) ------------------------

def conv2d_transpose_forward(x, kernel, tuple out_shape, tuple strides,
                             tuple dilation, tuple pads, out=None):
    """The transposed convolution: x (n, ih, iw, c) scattered through the
    kernel (kh, kw, f, c) into (n, oh, ow, f) = out_shape, as the input
    gradient of the convolution of an out_shape input with that (HWIO)
    kernel, whose output is x's (ih, iw); pads = (top, left) are that
    convolution's padding (the cells cropped before the output)."""
    cdef cnp.ndarray X = _float32_c(x, "conv2d_transpose")
    cdef cnp.ndarray K = _float32_c(kernel, "conv2d_transpose kernel")
    if X.ndim != 4 or K.ndim != 4 or K.shape[3] != X.shape[3] or \
            len(out_shape) != 4 or out_shape[0] != X.shape[0] or \
            out_shape[3] != K.shape[2]:
        raise ValueError(f"conv2d_transpose: incompatible shapes x "
                         f"{(<object>X).shape}, kernel {(<object>K).shape}, "
                         f"output {out_shape}")
    cdef sc_window g = _window_of(out_shape, (K.shape[0], K.shape[1]),
                                  strides, dilation, pads,
                                  (X.shape[1], X.shape[2]))
    cdef cnp.ndarray Y = _out_array(out, out_shape, "conv2d_transpose")
    cdef long filters = K.shape[3]
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int status
    with nogil:
        status = sc_conv2d_backward_f32(&g, NULL, pk, filters, px, NULL, 0.0,
                                        py)
    if status != 0:
        raise MemoryError("conv2d_transpose: out of memory for the column "
                          "buffer")
    return Y
