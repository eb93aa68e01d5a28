# seqcore/_kernels/optim.pxi - included by seqcore/_kernels.pyx (one
# extension module, so one selected ISA, thread count and scratch state).
# ---- optimizer updates ---------------------------------------------------------

cdef float *_flat(a, long n, str what) except NULL:
    """The data of a flat C-contiguous float32 array of n elements."""
    if not (isinstance(a, np.ndarray) and a.dtype == np.float32 and
            a.flags.c_contiguous and a.flags.writeable and a.size == n):
        raise ValueError(f"optimizer update: {what} must be a writable "
                         f"C-contiguous float32 array of {n} elements")
    return <float *>cnp.PyArray_DATA(<cnp.ndarray>a)


cdef float *_flat_or_null(a, long n, str what) except? NULL:
    if a is None:
        return NULL
    return _flat(a, n, what)


def optimizer_update(str rule, params, grads, slots, long n_decay, float lr,
                     float weight_decay, tuple hyper):
    """One optimizer step over flat float32 params and grads (n,), in place.

    slots: the rule's state arrays (None for an unused optional one);
    hyper: the rule's scalars, in the order of its C function."""
    cdef long n = params.size
    cdef float *p = _flat(params, n, "params")
    cdef float *g = _flat(grads, n, "grads")
    if not 0 <= n_decay <= n:
        raise ValueError(f"optimizer update: n_decay={n_decay} outside "
                         f"[0, {n}]")
    cdef float *s0 = _flat_or_null(slots[0], n, "slot") if len(slots) > 0 else NULL
    cdef float *s1 = _flat_or_null(slots[1], n, "slot") if len(slots) > 1 else NULL
    cdef float *s2 = _flat_or_null(slots[2], n, "slot") if len(slots) > 2 else NULL
    cdef float h0 = hyper[0] if len(hyper) > 0 else 0.0
    cdef float h1 = hyper[1] if len(hyper) > 1 else 0.0
    cdef float h2 = hyper[2] if len(hyper) > 2 else 0.0
    cdef float h3 = hyper[3] if len(hyper) > 3 else 0.0
    cdef float h4 = hyper[4] if len(hyper) > 4 else 0.0
    cdef float h5 = hyper[5] if len(hyper) > 5 else 0.0
    cdef float h6 = hyper[6] if len(hyper) > 6 else 0.0
    cdef float h7 = hyper[7] if len(hyper) > 7 else 0.0
    cdef float lr_ = lr, wd = weight_decay
    cdef int code = {"sgd": 0, "rmsprop": 1, "adagrad": 2, "adadelta": 3,
                     "adam": 4, "adamax": 5, "nadam": 6, "lion": 7,
                     "ftrl": 8}.get(rule, -1)
    if code < 0:
        raise ValueError(f"optimizer update: unknown rule {rule!r}")
    if code in (1, 2, 3, 4, 5, 6, 7, 8) and s0 == NULL or \
            code in (3, 4, 5, 6, 8) and s1 == NULL:
        raise ValueError(f"optimizer update: {rule} is missing a slot")
    with nogil:
        if code == 0:
            sc_sgd_update_f32(p, g, s0, n, n_decay, lr_, wd, h0, <int>h1)
        elif code == 1:
            sc_rmsprop_update_f32(p, g, s0, s1, s2, n, n_decay, lr_, wd, h0,
                                  h1, h2)
        elif code == 2:
            sc_adagrad_update_f32(p, g, s0, n, n_decay, lr_, wd, h0)
        elif code == 3:
            sc_adadelta_update_f32(p, g, s0, s1, n, n_decay, lr_, wd, h0, h1)
        elif code == 4:
            sc_adam_update_f32(p, g, s0, s1, s2, n, n_decay, lr_, wd, h0, h1,
                               h2, h3)
        elif code == 5:
            sc_adamax_update_f32(p, g, s0, s1, n, n_decay, lr_, wd, h0, h1,
                                 h2, h3)
        elif code == 6:
            sc_nadam_update_f32(p, g, s0, s1, n, n_decay, lr_, wd, h0, h1, h2,
                                h3, h4, h5, h6, h7)
        elif code == 7:
            sc_lion_update_f32(p, g, s0, n, n_decay, lr_, wd, h0, h1)
        else:
            sc_ftrl_update_f32(p, g, s0, s1, n, n_decay, lr_, wd, h0, h1, h2,
                               h3)


cdef const long *_offsets(a, long n_vars, long n, str what) except NULL:
    """A checked int64 array of n_vars + 1 increasing offsets ending at n."""
    if not isinstance(a, np.ndarray) or a.dtype != np.int64 or \
            a.ndim != 1 or a.shape[0] != n_vars + 1 or \
            not a.flags.c_contiguous:
        raise ValueError(f"{what}: expected a contiguous int64 array of "
                         f"{n_vars + 1} offsets, received "
                         f"{getattr(a, 'dtype', type(a))} "
                         f"{getattr(a, 'shape', '')}")
    if n_vars < 0 or a[0] != 0 or a[n_vars] != n or \
            (n_vars > 0 and (np.diff(a) < 0).any()):
        raise ValueError(f"{what}: offsets must rise from 0 to {n}")
    return <const long *>cnp.PyArray_DATA(<cnp.ndarray>a)


def lamb_update(params, grads, m, v, offsets, long n_decay, float lr,
                float weight_decay, tuple hyper):
    """Lamb over the flat arena cut into variables by offsets (n_vars + 1);
    hyper = (beta_1, beta_2, epsilon, 1 - beta_1^t, 1 - beta_2^t)."""
    cdef long n = params.size
    cdef long n_vars = len(offsets) - 1
    cdef float *p = _flat(params, n, "params")
    cdef float *g = _flat(grads, n, "grads")
    cdef float *m_ = _flat(m, n, "momentum")
    cdef float *v_ = _flat(v, n, "velocity")
    cdef const long *off = _offsets(offsets, n_vars, n, "lamb update")
    if not 0 <= n_decay <= n:
        raise ValueError(f"lamb update: n_decay={n_decay} outside [0, {n}]")
    cdef float b1 = hyper[0], b2 = hyper[1], eps = hyper[2]
    cdef float c1 = hyper[3], c2 = hyper[4], lr_ = lr, wd = weight_decay
    with nogil:
        sc_lamb_update_f32(p, g, m_, v_, off, n_vars, n_decay, lr_, wd, b1,
                           b2, eps, c1, c2)


def adafactor_update(params, grads, r, c, v, offsets, factor_offsets, dims,
                     long n_decay, float lr, float weight_decay,
                     tuple hyper):
    """Adafactor over the flat arena; r and c hold each variable's factored
    moments at factor_offsets (2 per variable), dims (3 per variable) its
    (batch, rows, cols) with rows = 0 when not factored; hyper = (rho,
    beta_2_t, epsilon_1, epsilon_2, clip_threshold)."""
    cdef long n = params.size
    cdef long n_vars = len(offsets) - 1
    cdef float *p = _flat(params, n, "params")
    cdef float *g = _flat(grads, n, "grads")
    cdef float *v_ = _flat(v, n, "velocity")
    cdef const long *off = _offsets(offsets, n_vars, n, "adafactor update")
    fo = np.asarray(factor_offsets)
    dm = np.asarray(dims)
    if fo.dtype != np.int64 or fo.shape != (2 * n_vars,) or \
            dm.dtype != np.int64 or dm.shape != (3 * n_vars,) or \
            not fo.flags.c_contiguous or not dm.flags.c_contiguous:
        raise ValueError("adafactor update: factor_offsets and dims must be "
                         "contiguous int64 arrays of 2 and 3 entries per "
                         "variable")
    cdef long nr = r.size, nc = c.size
    for k in range(n_vars):
        size = offsets[k + 1] - offsets[k]
        batch, rows, cols = dm[3 * k], dm[3 * k + 1], dm[3 * k + 2]
        if rows and (batch * rows * cols != size or
                     fo[2 * k] + batch * rows > nr or
                     fo[2 * k + 1] + batch * cols > nc) or \
                not 0 <= fo[2 * k] < max(nr, 1) or \
                not 0 <= fo[2 * k + 1] < max(nc, 1):
            raise ValueError(f"adafactor update: variable {k}'s dims "
                             f"{tuple(dm[3 * k:3 * k + 3])} or factor "
                             f"offsets do not fit its {size} weights")
    cdef float *r_ = _flat(r, nr, "r")
    cdef float *c_ = _flat(c, nc, "c")
    cdef const long *fo_ = <const long *>cnp.PyArray_DATA(<cnp.ndarray>fo)
    cdef const long *dm_ = <const long *>cnp.PyArray_DATA(<cnp.ndarray>dm)
    if not 0 <= n_decay <= n:
        raise ValueError(f"adafactor update: n_decay={n_decay} outside "
                         f"[0, {n}]")
    cdef float rho = hyper[0], b2 = hyper[1], e1 = hyper[2], e2 = hyper[3]
    cdef float clip = hyper[4], lr_ = lr, wd = weight_decay
    with nogil:
        sc_adafactor_update_f32(p, g, r_, c_, v_, off, fo_, dm_, n_vars,
                                n_decay, lr_, wd, rho, b2, e1, e2, clip)


def ema_update(average, params, float momentum):
    """average = momentum * average + (1 - momentum) * params, flat float32."""
    cdef long n = params.size
    cdef float *a = _flat(average, n, "average")
    cdef float *p = _flat(params, n, "params")
    with nogil:
        sc_ema_update_f32(a, p, n, momentum)


def accumulate_gradients(accumulator, grads, int steps, bint apply):
    """apply False: accumulator += grads. apply True: grads = (grads +
    accumulator) / steps and accumulator = 0. Flat float32, in place."""
    cdef long n = grads.size
    cdef float *a = _flat(accumulator, n, "accumulator")
    cdef float *g = _flat(grads, n, "grads")
    cdef float s = steps
    if steps < 1:
        raise ValueError(f"accumulate_gradients: steps must be >= 1, "
                         f"received {steps}")
    with nogil:
        sc_accumulate_gradients_f32(a, g, n, s, apply)
