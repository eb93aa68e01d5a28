# seqcore/_kernels/rnn_train.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- recurrent training ------------------------------------------------------------

cdef float *_f32(a, tuple shape, str what) except NULL:
    """The data of a C-contiguous float32 array of exactly `shape`."""
    if not (isinstance(a, np.ndarray) and a.dtype == np.float32 and
            a.flags.c_contiguous and a.shape == shape):
        got = a.shape if isinstance(a, np.ndarray) else type(a).__name__
        raise ValueError(f"rnn training: {what} must be a C-contiguous "
                         f"float32 array of shape {shape}, received {got}")
    return <float *>cnp.PyArray_DATA(<cnp.ndarray>a)


cdef sc_rnn_train_args _train_args(long n, long t, long u, activation,
                                   recurrent_activation, mask) except *:
    cdef sc_rnn_train_args a
    a.n, a.t, a.u = n, t, u
    a.act = _act_code(activation)
    a.recurrent_act = _act_code(recurrent_activation)
    a.mask = NULL
    if mask is not None:
        if not (isinstance(mask, np.ndarray) and mask.dtype == np.uint8 and
                mask.flags.c_contiguous and mask.shape == (t, n)):
            raise ValueError(f"rnn training: mask must be a C-contiguous "
                             f"uint8 array of shape {(t, n)}")
        a.mask = <const unsigned char *>cnp.PyArray_DATA(<cnp.ndarray>mask)
    return a


def _reused(dict arrays, str name, tuple shape):
    """arrays[name] if it has `shape`, else a new float32 array put there."""
    a = arrays.get(name)
    if a is None or a.shape != shape:
        a = arrays[name] = np.empty(shape, np.float32)
    return a


def rnn_train_forward(str kind, proj, rkernel, h, c, mask, activation,
                      recurrent_activation, bint reset_after=True,
                      recurrent_bias=None, dict reuse=None):
    """Training forward pass over the steps (time-major, processing order).
    proj (t, n, G u) = x W + input bias; h (and c for 'lstm') (n, u) are
    updated in place to the final states. Returns a dict of the arrays the
    backward pass needs ('pre', 'gates', 'h_prev', 'seq', and 'c_prev',
    'c_new', 'act_c' for LSTM or 'hz' for GRU); `reuse`, a dict returned
    by an earlier call, supplies those arrays when their shapes match."""
    if kind not in _GATES:
        raise ValueError(f"rnn_train_forward: unknown kind {kind!r}")
    G = _GATES[kind]
    if not isinstance(proj, np.ndarray) or proj.ndim != 3:
        raise ValueError("rnn_train_forward: proj must be (t, n, G u)")
    cdef long t = proj.shape[0], n = proj.shape[1], u = proj.shape[2] // G
    cdef float *pp = _f32(proj, (t, n, G * u), "proj")
    cdef float *pr = _f32(rkernel, (u, G * u), "recurrent_kernel")
    cdef float *ph = _f32(h, (n, u), "h")
    cdef sc_rnn_train_args a = _train_args(n, t, u, activation,
                                           recurrent_activation, mask)
    out = {} if reuse is None else reuse
    for name, shape in (("pre", (t, n, G * u)), ("gates", (t, n, G * u)),
                        ("h_prev", (t, n, u)), ("seq", (t, n, u))):
        _reused(out, name, shape)
    cdef float *ppre = _f32(out["pre"], (t, n, G * u), "pre")
    cdef float *pg = _f32(out["gates"], (t, n, G * u), "gates")
    cdef float *php = _f32(out["h_prev"], (t, n, u), "h_prev")
    cdef float *pseq = _f32(out["seq"], (t, n, u), "seq")
    cdef float *pc = NULL
    cdef float *pcp = NULL
    cdef float *pcn = NULL
    cdef float *pac = NULL
    cdef float *phz = NULL
    cdef float *pbias = NULL
    cdef int status = 0
    if kind == "lstm":
        pc = _f32(c, (n, u), "c")
        for name in ("c_prev", "c_new", "act_c"):
            _reused(out, name, (t, n, u))
        pcp = _f32(out["c_prev"], (t, n, u), "c_prev")
        pcn = _f32(out["c_new"], (t, n, u), "c_new")
        pac = _f32(out["act_c"], (t, n, u), "act_c")
        with nogil:
            status = sc_lstm_train_forward_f32(&a, pp, pr, ph, pc, ppre, pg,
                                               php, pcp, pcn, pac, pseq)
    elif kind == "gru":
        _reused(out, "hz", (t, n, G * u))
        phz = _f32(out["hz"], (t, n, G * u), "hz")
        if recurrent_bias is not None:
            pbias = _f32(recurrent_bias, (G * u,), "recurrent_bias")
        with nogil:
            status = sc_gru_train_forward_f32(&a, reset_after, pp, pr, pbias,
                                              ph, ppre, pg, phz, php, pseq)
    else:
        with nogil:
            status = sc_simple_rnn_train_forward_f32(&a, pp, pr, ph, ppre, pg,
                                                     php, pseq)
    if status != 0:
        raise _memory_error("rnn_train_forward")
    return out


def rnn_train_backward(str kind, saved, rkernel, d_seq, dh, dc, mask,
                       activation, recurrent_activation,
                       bint reset_after=True, dict reuse=None):
    """Backpropagation through time over the arrays rnn_train_forward
    returned. d_seq (t, n, u) or None; dh (and dc) (n, u) hold the final
    states' gradients and are left holding the initial ones'. Returns
    (dx_gates, dh_gates): the gradients of the pre-activations, and of what
    the recurrent kernel multiplies (the same array except for GRU), taken
    from the dict `reuse` when their shapes match."""
    work = {} if reuse is None else reuse
    G = _GATES[kind]
    pre = saved["pre"]
    cdef long t = pre.shape[0], n = pre.shape[1], u = pre.shape[2] // G
    cdef sc_rnn_train_args a = _train_args(n, t, u, activation,
                                           recurrent_activation, mask)
    cdef float *pr = _f32(rkernel, (u, G * u), "recurrent_kernel")
    cdef float *ppre = _f32(pre, (t, n, G * u), "pre")
    cdef float *pg = _f32(saved["gates"], (t, n, G * u), "gates")
    cdef float *pds = NULL
    if d_seq is not None:
        pds = _f32(d_seq, (t, n, u), "d_seq")
    cdef float *pdh = _f32(dh, (n, u), "dh")
    dx_gates = _reused(work, "dx_gates", (t, n, G * u))
    cdef float *pdx = _f32(dx_gates, (t, n, G * u), "dx_gates")
    dh_gates = dx_gates
    cdef float *pdhg = NULL
    cdef float *pdc = NULL
    cdef float *pcp = NULL
    cdef float *pcn = NULL
    cdef float *pac = NULL
    cdef float *phz = NULL
    cdef float *php = NULL
    cdef int status = 0
    if kind == "lstm":
        pdc = _f32(dc, (n, u), "dc")
        pcp = _f32(saved["c_prev"], (t, n, u), "c_prev")
        pcn = _f32(saved["c_new"], (t, n, u), "c_new")
        pac = _f32(saved["act_c"], (t, n, u), "act_c")
        with nogil:
            status = sc_lstm_train_backward_f32(&a, pr, ppre, pg, pcp, pcn,
                                                pac, pds, pdh, pdc, pdx)
    elif kind == "gru":
        dh_gates = _reused(work, "dh_gates", (t, n, G * u))
        pdhg = _f32(dh_gates, (t, n, G * u), "dh_gates")
        phz = _f32(saved["hz"], (t, n, G * u), "hz")
        php = _f32(saved["h_prev"], (t, n, u), "h_prev")
        with nogil:
            status = sc_gru_train_backward_f32(&a, reset_after, pr, ppre, pg,
                                               phz, php, pds, pdh, pdx, pdhg)
    else:
        with nogil:
            status = sc_simple_rnn_train_backward_f32(&a, pr, ppre, pg, pds,
                                                      pdh, pdx)
    if status != 0:
        raise _memory_error("rnn_train_backward")
    return dx_gates, dh_gates

def embedding_backward(ids, dy, grad):
    """grad (rows, dim) += each row of dy (n, dim) at its id (n,), in input
    order; ids must lie in [0, rows)."""
    cdef cnp.ndarray I = np.ascontiguousarray(ids, dtype=np.int64).reshape(-1)
    cdef cnp.ndarray D = _float32_c(dy, "embedding_backward dy")
    if not (isinstance(grad, np.ndarray) and grad.dtype == np.float32 and
            grad.flags.c_contiguous and grad.ndim == 2):
        raise ValueError("embedding_backward: grad must be a C-contiguous "
                         "float32 matrix")
    cdef long n = I.shape[0], dim = grad.shape[1], rows = grad.shape[0]
    if D.size != n * dim:
        raise ValueError(f"embedding_backward: dy has {D.size} elements, "
                         f"expected {n} x {dim}")
    if n and (I.min() < 0 or I.max() >= rows):
        raise ValueError(f"embedding_backward: ids must lie in [0, {rows})")
    cdef long *pi = <long *>cnp.PyArray_DATA(I)
    cdef float *pd = <float *>cnp.PyArray_DATA(D)
    cdef float *pg = <float *>cnp.PyArray_DATA(<cnp.ndarray>grad)
    with nogil:
        sc_embedding_backward_f32(pi, n, pd, dim, pg)
