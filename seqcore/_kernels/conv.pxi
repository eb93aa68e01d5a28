# seqcore/_kernels/conv.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- convolution and pooling -------------------------------------------------

cdef cnp.ndarray _out_array(out, tuple shape, str what):
    """`out` checked to be a C-contiguous float32 array of `shape`, or a new
    one when None."""
    if out is None:
        return np.empty(shape, np.float32)
    if not (isinstance(out, np.ndarray) and out.dtype == np.float32 and
            out.flags.c_contiguous and out.flags.writeable and
            out.shape == shape):
        raise ValueError(f"{what}: out must be a writable C-contiguous "
                         f"float32 array of shape {shape}")
    return out


cdef sc_window _window(cnp.ndarray x, tuple window, tuple strides,
                       tuple dilation, tuple pads, tuple out_hw) except *:
    """The geometry struct for NHWC x; checks the output size it implies."""
    if cnp.PyArray_NDIM(x) != 4:
        raise ValueError(f"expected NHWC input of rank 4, received shape "
                         f"{(<object>x).shape}")
    return _window_of(tuple((<object>x).shape), window, strides, dilation,
                      pads, out_hw)


cdef sc_window _window_of(tuple nhwc, tuple window, tuple strides,
                          tuple dilation, tuple pads, tuple out_hw) except *:
    """The geometry struct for an NHWC input shape."""
    cdef sc_window g
    g.n, g.h, g.w, g.c = nhwc
    g.kh, g.kw = window
    g.sh, g.sw = strides
    g.dh, g.dw = dilation
    g.pad_top, g.pad_left = pads
    g.oh, g.ow = out_hw
    if min(g.kh, g.kw, g.sh, g.sw, g.dh, g.dw) < 1 or min(g.oh, g.ow) < 0 \
            or min(g.pad_top, g.pad_left) < 0 or min(g.n, g.h, g.w, g.c) < 0:
        raise ValueError(f"invalid window {window}, strides {strides}, "
                         f"dilation {dilation}, padding {pads} or output "
                         f"size {out_hw}")
    # The last window of each axis must start inside the padded input.
    if g.oh and (g.oh - 1) * g.sh - g.pad_top > g.h - 1 + g.kh * g.dh:
        raise ValueError(f"output height {g.oh} does not fit input height "
                         f"{g.h}")
    if g.ow and (g.ow - 1) * g.sw - g.pad_left > g.w - 1 + g.kw * g.dw:
        raise ValueError(f"output width {g.ow} does not fit input width "
                         f"{g.w}")
    return g


cdef int *_where_array(where, tuple shape, str what) except NULL:
    """The data of `where`, checked to be a writable C-contiguous int32 array
    of `shape`."""
    if not (isinstance(where, np.ndarray) and where.dtype == np.int32 and
            where.flags.c_contiguous and where.flags.writeable and
            where.shape == shape):
        got = (f"{where.dtype} array of shape {where.shape}"
               if isinstance(where, np.ndarray) else type(where).__name__)
        raise ValueError(f"{what}: where must be a writable C-contiguous "
                         f"int32 array of shape {shape}, received {got}")
    return <int *>cnp.PyArray_DATA(<cnp.ndarray>where)


cdef cnp.ndarray _bias_array(bias, long filters, str what):
    """bias as a C-contiguous float32 array of shape (filters,), or None."""
    if bias is None:
        return None
    cdef cnp.ndarray B = _float32_c(bias, f"{what} bias")
    if B.ndim != 1 or B.shape[0] != filters:
        raise ValueError(f"{what}: bias must have shape ({filters},), "
                         f"received {(<object>B).shape}")
    return B


cdef int _check_int_indices(long count, str what, str indexed) except -1:
    """Raise unless `count` indices fit the kernels' int32 pixel indices."""
    if count > 2147483647:
        raise ValueError(f"{what}: the {indexed} has {count} elements, more "
                         f"than the 2**31 - 1 that int32 indices address")
    return 0


cdef int _check_pixels(const int *where, long size, long h, long w,
                      str what, str image) except -1:
    """Raise unless every entry of `where` (size ints) is a pixel of an h x w
    image or negative (none): the kernels index with them."""
    cdef long i, bad = -1
    with nogil:
        for i in range(size):
            if where[i] >= h * w:
                bad = i
                break
    if bad >= 0:
        raise ValueError(f"{what}: where holds pixel {where[bad]}, outside "
                         f"the {h}x{w} {image}")
    return 0


cdef tuple _conv_operands(x, kernel, str what):
    """(x, kernel) as C-contiguous float32 arrays, the kernel checked to be
    HWIO (kh, kw, c, filters) for x's c channels."""
    cdef cnp.ndarray X = _float32_c(x, what)
    cdef cnp.ndarray K = _float32_c(kernel, f"{what} kernel")
    if K.ndim != 4 or K.shape[2] != X.shape[3]:
        raise ValueError(f"{what}: kernel must be (kh, kw, {X.shape[3]}, "
                         f"filters) for input channels {X.shape[3]}, "
                         f"received {(<object>K).shape}")
    return X, K


def conv2d_forward(x, kernel, bias, tuple strides, tuple dilation,
                   tuple pads, tuple out_hw, activation=None, out=None):
    """NHWC x (n, h, w, c) * HWIO kernel (kh, kw, c, f) -> (n, oh, ow, f),
    with zero padding pads = (top, left), bias (f,) or None, and a fused
    activation."""
    cdef cnp.ndarray X, K
    X, K = _conv_operands(x, kernel, "conv2d")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, out_hw)
    cdef long filters = K.shape[3]
    cdef cnp.ndarray B = _bias_array(bias, filters, "conv2d")
    cdef float *pbias = NULL if B is None else <float *>cnp.PyArray_DATA(B)
    cdef sc_act act = _act_code(activation)
    cdef cnp.ndarray Y = _out_array(out, (g.n, g.oh, g.ow, filters),
                                    "conv2d")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int status
    with nogil:
        status = sc_conv2d_forward_f32(&g, px, pk, filters, pbias, act, py)
    if status != 0:
        raise _memory_error("conv2d")
    return Y


def dropout_mask(key, double rate, out):
    """Fill `out` (a C-contiguous float32 array) with a dropout mask: 1 /
    (1 - rate) where a uniform draw is >= rate, else 0. The draws are a hash
    of (key, index): the same mask for a key at any thread count."""
    if not (0.0 <= rate < 1.0):
        raise ValueError(f"dropout_mask: rate must be in [0, 1), received "
                         f"{rate}")
    if not (isinstance(out, np.ndarray) and out.dtype == np.float32 and
            out.flags.c_contiguous and out.flags.writeable):
        raise ValueError("dropout_mask: out must be a writable C-contiguous "
                         "float32 array")
    cdef uint64_t k = <uint64_t>(int(key) & 0xFFFFFFFFFFFFFFFF)
    cdef long n = (<cnp.ndarray>out).size
    cdef float scale = <float>(1.0 / (1.0 - rate))  # from the double rate, as Keras
    cdef float *p = <float *>cnp.PyArray_DATA(<cnp.ndarray>out)
    with nogil:
        sc_dropout_mask_f32(k, n, rate, scale, p)
    return out


def conv2d_maxpool_forward(x, kernel, bias, tuple strides, tuple dilation,
                           tuple pads, tuple out_hw, tuple pool_size,
                           activation=None, out=None, where=None):
    """conv2d_forward (output size out_hw) then max pooling with window =
    strides = pool_size and no padding, in one pass: returns the pooled
    (n, oh // ph, ow // pw, f) and fills `where` (int32, same shape) with
    each maximum's pixel of the convolution's output, as pool2d_forward
    does, when given."""
    cdef cnp.ndarray X, K
    X, K = _conv_operands(x, kernel, "conv2d_maxpool")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, out_hw)
    cdef long ph, pw
    ph, pw = pool_size
    if ph < 1 or pw < 1:
        raise ValueError(f"conv2d_maxpool: invalid pool size {pool_size}")
    cdef long filters = K.shape[3]
    cdef cnp.ndarray B = _bias_array(bias, filters, "conv2d_maxpool")
    cdef float *pbias = NULL if B is None else <float *>cnp.PyArray_DATA(B)
    cdef sc_act act = _act_code(activation)
    cdef tuple shape = (g.n, g.oh // ph, g.ow // pw, filters)
    cdef cnp.ndarray Y = _out_array(out, shape, "conv2d_maxpool")
    cdef int *pwhere = NULL
    if where is not None:
        _check_int_indices(g.oh * g.ow, "conv2d_maxpool",
                           "convolution's output image")
        pwhere = _where_array(where, shape, "conv2d_maxpool")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int status
    with nogil:
        status = sc_conv2d_maxpool_forward_f32(&g, px, pk, filters, pbias,
                                               act, ph, pw, py, pwhere)
    if status != 0:
        raise _memory_error("conv2d_maxpool")
    return Y


def conv2d_maxpool_path(tuple x_shape, tuple kernel_hw, tuple strides,
                        tuple dilation, tuple pads, tuple out_hw,
                        tuple pool_size):
    """Which kernel conv2d_maxpool_forward runs for an NHWC input of shape
    x_shape (n, h, w, c) and these arguments: 'thin', 'winograd' or
    'gemm'."""
    cdef sc_window g = _window_of(x_shape, kernel_hw, strides, dilation,
                                  pads, out_hw)
    cdef long ph, pw
    ph, pw = pool_size
    if ph < 1 or pw < 1:
        raise ValueError(f"conv2d_maxpool: invalid pool size {pool_size}")
    return sc_conv2d_maxpool_path(&g, ph, pw).decode()


def pool2d_forward(x, str mode, tuple window, tuple strides, tuple pads,
                   tuple out_hw, out=None, where=None):
    """Max ('max') or average ('avg') pooling of NHWC x -> (n, oh, ow, c).
    For 'max', `where` (an int32 array shaped like the output) receives the
    pixel ih * w + iw of each window's first maximum, for pool2d_backward."""
    cdef cnp.ndarray X = _float32_c(x, "pool2d")
    cdef sc_window g = _window(X, window, strides, (1, 1), pads, out_hw)
    cdef tuple shape = (g.n, g.oh, g.ow, g.c)
    cdef cnp.ndarray Y = _out_array(out, shape, "pool2d")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int *pwhere = NULL
    if mode == "max":
        if where is not None:
            _check_int_indices(g.h * g.w, "pool2d", "input image")
            pwhere = _where_array(where, shape, "pool2d")
        with nogil:
            sc_maxpool2d_forward_f32(&g, px, py, pwhere)
    elif mode == "avg":
        if where is not None:
            raise ValueError("pool2d: where is only recorded by 'max' "
                             "pooling")
        with nogil:
            sc_avgpool2d_forward_f32(&g, px, py)
    else:
        raise ValueError(f"pool2d: mode must be 'max' or 'avg', received "
                         f"{mode!r}")
    return Y


cdef cnp.ndarray _input_grad_array(out, sc_window g, bint wanted,
                                   str what):
    """The array (n, h, w, c) a backward writes the input gradient into
    (`out`, checked, or a new one), or None when it is not wanted."""
    if not wanted:
        return None
    return _out_array(out, (g.n, g.h, g.w, g.c), what)


cdef float *_dk_pointer(dk, cnp.ndarray K, str what) except? NULL:
    """The data of the kernel gradient `dk` (a C-contiguous float32 array
    shaped like the kernel K), or NULL for None."""
    if dk is None:
        return NULL
    if not (isinstance(dk, np.ndarray) and dk.dtype == np.float32 and
            dk.flags.c_contiguous and dk.shape == (<object>K).shape):
        raise ValueError(f"{what}: dk must be a C-contiguous float32 array "
                         f"of shape {(<object>K).shape}")
    return <float *>cnp.PyArray_DATA(<cnp.ndarray>dk)


def conv2d_backward(x, kernel, dy, tuple strides, tuple dilation, tuple pads,
                    dk=None, float beta=0.0, bint input_grad=True, out=None):
    """Gradients of conv2d_forward (without activation) given dy (n, oh, ow,
    f): dk (kh, kw, c, f) = beta * dk + patches^T dy, written in place, and
    the input gradient (n, h, w, c), returned when input_grad."""
    cdef cnp.ndarray X = _float32_c(x, "conv2d_backward")
    cdef cnp.ndarray K = _float32_c(kernel, "conv2d_backward kernel")
    cdef cnp.ndarray DY = _float32_c(dy, "conv2d_backward dy")
    if K.ndim != 4 or K.shape[2] != X.shape[3] or DY.ndim != 4 or \
            DY.shape[0] != X.shape[0] or DY.shape[3] != K.shape[3]:
        raise ValueError(f"conv2d_backward: incompatible shapes x "
                         f"{(<object>X).shape}, kernel {(<object>K).shape}, "
                         f"dy {(<object>DY).shape}")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, (DY.shape[1], DY.shape[2]))
    cdef long filters = K.shape[3]
    cdef float *pdk = _dk_pointer(dk, K, "conv2d_backward")
    cdef cnp.ndarray DX = _input_grad_array(out, g, input_grad,
                                            "conv2d_backward")
    cdef float *pdx = NULL if DX is None else <float *>cnp.PyArray_DATA(DX)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef int status
    with nogil:
        status = sc_conv2d_backward_f32(&g, px, pk, filters, pdy, pdk, beta,
                                        pdx)
    if status != 0:
        raise _memory_error("conv2d_backward")
    return DX


def pool2d_backward(dy, str mode, tuple input_shape, tuple window,
                    tuple strides, tuple pads, where=None, out=None):
    """Gradient (n, h, w, c) = input_shape of pool2d_forward given dy (n, oh,
    ow, c); 'max' routes each window's gradient to the pixel `where` holds
    (as recorded by pool2d_forward)."""
    cdef cnp.ndarray DY = _float32_c(dy, "pool2d_backward dy")
    if DY.ndim != 4 or len(input_shape) != 4 or \
            DY.shape[0] != input_shape[0] or DY.shape[3] != input_shape[3]:
        raise ValueError(f"pool2d_backward: dy {(<object>DY).shape} does not "
                         f"match the input shape {input_shape}")
    cdef sc_window g = _window_of(input_shape, window, strides, (1, 1), pads,
                                  (DY.shape[1], DY.shape[2]))
    cdef cnp.ndarray DX = _out_array(out, input_shape, "pool2d_backward")
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef float *pdx = <float *>cnp.PyArray_DATA(DX)
    cdef const int *pwhere
    if mode == "max":
        pwhere = _where_array(where, (<object>DY).shape, "pool2d_backward")
        _check_pixels(pwhere, DY.size, g.h, g.w, "pool2d_backward", "input")
        with nogil:
            sc_maxpool2d_backward_f32(&g, pwhere, pdy, pdx)
    elif mode == "avg":
        with nogil:
            sc_avgpool2d_backward_f32(&g, pdy, pdx)
    else:
        raise ValueError(f"pool2d_backward: mode must be 'max' or 'avg', "
                         f"received {mode!r}")
    return DX


def conv2d_backward_routed(x, kernel, dz, where, tuple out_hw,
                           tuple strides, tuple dilation, tuple pads,
                           dk=None, float beta=0.0, bint input_grad=True,
                           out=None, db=None):
    """Gradients of conv2d_forward (output (n, oh, ow, f) = out_hw) when only
    the outputs `where` names have a gradient: dz and where are (n, ...,
    f), dz[i, ..., j] being the gradient of output pixel where[i, ..., j]
    (oh * ow index, negative: none) of filter j, as max pooling's
    pool2d_forward records them. dk = beta * dk + the kernel gradient, in
    place; db (f,), when given, is overwritten with the bias gradient; the
    input gradient (n, h, w, c) is returned when input_grad."""
    cdef cnp.ndarray X = _float32_c(x, "conv2d_backward_routed")
    cdef cnp.ndarray K = _float32_c(kernel, "conv2d_backward_routed kernel")
    cdef cnp.ndarray DZ = _float32_c(dz, "conv2d_backward_routed dz")
    if K.ndim != 4 or X.ndim != 4 or K.shape[2] != X.shape[3] or \
            DZ.ndim < 2 or DZ.shape[0] != X.shape[0] or \
            DZ.shape[DZ.ndim - 1] != K.shape[3]:
        raise ValueError(f"conv2d_backward_routed: incompatible shapes x "
                         f"{(<object>X).shape}, kernel {(<object>K).shape}, "
                         f"dz {(<object>DZ).shape}")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, out_hw)
    cdef long filters = K.shape[3]
    cdef long routes = DZ.size // (g.n * filters) if g.n * filters else 0
    _check_int_indices(g.h * g.w * g.c, "conv2d_backward_routed",
                       "input image")
    cdef const int *pwhere = _where_array(where, (<object>DZ).shape,
                                          "conv2d_backward_routed")
    _check_pixels(pwhere, DZ.size, g.oh, g.ow, "conv2d_backward_routed",
                  "output")
    cdef float *pdk = _dk_pointer(dk, K, "conv2d_backward_routed")
    cdef float *pdb = NULL
    if db is not None:
        pdb = <float *>cnp.PyArray_DATA(_out_array(db, (filters,),
                                                   "conv2d_backward_routed"))
    cdef cnp.ndarray DX = _input_grad_array(out, g, input_grad,
                                            "conv2d_backward_routed")
    cdef float *pdx = NULL if DX is None else <float *>cnp.PyArray_DATA(DX)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *pdz = <float *>cnp.PyArray_DATA(DZ)
    cdef int status
    with nogil:
        status = sc_conv2d_backward_routed_f32(&g, px, pk, filters, pdz,
                                               pwhere, routes, pdk, beta,
                                               pdb, pdx)
    if status != 0:
        raise _memory_error("conv2d_backward_routed")
    return DX
