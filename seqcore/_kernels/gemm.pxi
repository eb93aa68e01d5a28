# seqcore/_kernels/gemm.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- GEMM -------------------------------------------------------------------

cdef long _element_stride(cnp.ndarray x, int axis, str what) except? -1:
    cdef long s = cnp.PyArray_STRIDE(x, axis)
    cdef long size = cnp.PyArray_ITEMSIZE(x)
    if s % size:
        raise ValueError(f"gemm: {what} has strides {(<object>x).strides}, "
                         f"which are not a multiple of its itemsize {size}")
    return s // size


cdef (char *, char *) _extent(cnp.ndarray x):
    """The first and one-past-last byte an array touches."""
    cdef char *lo = <char *>cnp.PyArray_DATA(x)
    cdef char *hi = lo
    cdef int d
    cdef cnp.npy_intp extent
    if cnp.PyArray_SIZE(x) == 0:
        return lo, lo
    for d in range(cnp.PyArray_NDIM(x)):
        extent = (cnp.PyArray_DIM(x, d) - 1) * cnp.PyArray_STRIDE(x, d)
        if extent < 0:
            lo += extent
        else:
            hi += extent
    return lo, hi + cnp.PyArray_ITEMSIZE(x)


cdef bint _overlap(cnp.ndarray x, cnp.ndarray y):
    cdef char *x_lo
    cdef char *x_hi
    cdef char *y_lo
    cdef char *y_hi
    x_lo, x_hi = _extent(x)
    y_lo, y_hi = _extent(y)
    return x_lo < y_hi and y_lo < x_hi


def gemm(a, b, c=None, *, bint trans_a=False, bint trans_b=False,
         double alpha=1.0, double beta=0.0, bias=None, activation=None):
    """C = activation(alpha * op(a) @ op(b) + beta * c + bias).

    a: (m, k), or (k, m) with trans_a; b: (k, n), or (n, k) with trans_b;
    float32 or float64, any strides. c: (m, n) output, same dtype, rows
    contiguous; allocated when None (then beta must be 0). bias: (n,).
    activation: None/'linear', 'relu', 'sigmoid' or 'tanh'. Returns c.
    """
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):
        raise TypeError(f"gemm: a and b must be numpy arrays, received "
                        f"{type(a).__name__} and {type(b).__name__}")
    cdef cnp.ndarray A = a, B = b, C, bias_arr
    if cnp.PyArray_NDIM(A) != 2 or cnp.PyArray_NDIM(B) != 2:
        raise ValueError(f"gemm: a and b must be 2-D, received shapes "
                         f"{a.shape} and {b.shape}")
    cdef int typenum = cnp.PyArray_TYPE(A)
    if typenum != cnp.PyArray_TYPE(B) or (typenum != cnp.NPY_FLOAT32 and
                                          typenum != cnp.NPY_FLOAT64):
        raise ValueError(f"gemm: a and b must both be float32 or both float64, "
                         f"received {a.dtype} and {b.dtype}")
    cdef long m = cnp.PyArray_DIM(A, 0), k = cnp.PyArray_DIM(A, 1)
    cdef long k_b = cnp.PyArray_DIM(B, 0), n = cnp.PyArray_DIM(B, 1)
    cdef long rs_a = _element_stride(A, 0, "a"), cs_a = _element_stride(A, 1, "a")
    cdef long rs_b = _element_stride(B, 0, "b"), cs_b = _element_stride(B, 1, "b")
    if trans_a:
        m, k = k, m
        rs_a, cs_a = cs_a, rs_a
    if trans_b:
        k_b, n = n, k_b
        rs_b, cs_b = cs_b, rs_b
    if k != k_b:
        raise ValueError(
            f"gemm: op(a) has shape {(m, k)} and op(b) has shape {(k_b, n)}; "
            f"their inner dimensions {k} and {k_b} must match")
    cdef sc_act act = _act_code(activation)

    if c is None:
        if beta != 0.0:
            raise ValueError(f"gemm: beta={beta} needs an output array c to "
                             f"accumulate into")
        C = cnp.PyArray_EMPTY(2, [m, n], typenum, 0)
    else:
        if not isinstance(c, np.ndarray):
            raise TypeError(f"gemm: c must be a numpy array, received "
                            f"{type(c).__name__}")
        C = c
        if (cnp.PyArray_NDIM(C) != 2 or cnp.PyArray_DIM(C, 0) != m or
                cnp.PyArray_DIM(C, 1) != n):
            raise ValueError(f"gemm: c must have shape {(m, n)}, received "
                             f"{c.shape}")
        if cnp.PyArray_TYPE(C) != typenum:
            raise ValueError(f"gemm: c must be {a.dtype}, received {c.dtype}")
        if not cnp.PyArray_ISWRITEABLE(C):
            raise ValueError("gemm: c is read-only")
        if ((n > 1 and cnp.PyArray_STRIDE(C, 1) != cnp.PyArray_ITEMSIZE(C))
                or cnp.PyArray_STRIDE(C, 0) < 0
                or cnp.PyArray_STRIDE(C, 0) % cnp.PyArray_ITEMSIZE(C)):
            raise ValueError(f"gemm: c must have contiguous rows, received "
                             f"strides {c.strides}")
        if _overlap(C, A) or _overlap(C, B):
            raise ValueError("gemm: c must not overlap a or b")
    cdef long ldc = cnp.PyArray_STRIDE(C, 0) // cnp.PyArray_ITEMSIZE(C)

    cdef void *bias_ptr = NULL
    if bias is not None:
        bias_arr = np.ascontiguousarray(bias, dtype=a.dtype)
        if cnp.PyArray_NDIM(bias_arr) != 1 or cnp.PyArray_DIM(bias_arr, 0) != n:
            raise ValueError(f"gemm: bias must have shape {(n,)}, received "
                             f"{(<object>bias_arr).shape}")
        bias_ptr = cnp.PyArray_DATA(bias_arr)

    cdef void *pa = cnp.PyArray_DATA(A)
    cdef void *pb = cnp.PyArray_DATA(B)
    cdef void *pc = cnp.PyArray_DATA(C)
    cdef int status
    if typenum == cnp.NPY_FLOAT32:
        with nogil:
            status = sc_sgemm(m, n, k, <float>alpha, <float *>pa, rs_a, cs_a,
                              <float *>pb, rs_b, cs_b, <float>beta,
                              <float *>pc, ldc, <float *>bias_ptr, act)
    else:
        with nogil:
            status = sc_dgemm(m, n, k, alpha, <double *>pa, rs_a, cs_a,
                              <double *>pb, rs_b, cs_b, beta, <double *>pc,
                              ldc, <double *>bias_ptr, act)
    if status != 0:
        raise _memory_error(f"gemm (m={m}, n={n}, k={k})")
    return C
