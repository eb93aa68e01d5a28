# seqcore/_kernels/activations.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- activations and softmax -------------------------------------------------

cdef cnp.ndarray _float32_c(x, str what):
    if not isinstance(x, np.ndarray) or cnp.PyArray_TYPE(<cnp.ndarray>x) != \
            cnp.NPY_FLOAT32:
        raise ValueError(f"{what}: expected a float32 numpy array, received "
                         f"{getattr(x, 'dtype', type(x).__name__)}")
    return np.ascontiguousarray(x)


def activation(x, name, out=None):
    """out = name(x) elementwise, float32; out may be x. Returns out."""
    cdef cnp.ndarray X = _float32_c(x, "activation")
    cdef sc_act act = _act_code(name)
    cdef cnp.ndarray Y
    if out is None:
        Y = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(X), cnp.PyArray_DIMS(X),
                              cnp.NPY_FLOAT32, 0)
    else:
        Y = out
        if not Y.flags.c_contiguous or Y.dtype != np.float32 or \
                (<object>Y).shape != (<object>X).shape:
            raise ValueError("activation: out must be a C-contiguous float32 "
                             "array of the input's shape")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef long n = cnp.PyArray_SIZE(X)
    with nogil:
        sc_activation_f32(px, py, n, act)
    return Y


def add(a, b, out=None):
    """out = a + b for two C-contiguous float32 arrays of one shape; out
    may be a or b. Returns out."""
    cdef cnp.ndarray A = _float32_c(a, "add")
    cdef cnp.ndarray B = _float32_c(b, "add")
    if (<object>A).shape != (<object>B).shape:
        raise ValueError(f"add: a and b must have one shape, received "
                         f"{(<object>A).shape} and {(<object>B).shape}")
    cdef cnp.ndarray Y
    if out is None:
        Y = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(A), cnp.PyArray_DIMS(A),
                              cnp.NPY_FLOAT32, 0)
    else:
        Y = out
        if not Y.flags.c_contiguous or Y.dtype != np.float32 or \
                (<object>Y).shape != (<object>A).shape:
            raise ValueError("add: out must be a C-contiguous float32 array "
                             "of the inputs' shape")
    cdef float *pa = <float *>cnp.PyArray_DATA(A)
    cdef float *pb = <float *>cnp.PyArray_DATA(B)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef long n = cnp.PyArray_SIZE(A)
    with nogil:
        sc_add_f32(pa, pb, py, n)
    return Y


def activation_backward(x, y, dy, name, out=None):
    """dx = dy * name'(x), float32, given x and y = name(x), all of one
    shape; out may be dy. Returns dx."""
    cdef cnp.ndarray X = _float32_c(x, "activation_backward x")
    cdef cnp.ndarray Y = _float32_c(y, "activation_backward y")
    cdef cnp.ndarray DY = _float32_c(dy, "activation_backward dy")
    if not ((<object>X).shape == (<object>Y).shape == (<object>DY).shape):
        raise ValueError(f"activation_backward: x, y and dy must have one "
                         f"shape, received {(<object>X).shape}, "
                         f"{(<object>Y).shape} and {(<object>DY).shape}")
    cdef sc_act act = _act_code(name)
    cdef cnp.ndarray DX = np.empty_like(DY) if out is None else out
    if DX.dtype != np.float32 or not DX.flags.c_contiguous or \
            (<object>DX).shape != (<object>X).shape:
        raise ValueError("activation_backward: out must be a C-contiguous "
                         "float32 array of the input's shape")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef float *pdx = <float *>cnp.PyArray_DATA(DX)
    cdef long n = cnp.PyArray_SIZE(X)
    with nogil:
        sc_activation_backward_f32(px, py, pdy, pdx, n, act)
    return DX


def softmax(x, out=None):
    """Softmax over the last axis of a float32 array; out may be x."""
    cdef cnp.ndarray X = _float32_c(x, "softmax")
    cdef cnp.ndarray Y = np.empty_like(X) if out is None else out
    if (<object>Y).shape != (<object>X).shape or not Y.flags.c_contiguous:
        raise ValueError("softmax: out must be C-contiguous, shaped like x")
    cdef long n = X.shape[X.ndim - 1] if X.ndim else 1
    cdef long m = cnp.PyArray_SIZE(X) // n if n else 0
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    with nogil:
        sc_softmax_f32(px, py, m, n)
    return Y
