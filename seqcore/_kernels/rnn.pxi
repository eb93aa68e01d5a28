# seqcore/_kernels/rnn.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- recurrent layers --------------------------------------------------------

_GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}


def aligned_empty(shape, dtype=np.float32, int alignment=64):
    """An uninitialised C-contiguous array whose data starts on an
    `alignment`-byte boundary (rows split between threads then never share
    a cache line)."""
    dtype = np.dtype(dtype)
    count = int(np.prod(shape)) if len(shape) else 1
    raw = np.empty(count * dtype.itemsize + alignment, np.uint8)
    start = (-raw.ctypes.data) % alignment
    return raw[start:start + count * dtype.itemsize].view(dtype).reshape(shape)


cdef float *_data_or_null(x):
    return NULL if x is None else <float *>cnp.PyArray_DATA(<cnp.ndarray>x)


def _check_matrix(x, shape, str what):
    if x is None:
        return None
    x = _float32_c(x, what)
    if x.shape != shape:
        raise ValueError(f"{what}: expected shape {shape}, received {x.shape}")
    return x


def rnn_forward(str kind, x, kernel, recurrent_kernel, bias, h, c=None,
                mask=None, bint return_sequences=False,
                bint go_backwards=False, activation="tanh",
                recurrent_activation="sigmoid", bint reset_after=True,
                workspace=None, bint keep_gates=False, table=None,
                rows=None):
    """Run a recurrent layer over x (n, t, d). h (and c for 'lstm') are
    (n, u) float32 states, updated in place to the final states. Returns the
    (n, t, u) sequence of outputs if return_sequences, else None.
    kind: 'lstm', 'gru' or 'simple_rnn'; mask: (n, t) bool or None.
    workspace: a C-contiguous float32 array to reuse between calls, of
    n * gates * u elements, or n * t * gates * u with keep_gates (every
    step's gates kept, for backpropagation); allocated when None.
    table, rows: the input projections looked up instead of computed
    (inference): table (r, gates * u) float32 holds x kernel + bias rows
    (GRU with reset_after: the input bias row), rows (n, t) int64 in [0, r)
    says which row is x[i, t]'s; x is then only read for its shape."""
    if kind not in _GATES:
        raise ValueError(f"rnn_forward: kind must be one of {list(_GATES)}, "
                         f"received {kind!r}")
    cdef cnp.ndarray X
    cdef cnp.ndarray T, Rows
    cdef sc_rnn_args a
    if table is None:
        X = _float32_c(x, f"{kind} input")
        shape = (<object>X).shape
    else:
        X = None
        shape = np.shape(x)
    if len(shape) != 3:
        raise ValueError(f"{kind}: expected input (batch, steps, features), "
                         f"received shape {shape}")
    a.n, a.t, a.d = shape[0], shape[1], shape[2]
    a.table, a.rows = NULL, NULL
    cdef cnp.ndarray H = h
    if not isinstance(h, np.ndarray) or H.dtype != np.float32 or \
            not H.flags.c_contiguous or H.ndim != 2 or H.shape[0] != a.n:
        raise ValueError(f"{kind}: state h must be a C-contiguous float32 "
                         f"array of shape ({a.n}, units)")
    a.u = H.shape[1]
    cdef long width = _GATES[kind] * a.u
    if table is not None:
        if keep_gates:
            raise ValueError(f"{kind}: looked-up projections are for "
                             f"inference (keep_gates must be False)")
        T = _float32_c(table, f"{kind} projection table")
        if T.ndim != 2 or T.shape[1] != width:
            raise ValueError(f"{kind}: projection table must have shape "
                             f"(rows, {width}), received "
                             f"{(<object>T).shape}")
        Rows = np.ascontiguousarray(rows, np.int64)
        if (<object>Rows).shape != (a.n, a.t):
            raise ValueError(f"{kind}: table rows must have shape "
                             f"({a.n}, {a.t}), received {(<object>Rows).shape}")
        if Rows.size and (Rows.min() < 0 or Rows.max() >= T.shape[0]):
            raise ValueError(f"{kind}: table rows must be in [0, "
                             f"{T.shape[0]}), received values in "
                             f"[{Rows.min()}, {Rows.max()}]")
        a.table = <const float *>cnp.PyArray_DATA(T)
        a.rows = <const long *>cnp.PyArray_DATA(Rows)
    K = _check_matrix(kernel, (a.d, width), f"{kind} kernel")
    R = _check_matrix(recurrent_kernel, (a.u, width), f"{kind} recurrent kernel")
    if kind == "gru" and reset_after:
        bias_shape = (2, width)
    else:
        bias_shape = (width,)
    B = _check_matrix(bias, bias_shape, f"{kind} bias")
    cdef cnp.ndarray C
    if kind == "lstm":
        C = c
        if not isinstance(c, np.ndarray) or C.dtype != np.float32 or \
                not C.flags.c_contiguous or (<object>C).shape != (a.n, a.u):
            raise ValueError(f"lstm: state c must be a C-contiguous float32 "
                             f"array of shape ({a.n}, {a.u})")
    cdef cnp.ndarray M
    a.mask = NULL
    if mask is not None:
        M = np.ascontiguousarray(mask, dtype=np.uint8)
        if (<object>M).shape != (a.n, a.t):
            raise ValueError(f"{kind}: mask must have shape ({a.n}, {a.t}), "
                             f"received {(<object>M).shape}")
        a.mask = <unsigned char *>cnp.PyArray_DATA(M)
    a.go_backwards = go_backwards
    a.act = _act_code(activation)
    a.recurrent_act = _act_code(recurrent_activation)

    a.keep_gates = keep_gates
    cdef long gate_elements = a.n * width * (a.t if keep_gates else 1)
    cdef cnp.ndarray gates
    if workspace is None:
        gates = aligned_empty((gate_elements,))
    else:
        gates = workspace
        if gates.dtype != np.float32 or not gates.flags.c_contiguous or \
                gates.size != gate_elements:
            raise ValueError(f"{kind}: workspace must be a C-contiguous "
                             f"float32 array of {gate_elements} elements")
    seq = aligned_empty((a.n, a.t, a.u)) if return_sequences else None
    cdef float *px = NULL if X is None else <float *>cnp.PyArray_DATA(X)
    cdef float *pk = _data_or_null(K)
    cdef float *pr = _data_or_null(R)
    cdef float *pb = _data_or_null(B)
    cdef float *ph = <float *>cnp.PyArray_DATA(H)
    cdef float *pc = NULL if kind != "lstm" else <float *>cnp.PyArray_DATA(C)
    cdef float *pseq = _data_or_null(seq)
    cdef float *pg = <float *>cnp.PyArray_DATA(gates)
    cdef int status
    cdef int which = 0 if kind == "lstm" else (1 if kind == "gru" else 2)
    with nogil:
        if which == 0:
            status = sc_lstm_forward_f32(&a, px, pk, pr, pb, ph, pc, pseq, pg)
        elif which == 1:
            status = sc_gru_forward_f32(&a, reset_after, px, pk, pr, pb, ph,
                                        pseq, pg)
        else:
            status = sc_simple_rnn_forward_f32(&a, px, pk, pr, pb, ph, pseq,
                                               pg)
    if status != 0:
        raise _memory_error(kind)
    return seq
