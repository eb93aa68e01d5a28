# seqcore/_kernels/losses.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- losses -----------------------------------------------------------------

cdef tuple _cross_entropy(str name, str what, bint from_probabilities,
                          inputs, targets, labels, scale):
    """The shared checks and call of the two cross-entropy kernels."""
    cdef cnp.ndarray Z = _float32_c(inputs, f"{name} {what}")
    if Z.ndim != 2:
        raise ValueError(f"{name}: {what} must be 2-D, "
                         f"received shape {(<object>Z).shape}")
    cdef long n = Z.shape[0], c = Z.shape[1]
    cdef cnp.ndarray T, L, S
    cdef float *pt = NULL
    cdef long *pl = NULL
    cdef float *ps = NULL
    if (targets is None) == (labels is None):
        raise ValueError(f"{name}: give targets or labels")
    if targets is not None:
        T = _float32_c(targets, f"{name} targets")
        if (<object>T).shape != (n, c):
            raise ValueError(f"{name}: targets must have "
                             f"shape {(n, c)}, received {(<object>T).shape}")
        pt = <float *>cnp.PyArray_DATA(T)
    else:
        L = np.ascontiguousarray(labels, dtype=np.int_)
        if (<object>L).shape != (n,):
            raise ValueError(f"{name}: labels must have shape "
                             f"{(n,)}, received {(<object>L).shape}")
        if n and (L.min() < 0 or L.max() >= c):
            raise ValueError(f"{name}: labels must be in [0, {c})")
        pl = <long *>cnp.PyArray_DATA(L)
    if scale is not None:
        S = np.ascontiguousarray(scale, dtype=np.float32)
        if (<object>S).shape != (n,):
            raise ValueError(f"{name}: scale must have shape "
                             f"{(n,)}, received {(<object>S).shape}")
        ps = <float *>cnp.PyArray_DATA(S)
    cdef cnp.ndarray loss = np.empty(n, np.float32)
    cdef cnp.ndarray dz = np.empty((n, c), np.float32)
    cdef float *pz = <float *>cnp.PyArray_DATA(Z)
    cdef float *ploss = <float *>cnp.PyArray_DATA(loss)
    cdef float *pdz = <float *>cnp.PyArray_DATA(dz)
    with nogil:
        if from_probabilities:
            sc_probs_xent_f32(pz, pt, pl, n, c, ps, ploss, pdz)
        else:
            sc_softmax_xent_f32(pz, pt, pl, n, c, ps, ploss, pdz)
    return loss, dz


def softmax_cross_entropy(logits, targets=None, labels=None, scale=None):
    """(loss (n,), dlogits (n, c)) of softmax cross-entropy from float32
    logits (n, c), with probability targets (n, c) or integer class labels
    (n,); dlogits rows are multiplied by scale (n,) when given."""
    return _cross_entropy("softmax_cross_entropy", "logits", False, logits,
                          targets, labels, scale)


def probability_cross_entropy(probabilities, targets=None, labels=None,
                              scale=None):
    """(loss (n,), dz (n, c)) of cross-entropy from a softmax layer's
    float32 probabilities p (n, c), clipped as Keras clips them, and the
    gradient with respect to the softmax's input, p * sum(t) - t (rows
    times scale (n,) when given); targets (n, c) or labels (n,)."""
    return _cross_entropy("probability_cross_entropy", "probabilities", True,
                          probabilities, targets, labels, scale)
