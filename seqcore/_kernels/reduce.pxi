# seqcore/_kernels/reduce.pxi - included by seqcore/_kernels.pyx.
# ---- the ranks' gradients summed on one machine ------------------------------

from libc.stdlib cimport malloc, free


def weighted_sum(inputs, weights, out):
    """out (n,) <- sum_q weights[q] * inputs[q], added in input order.

    Args:
        inputs: a non-empty sequence of C-contiguous float32 arrays of n
            elements (the ranks' gradients, in rank order).
        weights: float32 (len(inputs),), each input's factor.
        out: writable C-contiguous float32 (n,), sharing no memory with an
            input.
    """
    inputs = list(inputs)
    cdef int count = len(inputs)
    if count == 0:
        raise ValueError("weighted_sum: expected at least one input, "
                         "received none")
    weights = np.ascontiguousarray(weights, np.float32)
    if weights.shape != (count,):
        raise ValueError(f"weighted_sum: expected {count} weights, received "
                         f"shape {weights.shape}")
    if not (isinstance(out, np.ndarray) and out.dtype == np.float32 and
            out.flags.c_contiguous and out.flags.writeable):
        raise ValueError("weighted_sum: out must be a writable C-contiguous "
                         "float32 array")
    cdef long n = out.size
    for q, x in enumerate(inputs):
        if not (isinstance(x, np.ndarray) and x.dtype == np.float32 and
                x.flags.c_contiguous and x.size == n):
            raise ValueError(f"weighted_sum: input {q} must be a "
                             f"C-contiguous float32 array of {n} elements, "
                             f"received {getattr(x, 'dtype', type(x))} of "
                             f"{getattr(x, 'size', '?')} elements")
        if np.may_share_memory(x, out):
            raise ValueError(f"weighted_sum: out overlaps input {q}")
    cdef const float **pointers = <const float **>malloc(
        count * sizeof(float *))
    if pointers == NULL:
        raise MemoryError("weighted_sum: no memory for the input table")
    cdef cnp.ndarray W = weights
    cdef cnp.ndarray O = out
    try:
        for q in range(count):
            pointers[q] = <const float *>cnp.PyArray_DATA(<cnp.ndarray>inputs[q])
        with nogil:
            sc_weighted_sum_f32(pointers, <const float *>cnp.PyArray_DATA(W),
                                count, <float *>cnp.PyArray_DATA(O), n)
    finally:
        free(pointers)
    return out
