# cython: language_level=3, boundscheck=False, wraparound=False
"""The one bridge between Python and the C kernels of csrc/.

Every function checks shapes, dtypes and memory layout here, in Python
terms, before any C runs; the C calls run without the GIL.
"""
import numpy as np

cimport numpy as cnp
from libc.stdint cimport uint64_t

cnp.import_array()

_ISAS = {"generic": SC_ISA_GENERIC, "avx2": SC_ISA_AVX2,
         "avx512": SC_ISA_AVX512}
# Activations the kernels apply (Keras's default parameters), by name.
_ACTIVATIONS = {
    None: SC_ACT_NONE, "linear": SC_ACT_NONE, "none": SC_ACT_NONE,
    "relu": SC_ACT_RELU, "sigmoid": SC_ACT_SIGMOID, "tanh": SC_ACT_TANH,
    "elu": SC_ACT_ELU, "selu": SC_ACT_SELU, "softplus": SC_ACT_SOFTPLUS,
    "softsign": SC_ACT_SOFTSIGN, "gelu": SC_ACT_GELU,
    "gelu_tanh": SC_ACT_GELU_TANH, "swish": SC_ACT_SWISH,
    "silu": SC_ACT_SWISH, "leaky_relu": SC_ACT_LEAKY_RELU,
    "hard_sigmoid": SC_ACT_HARD_SIGMOID, "exponential": SC_ACT_EXPONENTIAL,
    "relu6": SC_ACT_RELU6,
}


# ---- CPU features and threads ---------------------------------------------

def isa_names():
    """All ISA names seqcore knows, best last."""
    return list(_ISAS)


def isa_available(str name):
    """Whether this build and this CPU can run the kernels of ISA `name`."""
    return bool(sc_isa_available(_isa_code(name)))


def best_isa():
    return sc_isa_name(sc_isa_best()).decode()


def current_isa():
    return sc_isa_name(sc_isa_current()).decode()


def select_isa(str name):
    """Use the kernels of ISA `name` from now on (for tests and debugging)."""
    if sc_isa_select(_isa_code(name)) != 0:
        available = [n for n in _ISAS if sc_isa_available(_ISAS[n])]
        raise RuntimeError(
            f"seqcore: this CPU (or this build) cannot run the {name!r} "
            f"kernels; available: {available}")


def openmp_enabled():
    return bool(sc_openmp_enabled())


def set_num_threads(int n):
    sc_set_num_threads(n)


def get_num_threads():
    return sc_get_num_threads()


def default_num_threads():
    return sc_default_num_threads()


def cpu_caches(str source=None):
    """Data cache sizes in bytes of this core: a dict with l1d, l2, l3 (one
    core's share of L3) and source ("sysfs", "cpuid" or "default"). With
    `source`, that source's answer alone, or None when it has none."""
    cdef const sc_cache_sizes *cs
    if source is None:
        cs = sc_cpu_caches()
    else:
        if source not in ("sysfs", "cpuid", "default"):
            raise ValueError(f"cpu_caches: source must be 'sysfs', 'cpuid', "
                             f"'default' or None, received {source!r}")
        encoded = source.encode()
        cs = sc_cpu_caches_from(encoded)
        if cs == NULL:
            return None
    return {"l1d": cs.l1d, "l2": cs.l2, "l3": cs.l3,
            "source": cs.source.decode()}


def gemm_blocks():
    """The float32 GEMM's micro-tile (mr, nr) and cache blocks (mc, kc, nc)
    for the selected ISA, as a dict."""
    cdef int mr, nr
    cdef long mc, kc, nc
    sc_sgemm_blocks(&mr, &nr, &mc, &kc, &nc)
    return {"mr": mr, "nr": nr, "mc": mc, "kc": kc, "nc": nc}


def fma_peak(double seconds=0.2):
    """This core's float32 FMA peak in flop/s on the selected ISA: a
    register-resident FMA loop, no memory traffic, one thread. Runs of about
    a millisecond are repeated for `seconds` and the fastest counts: other
    processes only ever slow a run down, and a millisecond is shorter than
    a scheduler's time slice."""
    import time
    cdef float sink = 0.0
    cdef long iters = 1 << 10
    cdef double flops = 0.0
    while True:  # calibrate: about a millisecond per run
        t0 = time.perf_counter()
        with nogil:
            flops = sc_fma_peak_loop(iters, &sink)
        took = time.perf_counter() - t0
        if took > 1e-3 or iters > (1 << 40):
            break
        iters *= 2
    best = flops / took
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        with nogil:
            flops = sc_fma_peak_loop(iters, &sink)
        best = max(best, flops / (time.perf_counter() - t0))
    return best


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


# ---- activations and softmax -------------------------------------------------

cdef cnp.ndarray _float32_c(x, str what):
    if not isinstance(x, np.ndarray) or cnp.PyArray_TYPE(<cnp.ndarray>x) != \
            cnp.NPY_FLOAT32:
        raise ValueError(f"{what}: expected a float32 numpy array, received "
                         f"{getattr(x, 'dtype', type(x).__name__)}")
    return np.ascontiguousarray(x)


def activation(x, name, out=None):
    """out = name(x) elementwise, float32; out may be x. Returns out."""
    cdef cnp.ndarray X = _float32_c(x, "activation")
    cdef sc_act act = _act_code(name)
    cdef cnp.ndarray Y
    if out is None:
        Y = cnp.PyArray_EMPTY(cnp.PyArray_NDIM(X), cnp.PyArray_DIMS(X),
                              cnp.NPY_FLOAT32, 0)
    else:
        Y = out
        if not Y.flags.c_contiguous or Y.dtype != np.float32 or \
                (<object>Y).shape != (<object>X).shape:
            raise ValueError("activation: out must be a C-contiguous float32 "
                             "array of the input's shape")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef long n = cnp.PyArray_SIZE(X)
    with nogil:
        sc_activation_f32(px, py, n, act)
    return Y


def activation_backward(x, y, dy, name, out=None):
    """dx = dy * name'(x), float32, given x and y = name(x), all of one
    shape; out may be dy. Returns dx."""
    cdef cnp.ndarray X = _float32_c(x, "activation_backward x")
    cdef cnp.ndarray Y = _float32_c(y, "activation_backward y")
    cdef cnp.ndarray DY = _float32_c(dy, "activation_backward dy")
    if not ((<object>X).shape == (<object>Y).shape == (<object>DY).shape):
        raise ValueError(f"activation_backward: x, y and dy must have one "
                         f"shape, received {(<object>X).shape}, "
                         f"{(<object>Y).shape} and {(<object>DY).shape}")
    cdef sc_act act = _act_code(name)
    cdef cnp.ndarray DX = np.empty_like(DY) if out is None else out
    if DX.dtype != np.float32 or not DX.flags.c_contiguous or \
            (<object>DX).shape != (<object>X).shape:
        raise ValueError("activation_backward: out must be a C-contiguous "
                         "float32 array of the input's shape")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef float *pdx = <float *>cnp.PyArray_DATA(DX)
    cdef long n = cnp.PyArray_SIZE(X)
    with nogil:
        sc_activation_backward_f32(px, py, pdy, pdx, n, act)
    return DX


def softmax(x, out=None):
    """Softmax over the last axis of a float32 array; out may be x."""
    cdef cnp.ndarray X = _float32_c(x, "softmax")
    cdef cnp.ndarray Y = np.empty_like(X) if out is None else out
    if (<object>Y).shape != (<object>X).shape or not Y.flags.c_contiguous:
        raise ValueError("softmax: out must be C-contiguous, shaped like x")
    cdef long n = X.shape[X.ndim - 1] if X.ndim else 1
    cdef long m = cnp.PyArray_SIZE(X) // n if n else 0
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    with nogil:
        sc_softmax_f32(px, py, m, n)
    return Y


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


# ---- convolution and pooling -------------------------------------------------

cdef cnp.ndarray _out_array(out, tuple shape, str what):
    """`out` checked to be a C-contiguous float32 array of `shape`, or a new
    one when None."""
    if out is None:
        return np.empty(shape, np.float32)
    if not (isinstance(out, np.ndarray) and out.dtype == np.float32 and
            out.flags.c_contiguous and out.flags.writeable and
            out.shape == shape):
        raise ValueError(f"{what}: out must be a writable C-contiguous "
                         f"float32 array of shape {shape}")
    return out


cdef sc_window _window(cnp.ndarray x, tuple window, tuple strides,
                       tuple dilation, tuple pads, tuple out_hw) except *:
    """The geometry struct for NHWC x; checks the output size it implies."""
    if cnp.PyArray_NDIM(x) != 4:
        raise ValueError(f"expected NHWC input of rank 4, received shape "
                         f"{(<object>x).shape}")
    return _window_of(tuple((<object>x).shape), window, strides, dilation,
                      pads, out_hw)


cdef sc_window _window_of(tuple nhwc, tuple window, tuple strides,
                          tuple dilation, tuple pads, tuple out_hw) except *:
    """The geometry struct for an NHWC input shape."""
    cdef sc_window g
    g.n, g.h, g.w, g.c = nhwc
    g.kh, g.kw = window
    g.sh, g.sw = strides
    g.dh, g.dw = dilation
    g.pad_top, g.pad_left = pads
    g.oh, g.ow = out_hw
    if min(g.kh, g.kw, g.sh, g.sw, g.dh, g.dw) < 1 or min(g.oh, g.ow) < 0 \
            or min(g.pad_top, g.pad_left) < 0 or min(g.n, g.h, g.w, g.c) < 0:
        raise ValueError(f"invalid window {window}, strides {strides}, "
                         f"dilation {dilation}, padding {pads} or output "
                         f"size {out_hw}")
    # The last window of each axis must start inside the padded input.
    if g.oh and (g.oh - 1) * g.sh - g.pad_top > g.h - 1 + g.kh * g.dh:
        raise ValueError(f"output height {g.oh} does not fit input height "
                         f"{g.h}")
    if g.ow and (g.ow - 1) * g.sw - g.pad_left > g.w - 1 + g.kw * g.dw:
        raise ValueError(f"output width {g.ow} does not fit input width "
                         f"{g.w}")
    return g


cdef int *_where_array(where, tuple shape, str what) except NULL:
    """The data of `where`, checked to be a writable C-contiguous int32 array
    of `shape`."""
    if not (isinstance(where, np.ndarray) and where.dtype == np.int32 and
            where.flags.c_contiguous and where.flags.writeable and
            where.shape == shape):
        got = (f"{where.dtype} array of shape {where.shape}"
               if isinstance(where, np.ndarray) else type(where).__name__)
        raise ValueError(f"{what}: where must be a writable C-contiguous "
                         f"int32 array of shape {shape}, received {got}")
    return <int *>cnp.PyArray_DATA(<cnp.ndarray>where)


cdef cnp.ndarray _bias_array(bias, long filters, str what):
    """bias as a C-contiguous float32 array of shape (filters,), or None."""
    if bias is None:
        return None
    cdef cnp.ndarray B = _float32_c(bias, f"{what} bias")
    if B.ndim != 1 or B.shape[0] != filters:
        raise ValueError(f"{what}: bias must have shape ({filters},), "
                         f"received {(<object>B).shape}")
    return B


cdef int _check_int_indices(long count, str what, str indexed) except -1:
    """Raise unless `count` indices fit the kernels' int32 pixel indices."""
    if count > 2147483647:
        raise ValueError(f"{what}: the {indexed} has {count} elements, more "
                         f"than the 2**31 - 1 that int32 indices address")
    return 0


cdef int _check_pixels(const int *where, long size, long h, long w,
                      str what, str image) except -1:
    """Raise unless every entry of `where` (size ints) is a pixel of an h x w
    image or negative (none): the kernels index with them."""
    cdef long i, bad = -1
    with nogil:
        for i in range(size):
            if where[i] >= h * w:
                bad = i
                break
    if bad >= 0:
        raise ValueError(f"{what}: where holds pixel {where[bad]}, outside "
                         f"the {h}x{w} {image}")
    return 0


cdef tuple _conv_operands(x, kernel, str what):
    """(x, kernel) as C-contiguous float32 arrays, the kernel checked to be
    HWIO (kh, kw, c, filters) for x's c channels."""
    cdef cnp.ndarray X = _float32_c(x, what)
    cdef cnp.ndarray K = _float32_c(kernel, f"{what} kernel")
    if K.ndim != 4 or K.shape[2] != X.shape[3]:
        raise ValueError(f"{what}: kernel must be (kh, kw, {X.shape[3]}, "
                         f"filters) for input channels {X.shape[3]}, "
                         f"received {(<object>K).shape}")
    return X, K


def conv2d_forward(x, kernel, bias, tuple strides, tuple dilation,
                   tuple pads, tuple out_hw, activation=None, out=None):
    """NHWC x (n, h, w, c) * HWIO kernel (kh, kw, c, f) -> (n, oh, ow, f),
    with zero padding pads = (top, left), bias (f,) or None, and a fused
    activation."""
    cdef cnp.ndarray X, K
    X, K = _conv_operands(x, kernel, "conv2d")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, out_hw)
    cdef long filters = K.shape[3]
    cdef cnp.ndarray B = _bias_array(bias, filters, "conv2d")
    cdef float *pbias = NULL if B is None else <float *>cnp.PyArray_DATA(B)
    cdef sc_act act = _act_code(activation)
    cdef cnp.ndarray Y = _out_array(out, (g.n, g.oh, g.ow, filters),
                                    "conv2d")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int status
    with nogil:
        status = sc_conv2d_forward_f32(&g, px, pk, filters, pbias, act, py)
    if status != 0:
        raise _memory_error("conv2d")
    return Y


def dropout_mask(key, double rate, out):
    """Fill `out` (a C-contiguous float32 array) with a dropout mask: 1 /
    (1 - rate) where a uniform draw is >= rate, else 0. The draws are a hash
    of (key, index): the same mask for a key at any thread count."""
    if not (0.0 <= rate < 1.0):
        raise ValueError(f"dropout_mask: rate must be in [0, 1), received "
                         f"{rate}")
    if not (isinstance(out, np.ndarray) and out.dtype == np.float32 and
            out.flags.c_contiguous and out.flags.writeable):
        raise ValueError("dropout_mask: out must be a writable C-contiguous "
                         "float32 array")
    cdef uint64_t k = <uint64_t>(int(key) & 0xFFFFFFFFFFFFFFFF)
    cdef long n = (<cnp.ndarray>out).size
    cdef float scale = <float>(1.0 / (1.0 - rate))  # from the double rate, as Keras
    cdef float *p = <float *>cnp.PyArray_DATA(<cnp.ndarray>out)
    with nogil:
        sc_dropout_mask_f32(k, n, rate, scale, p)
    return out


def conv2d_maxpool_forward(x, kernel, bias, tuple strides, tuple dilation,
                           tuple pads, tuple out_hw, tuple pool_size,
                           activation=None, out=None, where=None):
    """conv2d_forward (output size out_hw) then max pooling with window =
    strides = pool_size and no padding, in one pass: returns the pooled
    (n, oh // ph, ow // pw, f) and fills `where` (int32, same shape) with
    each maximum's pixel of the convolution's output, as pool2d_forward
    does, when given."""
    cdef cnp.ndarray X, K
    X, K = _conv_operands(x, kernel, "conv2d_maxpool")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, out_hw)
    cdef long ph, pw
    ph, pw = pool_size
    if ph < 1 or pw < 1:
        raise ValueError(f"conv2d_maxpool: invalid pool size {pool_size}")
    cdef long filters = K.shape[3]
    cdef cnp.ndarray B = _bias_array(bias, filters, "conv2d_maxpool")
    cdef float *pbias = NULL if B is None else <float *>cnp.PyArray_DATA(B)
    cdef sc_act act = _act_code(activation)
    cdef tuple shape = (g.n, g.oh // ph, g.ow // pw, filters)
    cdef cnp.ndarray Y = _out_array(out, shape, "conv2d_maxpool")
    cdef int *pwhere = NULL
    if where is not None:
        _check_int_indices(g.oh * g.ow, "conv2d_maxpool",
                           "convolution's output image")
        pwhere = _where_array(where, shape, "conv2d_maxpool")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int status
    with nogil:
        status = sc_conv2d_maxpool_forward_f32(&g, px, pk, filters, pbias,
                                               act, ph, pw, py, pwhere)
    if status != 0:
        raise _memory_error("conv2d_maxpool")
    return Y


def conv2d_maxpool_path(tuple x_shape, tuple kernel_hw, tuple strides,
                        tuple dilation, tuple pads, tuple out_hw,
                        tuple pool_size):
    """Which kernel conv2d_maxpool_forward runs for an NHWC input of shape
    x_shape (n, h, w, c) and these arguments: 'thin', 'winograd' or
    'gemm'."""
    cdef sc_window g = _window_of(x_shape, kernel_hw, strides, dilation,
                                  pads, out_hw)
    cdef long ph, pw
    ph, pw = pool_size
    if ph < 1 or pw < 1:
        raise ValueError(f"conv2d_maxpool: invalid pool size {pool_size}")
    return sc_conv2d_maxpool_path(&g, ph, pw).decode()


def pool2d_forward(x, str mode, tuple window, tuple strides, tuple pads,
                   tuple out_hw, out=None, where=None):
    """Max ('max') or average ('avg') pooling of NHWC x -> (n, oh, ow, c).
    For 'max', `where` (an int32 array shaped like the output) receives the
    pixel ih * w + iw of each window's first maximum, for pool2d_backward."""
    cdef cnp.ndarray X = _float32_c(x, "pool2d")
    cdef sc_window g = _window(X, window, strides, (1, 1), pads, out_hw)
    cdef tuple shape = (g.n, g.oh, g.ow, g.c)
    cdef cnp.ndarray Y = _out_array(out, shape, "pool2d")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int *pwhere = NULL
    if mode == "max":
        if where is not None:
            _check_int_indices(g.h * g.w, "pool2d", "input image")
            pwhere = _where_array(where, shape, "pool2d")
        with nogil:
            sc_maxpool2d_forward_f32(&g, px, py, pwhere)
    elif mode == "avg":
        if where is not None:
            raise ValueError("pool2d: where is only recorded by 'max' "
                             "pooling")
        with nogil:
            sc_avgpool2d_forward_f32(&g, px, py)
    else:
        raise ValueError(f"pool2d: mode must be 'max' or 'avg', received "
                         f"{mode!r}")
    return Y


cdef cnp.ndarray _input_grad_array(out, sc_window g, bint wanted,
                                   str what):
    """The array (n, h, w, c) a backward writes the input gradient into
    (`out`, checked, or a new one), or None when it is not wanted."""
    if not wanted:
        return None
    return _out_array(out, (g.n, g.h, g.w, g.c), what)


cdef float *_dk_pointer(dk, cnp.ndarray K, str what) except? NULL:
    """The data of the kernel gradient `dk` (a C-contiguous float32 array
    shaped like the kernel K), or NULL for None."""
    if dk is None:
        return NULL
    if not (isinstance(dk, np.ndarray) and dk.dtype == np.float32 and
            dk.flags.c_contiguous and dk.shape == (<object>K).shape):
        raise ValueError(f"{what}: dk must be a C-contiguous float32 array "
                         f"of shape {(<object>K).shape}")
    return <float *>cnp.PyArray_DATA(<cnp.ndarray>dk)


def conv2d_backward(x, kernel, dy, tuple strides, tuple dilation, tuple pads,
                    dk=None, float beta=0.0, bint input_grad=True, out=None):
    """Gradients of conv2d_forward (without activation) given dy (n, oh, ow,
    f): dk (kh, kw, c, f) = beta * dk + patches^T dy, written in place, and
    the input gradient (n, h, w, c), returned when input_grad."""
    cdef cnp.ndarray X = _float32_c(x, "conv2d_backward")
    cdef cnp.ndarray K = _float32_c(kernel, "conv2d_backward kernel")
    cdef cnp.ndarray DY = _float32_c(dy, "conv2d_backward dy")
    if K.ndim != 4 or K.shape[2] != X.shape[3] or DY.ndim != 4 or \
            DY.shape[0] != X.shape[0] or DY.shape[3] != K.shape[3]:
        raise ValueError(f"conv2d_backward: incompatible shapes x "
                         f"{(<object>X).shape}, kernel {(<object>K).shape}, "
                         f"dy {(<object>DY).shape}")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, (DY.shape[1], DY.shape[2]))
    cdef long filters = K.shape[3]
    cdef float *pdk = _dk_pointer(dk, K, "conv2d_backward")
    cdef cnp.ndarray DX = _input_grad_array(out, g, input_grad,
                                            "conv2d_backward")
    cdef float *pdx = NULL if DX is None else <float *>cnp.PyArray_DATA(DX)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef int status
    with nogil:
        status = sc_conv2d_backward_f32(&g, px, pk, filters, pdy, pdk, beta,
                                        pdx)
    if status != 0:
        raise _memory_error("conv2d_backward")
    return DX


def pool2d_backward(dy, str mode, tuple input_shape, tuple window,
                    tuple strides, tuple pads, where=None, out=None):
    """Gradient (n, h, w, c) = input_shape of pool2d_forward given dy (n, oh,
    ow, c); 'max' routes each window's gradient to the pixel `where` holds
    (as recorded by pool2d_forward)."""
    cdef cnp.ndarray DY = _float32_c(dy, "pool2d_backward dy")
    if DY.ndim != 4 or len(input_shape) != 4 or \
            DY.shape[0] != input_shape[0] or DY.shape[3] != input_shape[3]:
        raise ValueError(f"pool2d_backward: dy {(<object>DY).shape} does not "
                         f"match the input shape {input_shape}")
    cdef sc_window g = _window_of(input_shape, window, strides, (1, 1), pads,
                                  (DY.shape[1], DY.shape[2]))
    cdef cnp.ndarray DX = _out_array(out, input_shape, "pool2d_backward")
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef float *pdx = <float *>cnp.PyArray_DATA(DX)
    cdef const int *pwhere
    if mode == "max":
        pwhere = _where_array(where, (<object>DY).shape, "pool2d_backward")
        _check_pixels(pwhere, DY.size, g.h, g.w, "pool2d_backward", "input")
        with nogil:
            sc_maxpool2d_backward_f32(&g, pwhere, pdy, pdx)
    elif mode == "avg":
        with nogil:
            sc_avgpool2d_backward_f32(&g, pdy, pdx)
    else:
        raise ValueError(f"pool2d_backward: mode must be 'max' or 'avg', "
                         f"received {mode!r}")
    return DX


def conv2d_backward_routed(x, kernel, dz, where, tuple out_hw,
                           tuple strides, tuple dilation, tuple pads,
                           dk=None, float beta=0.0, bint input_grad=True,
                           out=None, db=None):
    """Gradients of conv2d_forward (output (n, oh, ow, f) = out_hw) when only
    the outputs `where` names have a gradient: dz and where are (n, ...,
    f), dz[i, ..., j] being the gradient of output pixel where[i, ..., j]
    (oh * ow index, negative: none) of filter j, as max pooling's
    pool2d_forward records them. dk = beta * dk + the kernel gradient, in
    place; db (f,), when given, is overwritten with the bias gradient; the
    input gradient (n, h, w, c) is returned when input_grad."""
    cdef cnp.ndarray X = _float32_c(x, "conv2d_backward_routed")
    cdef cnp.ndarray K = _float32_c(kernel, "conv2d_backward_routed kernel")
    cdef cnp.ndarray DZ = _float32_c(dz, "conv2d_backward_routed dz")
    if K.ndim != 4 or X.ndim != 4 or K.shape[2] != X.shape[3] or \
            DZ.ndim < 2 or DZ.shape[0] != X.shape[0] or \
            DZ.shape[DZ.ndim - 1] != K.shape[3]:
        raise ValueError(f"conv2d_backward_routed: incompatible shapes x "
                         f"{(<object>X).shape}, kernel {(<object>K).shape}, "
                         f"dz {(<object>DZ).shape}")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, out_hw)
    cdef long filters = K.shape[3]
    cdef long routes = DZ.size // (g.n * filters) if g.n * filters else 0
    _check_int_indices(g.h * g.w * g.c, "conv2d_backward_routed",
                       "input image")
    cdef const int *pwhere = _where_array(where, (<object>DZ).shape,
                                          "conv2d_backward_routed")
    _check_pixels(pwhere, DZ.size, g.oh, g.ow, "conv2d_backward_routed",
                  "output")
    cdef float *pdk = _dk_pointer(dk, K, "conv2d_backward_routed")
    cdef float *pdb = NULL
    if db is not None:
        pdb = <float *>cnp.PyArray_DATA(_out_array(db, (filters,),
                                                   "conv2d_backward_routed"))
    cdef cnp.ndarray DX = _input_grad_array(out, g, input_grad,
                                            "conv2d_backward_routed")
    cdef float *pdx = NULL if DX is None else <float *>cnp.PyArray_DATA(DX)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *pdz = <float *>cnp.PyArray_DATA(DZ)
    cdef int status
    with nogil:
        status = sc_conv2d_backward_routed_f32(&g, px, pk, filters, pdz,
                                               pwhere, routes, pdk, beta,
                                               pdb, pdx)
    if status != 0:
        raise _memory_error("conv2d_backward_routed")
    return DX


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
                workspace=None, bint keep_gates=False):
    """Run a recurrent layer over x (n, t, d). h (and c for 'lstm') are
    (n, u) float32 states, updated in place to the final states. Returns the
    (n, t, u) sequence of outputs if return_sequences, else None.
    kind: 'lstm', 'gru' or 'simple_rnn'; mask: (n, t) bool or None.
    workspace: a C-contiguous float32 array to reuse between calls, of
    n * gates * u elements, or n * t * gates * u with keep_gates (every
    step's gates kept, for backpropagation); allocated when None."""
    if kind not in _GATES:
        raise ValueError(f"rnn_forward: kind must be one of {list(_GATES)}, "
                         f"received {kind!r}")
    cdef cnp.ndarray X = _float32_c(x, f"{kind} input")
    if X.ndim != 3:
        raise ValueError(f"{kind}: expected input (batch, steps, features), "
                         f"received shape {(<object>X).shape}")
    cdef sc_rnn_args a
    a.n, a.t, a.d = X.shape[0], X.shape[1], X.shape[2]
    cdef cnp.ndarray H = h
    if not isinstance(h, np.ndarray) or H.dtype != np.float32 or \
            not H.flags.c_contiguous or H.ndim != 2 or H.shape[0] != a.n:
        raise ValueError(f"{kind}: state h must be a C-contiguous float32 "
                         f"array of shape ({a.n}, units)")
    a.u = H.shape[1]
    cdef long width = _GATES[kind] * a.u
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
    cdef float *px = <float *>cnp.PyArray_DATA(X)
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


# ---- depthwise convolution (depthwise.c) -------------------------------------

cdef tuple _depthwise_operands(x, kernel, str what):
    """(x, kernel) as C-contiguous float32 arrays, the kernel checked to be
    (kh, kw, c, depth_multiplier) for x's c channels."""
    cdef cnp.ndarray X = _float32_c(x, what)
    cdef cnp.ndarray K = _float32_c(kernel, f"{what} kernel")
    if X.ndim != 4:
        raise ValueError(f"{what}: expected NHWC input of rank 4, received "
                         f"shape {(<object>X).shape}")
    if K.ndim != 4 or K.shape[2] != X.shape[3]:
        raise ValueError(f"{what}: kernel must be (kh, kw, {X.shape[3]}, "
                         f"depth_multiplier) for input channels "
                         f"{X.shape[3]}, received {(<object>K).shape}")
    return X, K


def depthwise2d_forward(x, kernel, bias, tuple strides, tuple dilation,
                        tuple pads, tuple out_hw, activation=None, out=None):
    """NHWC x (n, h, w, c), kernel (kh, kw, c, mult) -> (n, oh, ow, c * mult),
    output channel ch * mult + m; zero padding pads = (top, left), bias
    (c * mult,) or None, and a fused activation."""
    cdef cnp.ndarray X, K
    X, K = _depthwise_operands(x, kernel, "depthwise2d")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, out_hw)
    cdef long mult = K.shape[3]
    cdef long channels = g.c * mult
    cdef cnp.ndarray B = _bias_array(bias, channels, "depthwise2d")
    cdef float *pbias = NULL if B is None else <float *>cnp.PyArray_DATA(B)
    cdef sc_act act = _act_code(activation)
    cdef cnp.ndarray Y = _out_array(out, (g.n, g.oh, g.ow, channels),
                                    "depthwise2d")
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    with nogil:
        sc_depthwise2d_forward_f32(&g, px, pk, mult, pbias, act, py)
    return Y


def depthwise2d_backward(x, kernel, dy, tuple strides, tuple dilation,
                         tuple pads, dk=None, float beta=0.0,
                         bint input_grad=True, out=None):
    """Gradients of depthwise2d_forward (without activation) given dy (n, oh,
    ow, c * mult): dk (kh, kw, c, mult) = beta * dk + the kernel gradient,
    written in place, and the input gradient (n, h, w, c), returned when
    input_grad."""
    cdef cnp.ndarray X, K
    X, K = _depthwise_operands(x, kernel, "depthwise2d_backward")
    cdef cnp.ndarray DY = _float32_c(dy, "depthwise2d_backward dy")
    if DY.ndim != 4 or DY.shape[0] != X.shape[0] or \
            DY.shape[3] != K.shape[2] * K.shape[3]:
        raise ValueError(f"depthwise2d_backward: incompatible shapes x "
                         f"{(<object>X).shape}, kernel {(<object>K).shape}, "
                         f"dy {(<object>DY).shape}")
    cdef sc_window g = _window(X, (K.shape[0], K.shape[1]), strides, dilation,
                               pads, (DY.shape[1], DY.shape[2]))
    cdef long mult = K.shape[3]
    cdef float *pdk = _dk_pointer(dk, K, "depthwise2d_backward")
    cdef cnp.ndarray DX = _input_grad_array(out, g, input_grad,
                                            "depthwise2d_backward")
    cdef float *pdx = NULL if DX is None else <float *>cnp.PyArray_DATA(DX)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *pdy = <float *>cnp.PyArray_DATA(DY)
    cdef int status
    with nogil:
        status = sc_depthwise2d_backward_f32(&g, px, pk, mult, pdy, pdk, beta,
                                             pdx)
    if status != 0:
        raise _memory_error("depthwise2d_backward")
    return DX


# ---- transposed convolution (conv.c's input gradient) ------------------------

def conv2d_transpose_forward(x, kernel, tuple out_shape, tuple strides,
                             tuple dilation, tuple pads, out=None):
    """The transposed convolution: x (n, ih, iw, c) scattered through the
    kernel (kh, kw, f, c) into (n, oh, ow, f) = out_shape, as the input
    gradient of the convolution of an out_shape input with that (HWIO)
    kernel, whose output is x's (ih, iw); pads = (top, left) are that
    convolution's padding (the cells cropped before the output)."""
    cdef cnp.ndarray X = _float32_c(x, "conv2d_transpose")
    cdef cnp.ndarray K = _float32_c(kernel, "conv2d_transpose kernel")
    if X.ndim != 4 or K.ndim != 4 or K.shape[3] != X.shape[3] or \
            len(out_shape) != 4 or out_shape[0] != X.shape[0] or \
            out_shape[3] != K.shape[2]:
        raise ValueError(f"conv2d_transpose: incompatible shapes x "
                         f"{(<object>X).shape}, kernel {(<object>K).shape}, "
                         f"output {out_shape}")
    cdef sc_window g = _window_of(out_shape, (K.shape[0], K.shape[1]),
                                  strides, dilation, pads,
                                  (X.shape[1], X.shape[2]))
    cdef cnp.ndarray Y = _out_array(out, out_shape, "conv2d_transpose")
    cdef long filters = K.shape[3]
    cdef float *pk = <float *>cnp.PyArray_DATA(K)
    cdef float *px = <float *>cnp.PyArray_DATA(X)
    cdef float *py = <float *>cnp.PyArray_DATA(Y)
    cdef int status
    with nogil:
        status = sc_conv2d_backward_f32(&g, NULL, pk, filters, px, NULL, 0.0,
                                        py)
    if status != 0:
        raise MemoryError("conv2d_transpose: out of memory for the column "
                          "buffer")
    return Y
