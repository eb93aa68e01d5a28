# seqcore/_kernels/depthwise.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- depthwise convolution (depthwise.c) -------------------------------------

cdef tuple _depthwise_operands(x, kernel, str what):
    """(x, kernel) as C-contiguous float32 arrays, the kernel checked to be
    (kh, kw, c, depth_multiplier) for x's c channels."""
    cdef cnp.ndarray X = _float32_c(x, what)
    cdef cnp.ndarray K = _float32_c(kernel, f"{what} kernel")
    if X.ndim != 4:
        raise ValueError(f"{what}: expected NHWC input of rank 4, received "
                         f"shape {(<object>X).shape}")
    if K.ndim != 4 or K.shape[2] != X.shape[3]:
        raise ValueError(f"{what}: kernel must be (kh, kw, {X.shape[3]}, "
                         f"depth_multiplier) for input channels "
                         f"{X.shape[3]}, received {(<object>K).shape}")
    return X, K


def depthwise2d_forward(x, kernel, bias, tuple strides, tuple dilation,
                        tuple pads, tuple out_hw, activation=None, out=None):
    """NHWC x (n, h, w, c), kernel (kh, kw, c, mult) -> (n, oh, ow, c * mult),
    output channel ch * mult + m; zero padding pads = (top, left), bias
    (c * mult,) or None, and a fused activation."""
    cdef cnp.ndarray X, K
    X, K = _depthwise_operands(x, kernel, "depthwise2d")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, out_hw)
    cdef long mult = K.shape[3]
    cdef long channels = g.c * mult
    cdef cnp.ndarray B = _bias_array(bias, channels, "depthwise2d")
    cdef float *pbias = NULL if B is None else <float *>cnp.PyArray_DATA(B)
    cdef sc_act act = _act_code(activation)
    cdef cnp.ndarray Y = _out_array(out, (g.n, g.oh, g.ow, channels),
                                    "depthwise2d")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    with nogil:
        sc_depthwise2d_forward_f32(&g, px, pk, mult, pbias, act, py)
    return Y


def depthwise2d_backward(x, kernel, dy, tuple strides, tuple dilation,
                         tuple pads, dk=None, float beta=0.0,
                         bint input_grad=True, out=None):
    """Gradients of depthwise2d_forward (without activation) given dy (n, oh,
    ow, c * mult): dk (kh, kw, c, mult) = beta * dk + the kernel gradient,
    written in place, and the input gradient (n, h, w, c), returned when
    input_grad."""
    cdef cnp.ndarray X, K
    X, K = _depthwise_operands(x, kernel, "depthwise2d_backward")
    cdef cnp.ndarray DY = _float32_c(dy, "depthwise2d_backward dy")
    if DY.ndim != 4 or DY.shape[0] != X.shape[0] or \
            DY.shape[3] != K.shape[2] * K.shape[3]:
        raise ValueError(f"depthwise2d_backward: incompatible shapes x "
                         f"{(<object>X).shape}, kernel {(<object>K).shape}, "
                         f"dy {(<object>DY).shape}")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, (DY.shape[1], DY.shape[2]))
    cdef long mult = K.shape[3]
    cdef float *pdk = _dk_pointer(dk, K, "depthwise2d_backward")
    cdef cnp.ndarray DX = _input_grad_array(out, g, input_grad,
                                            "depthwise2d_backward")
    cdef float *pdx = NULL if DX is None else <float *>cnp.PyArray_DATA(DX)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef int status
    with nogil:
        status = sc_depthwise2d_backward_f32(&g, px, pk, mult, pdy, pdk, beta,
                                             pdx)
    if status != 0:
        raise _memory_error("depthwise2d_backward")
    return DX
