# seqcore/_kernels/memory.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- working memory ---------------------------------------------------------

def _memory_error(str what):
    """The MemoryError for a kernel `what` that returned "out of memory":
    it names the bytes of the allocation that failed (sc_alloc_failure_bytes
    has recorded them), or says that a workspace size overflowed."""
    cdef size_t nbytes = sc_alloc_failure_bytes()
    if nbytes == <size_t>-1:
        return MemoryError(
            f"{what}: a workspace size overflows 64-bit arithmetic (or is "
            f"negative): the input is too large for this kernel")
    if nbytes == 0:
        return MemoryError(f"{what}: out of memory")
    return MemoryError(
        f"{what}: out of memory: could not allocate a workspace of {nbytes} "
        f"bytes ({nbytes / 2.0 ** 20:.1f} MiB)")


def _set_alloc_limit(nbytes):
    """Make every kernel allocation above `nbytes` bytes fail as if out of
    memory (None: no limit). For tests of the failure path only."""
    sc_set_alloc_limit(<size_t>-1 if nbytes is None else <size_t>nbytes)


cdef sc_isa _isa_code(str name) except *:
    if name not in _ISAS:
        raise ValueError(f"seqcore: unknown ISA {name!r}; expected one of "
                         f"{list(_ISAS)}")
    return _ISAS[name]


def activation_names():
    """Names of the activations the kernels implement."""
    return [name for name in _ACTIVATIONS if name is not None]


cdef sc_act _act_code(activation) except *:
    try:
        return _ACTIVATIONS[activation]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {activation!r}; expected None or one of "
            f"{activation_names()}") from None


def activation_code(name):
    """The kernels' integer code for an activation name (for dense_forward)."""
    return <int>_act_code(name)


def dense_forward(x, kernel, bias, int activation):
    """activation(x @ kernel + bias) for a 2-D float32 C-contiguous x whose
    shape the caller has already validated against kernel (k, n): the lean
    entry point of inference plans. bias may be None."""
    cdef cnp.ndarray X = x, K = kernel, B
    cdef long m = X.shape[0], k = X.shape[1], n = K.shape[1]
    cdef cnp.npy_intp dims[2]
    dims[0] = m
    dims[1] = n
    cdef cnp.ndarray Y = cnp.PyArray_EMPTY(2, dims, cnp.NPY_FLOAT32, 0)
    cdef float *pb = NULL
    if bias is not None:
        B = bias
        pb = <float *>cnp.PyArray_DATA(B)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int status
    with nogil:
        status = sc_sgemm(m, n, k, 1.0, px, k, 1, pk, n, 1, 0.0, py, n, pb,
                          <sc_act>activation)
    if status != 0:
        raise _memory_error("dense_forward")
    return Y
