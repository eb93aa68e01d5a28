# seqcore/_kernels/normalization.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- batch normalization over the last axis ---------------------------------

cdef cnp.ndarray _channels(x, str what):
    """x as a C-contiguous float32 array of rank >= 1 (its last axis: the
    channels)."""
    cdef cnp.ndarray X = _float32_c(x, what)
    if X.ndim < 1:
        raise ValueError(f"{what}: expected an array with a channel axis, "
                         f"received a 0-d array")
    return X


cdef cnp.ndarray _per_channel(v, long c, str what):
    cdef cnp.ndarray V = np.ascontiguousarray(v, dtype=np.float32)
    if (<object>V).shape != (c,):
        raise ValueError(f"{what}: expected shape ({c},) (one value per "
                         f"channel), received {(<object>V).shape}")
    return V


cdef cnp.ndarray _output_like(cnp.ndarray X, out, str what):
    if out is None:
        return np.empty_like(X)
    if not isinstance(out, np.ndarray) or out.dtype != np.float32 or \
            not out.flags.c_contiguous or out.shape != (<object>X).shape:
        raise ValueError(f"{what}: out must be a C-contiguous float32 array "
                         f"of shape {(<object>X).shape}")
    return out


def bn_moments(x):
    """(mean, variance), float64 arrays (c,), of float32 x (..., c) over
    every axis but the last; the variance is the biased one (divided by
    the count). Summed in double, one thread per channel block: the same
    bits for any thread count."""
    cdef cnp.ndarray X = _channels(x, "bn_moments")
    cdef long c = X.shape[X.ndim - 1]
    cdef long rows = cnp.PyArray_SIZE(X) // c if c else 0
    cdef cnp.ndarray mean = np.empty(c, np.float64)
    cdef cnp.ndarray var = np.empty(c, np.float64)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef double *pm = <double *>cnp.PyArray_DATA(mean)
    cdef double *pv = <double *>cnp.PyArray_DATA(var)
    with nogil:
        sc_bn_moments_f32(px, rows, c, pm, pv)
    return mean, var


def bn_backward_sums(x, dy, mean, inv):
    """(sum(dy), sum(dy * x_hat)), float64 arrays (c,), over every axis but
    the last of float32 x and dy (..., c), with x_hat = (x - mean) * inv
    (mean and inv: (c,))."""
    cdef cnp.ndarray X = _channels(x, "bn_backward_sums x")
    cdef cnp.ndarray DY = _channels(dy, "bn_backward_sums dy")
    if (<object>X).shape != (<object>DY).shape:
        raise ValueError(f"bn_backward_sums: x and dy must have one shape, "
                         f"received {(<object>X).shape} and "
                         f"{(<object>DY).shape}")
    cdef long c = X.shape[X.ndim - 1]
    cdef long rows = cnp.PyArray_SIZE(X) // c if c else 0
    cdef cnp.ndarray M = _per_channel(mean, c, "bn_backward_sums mean")
    cdef cnp.ndarray I = _per_channel(inv, c, "bn_backward_sums inv")
    cdef cnp.ndarray s1 = np.empty(c, np.float64)
    cdef cnp.ndarray s2 = np.empty(c, np.float64)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef float *pm = <float *>cnp.PyArray_DATA(M)
    cdef float *pi = <float *>cnp.PyArray_DATA(I)
    with nogil:
        sc_bn_backward_sums_f32(px, pdy, rows, c, pm, pi,
                                <double *>cnp.PyArray_DATA(s1),
                                <double *>cnp.PyArray_DATA(s2))
    return s1, s2


def channel_affine(x, scale, shift, out=None, activation=None):
    """y = activation(x * scale + shift) per channel, float32 x (..., c),
    scale and shift (c,); activation: a kernel activation name or None;
    out may be x. Returns y."""
    cdef cnp.ndarray X = _channels(x, "channel_affine")
    cdef long c = X.shape[X.ndim - 1]
    cdef long rows = cnp.PyArray_SIZE(X) // c if c else 0
    cdef cnp.ndarray S = _per_channel(scale, c, "channel_affine scale")
    cdef cnp.ndarray B = _per_channel(shift, c, "channel_affine shift")
    cdef sc_act act = _act_code(activation)
    cdef cnp.ndarray Y = _output_like(X, out, "channel_affine")
    with nogil:
        sc_channel_affine_f32(<float *>cnp.PyArray_DATA(X), rows, c,
                              <float *>cnp.PyArray_DATA(S),
                              <float *>cnp.PyArray_DATA(B), act,
                              <float *>cnp.PyArray_DATA(Y))
    return Y


def channel_means(x):
    """Each sample's channel means: float32 x (n, ..., c) -> (n, c), the
    axes between summed in float32 in order (numpy's mean over them)."""
    cdef cnp.ndarray X = _channels(x, "channel_means")
    if X.ndim < 2:
        raise ValueError(f"channel_means: expected an array (n, ..., c), "
                         f"received shape {(<object>X).shape}")
    cdef long n = X.shape[0]
    cdef long c = X.shape[X.ndim - 1]
    cdef long rows = cnp.PyArray_SIZE(X) // (n * c) if n * c else 0
    cdef cnp.ndarray Y = np.empty((n, c), np.float32)
    if n * c:
        with nogil:
            sc_channel_means_f32(<float *>cnp.PyArray_DATA(X), n, rows, c,
                                 <float *>cnp.PyArray_DATA(Y))
    return Y


def bn_backward_dx(x, dy, mean, p, q, r, out=None):
    """dx = dy * p + (x - mean) * q + r per channel, float32 x and dy
    (..., c) of one shape, mean, p, q and r (c,); out may be dy. Returns
    dx."""
    cdef cnp.ndarray X = _channels(x, "bn_backward_dx x")
    cdef cnp.ndarray DY = _channels(dy, "bn_backward_dx dy")
    if (<object>X).shape != (<object>DY).shape:
        raise ValueError(f"bn_backward_dx: x and dy must have one shape, "
                         f"received {(<object>X).shape} and "
                         f"{(<object>DY).shape}")
    cdef long c = X.shape[X.ndim - 1]
    cdef long rows = cnp.PyArray_SIZE(X) // c if c else 0
    cdef cnp.ndarray M = _per_channel(mean, c, "bn_backward_dx mean")
    cdef cnp.ndarray P = _per_channel(p, c, "bn_backward_dx p")
    cdef cnp.ndarray Q = _per_channel(q, c, "bn_backward_dx q")
    cdef cnp.ndarray R = _per_channel(r, c, "bn_backward_dx r")
    cdef cnp.ndarray DX = _output_like(X, out, "bn_backward_dx")
    with nogil:
        sc_bn_backward_dx_f32(<float *>cnp.PyArray_DATA(X),
                              <float *>cnp.PyArray_DATA(DY), rows, c,
                              <float *>cnp.PyArray_DATA(M),
                              <float *>cnp.PyArray_DATA(P),
                              <float *>cnp.PyArray_DATA(Q),
                              <float *>cnp.PyArray_DATA(R),
                              <float *>cnp.PyArray_DATA(DX))
    return DX
