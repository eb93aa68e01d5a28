# seqcore/_kernels/losses.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- losses -----------------------------------------------------------------

def softmax_cross_entropy(logits, targets=None, labels=None, scale=None):
    """(loss (n,), dlogits (n, c)) of softmax cross-entropy from float32
    logits (n, c), with probability targets (n, c) or integer class labels
    (n,); dlogits rows are multiplied by scale (n,) when given."""
    cdef cnp.ndarray Z = _float32_c(logits, "softmax_cross_entropy logits")
    if Z.ndim != 2:
        raise ValueError(f"softmax_cross_entropy: logits must be 2-D, "
                         f"received shape {(<object>Z).shape}")
    cdef long n = Z.shape[0], c = Z.shape[1]
    cdef cnp.ndarray T, L, S
    cdef float *pt = NULL
    cdef long *pl = NULL
    cdef float *ps = NULL
    if (targets is None) == (labels is None):
        raise ValueError("softmax_cross_entropy: give targets or labels")
    if targets is not None:
        T = _float32_c(targets, "softmax_cross_entropy targets")
        if (<object>T).shape != (n, c):
            raise ValueError(f"softmax_cross_entropy: targets must have "
                             f"shape {(n, c)}, received {(<object>T).shape}")
        pt = <float *>cnp.PyArray_DATA(T)
    else:
        L = np.ascontiguousarray(labels, dtype=np.int_)
        if (<object>L).shape != (n,):
            raise ValueError(f"softmax_cross_entropy: labels must have shape "
                             f"{(n,)}, received {(<object>L).shape}")
        if n and (L.min() < 0 or L.max() >= c):
            raise ValueError(f"softmax_cross_entropy: labels must be in "
                             f"[0, {c})")
        pl = <long *>cnp.PyArray_DATA(L)
    if scale is not None:
        S = np.ascontiguousarray(scale, dtype=np.float32)
        if (<object>S).shape != (n,):
            raise ValueError(f"softmax_cross_entropy: scale must have shape "
                             f"{(n,)}, received {(<object>S).shape}")
        ps = <float *>cnp.PyArray_DATA(S)
    cdef cnp.ndarray loss = np.empty(n, np.float32)
    cdef cnp.ndarray dz = np.empty((n, c), np.float32)
    cdef float *pz = <float *>cnp.PyArray_DATA(Z)
    cdef float *ploss = <float *>cnp.PyArray_DATA(loss)
    cdef float *pdz = <float *>cnp.PyArray_DATA(dz)
    with nogil:
        sc_softmax_xent_f32(pz, pt, pl, n, c, ps, ploss, pdz)
    return loss, dz
