# seqcore/_kernels/reduce.pxi - included by seqcore/_kernels.pyx.
# ---- the ranks' gradients summed on one machine ------------------------------

from libc.stdlib cimport malloc, free


cdef int _check_floats(arrays, long n, str what, bint writable) except -1:
    for q, a in enumerate(arrays):
        if not (isinstance(a, np.ndarray) and a.dtype == np.float32 and
                a.flags.c_contiguous and a.size == n and
                (a.flags.writeable or not writable)):
            kind = "writable " if writable else ""
            raise ValueError(f"weighted_sum: {what} {q} must be a {kind}"
                             f"C-contiguous float32 array of {n} elements, "
                             f"received {getattr(a, 'dtype', type(a))} of "
                             f"{getattr(a, 'size', '?')} elements")
    return 0


def weighted_sum(inputs, weights, outputs):
    """Every output (n,) <- sum_q weights[q] * inputs[q], added in input
    order (the same bits whichever process or thread count computes it).

    Args:
        inputs: a non-empty sequence of C-contiguous float32 arrays of n
            elements (the ranks' gradients, in rank order).
        weights: float32 (len(inputs),), each input's factor.
        outputs: a non-empty sequence of writable C-contiguous float32
            arrays of n elements; an output may be an input (element i is
            read from every input before it is stored), but may not
            partially overlap one.
    Returns:
        outputs.
    """
    inputs, outputs = list(inputs), list(outputs)
    cdef int count = len(inputs), n_out = len(outputs)
    if count == 0 or n_out == 0:
        raise ValueError(f"weighted_sum: expected at least one input and "
                         f"one output, received {count} and {n_out}")
    weights = np.ascontiguousarray(weights, np.float32)
    if weights.shape != (count,):
        raise ValueError(f"weighted_sum: expected {count} weights, received "
                         f"shape {weights.shape}")
    cdef long n = getattr(outputs[0], "size", -1)
    _check_floats(inputs, n, "input", False)
    _check_floats(outputs, n, "output", True)
    for p, y in enumerate(outputs):
        for q, x in enumerate(inputs):
            if np.may_share_memory(x, y) and \
                    cnp.PyArray_DATA(<cnp.ndarray>x) != \
                    cnp.PyArray_DATA(<cnp.ndarray>y):
                raise ValueError(f"weighted_sum: output {p} partially "
                                 f"overlaps input {q}")
    cdef const float **ins = <const float **>malloc(count * sizeof(float *))
    cdef float **outs = <float **>malloc(n_out * sizeof(float *))
    if ins == NULL or outs == NULL:
        free(ins)
        free(outs)
        raise MemoryError("weighted_sum: no memory for the array tables")
    cdef cnp.ndarray W = weights
    try:
        for q in range(count):
            ins[q] = <const float *>cnp.PyArray_DATA(<cnp.ndarray>inputs[q])
        for q in range(n_out):
            outs[q] = <float *>cnp.PyArray_DATA(<cnp.ndarray>outputs[q])
        with nogil:
            sc_weighted_sum_f32(ins, <const float *>cnp.PyArray_DATA(W),
                                count, outs, n_out, n)
    finally:
        free(ins)
        free(outs)
    return outputs
