"""Linear-algebra ops (keras.ops names) on numpy arrays, by seqcore's GEMM."""
import numpy as np

from seqcore import _kernels
from seqcore.engine.tape import differentiable, unbroadcast
from seqcore.ops.dtypes import convert_to_array, result_type

_GEMM_DTYPES = (np.dtype("float32"), np.dtype("float64"))


def _matmul_vjp(g, out, x1, x2, wanted=(True, True)):
    """d x1 = g @ x2^T and d x2 = x1^T @ g (on the GEMM for matrices),
    with 1-D operands and broadcast batch axes handled as the forward
    does; `wanted` says which of the two the tape needs."""
    a, b = np.asarray(x1), np.asarray(x2)
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        return None, None
    if a.ndim == 2 and b.ndim == 2 and g.dtype == a.dtype == b.dtype and \
            g.dtype in _GEMM_DTYPES:
        return (_kernels.gemm(g, b, trans_b=True) if wanted[0] else None,
                _kernels.gemm(a, g, trans_a=True) if wanted[1] else None)
    a2 = a[np.newaxis, :] if a.ndim == 1 else a
    b2 = b[:, np.newaxis] if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = np.expand_dims(g2, -2)
    if b.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    da = np.matmul(g2, np.swapaxes(b2, -1, -2))
    db = np.matmul(np.swapaxes(a2, -1, -2), g2)
    da = unbroadcast(da, a2.shape).reshape(a.shape)
    db = unbroadcast(db, b2.shape).reshape(b.shape)
    return da.astype(a.dtype, copy=False), db.astype(b.dtype, copy=False)


_matmul_vjp.partial = True


@differentiable(_matmul_vjp)
def matmul(x1, x2):
    """Matrix product with `keras.ops.matmul` (numpy) semantics.

    1-D operands are promoted to a row (x1) or a column (x2) and the added
    axis removed again; N-D operands are stacks of matrices broadcast over
    the leading axes. Float inputs run on seqcore's GEMM (float16 is
    computed in float32); other dtypes fall back to numpy.
    """
    a = convert_to_array(x1)
    b = convert_to_array(x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both operands need at least 1 dimension, "
                         f"received shapes {a.shape} and {b.shape}")
    if a.dtype == np.int8 and b.dtype == np.int8:
        dtype = np.dtype("int32")
    else:
        dtype = result_type(a.dtype, b.dtype)
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} are incompatible: the "
            f"last axis of x1 ({k_a}) must equal the "
            f"{'only' if b.ndim == 1 else 'second-to-last'} axis of x2 ({k_b})")
    if dtype.kind != "f":
        return np.matmul(a, b).astype(dtype, copy=False)

    compute = dtype if dtype in _GEMM_DTYPES else np.dtype("float32")
    a2 = a.astype(compute, copy=False)
    b2 = b.astype(compute, copy=False)
    if a.ndim == 1:
        a2 = a2[np.newaxis, :]
    if b.ndim == 1:
        b2 = b2[:, np.newaxis]
    out = _stacked_gemm(a2, b2)
    if a.ndim == 1:
        out = out[..., 0, :]
    if b.ndim == 1:
        out = out[..., 0]
    return out.astype(dtype, copy=False)


def _stacked_gemm(a, b):
    """a: (..., m, k), b: (..., k, n) -> (..., m, n), batch axes broadcast."""
    if a.ndim == 2 and b.ndim == 2:
        return _kernels.gemm(a, b)
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul: the batch axes of shapes {a.shape} and {b.shape} do "
            f"not broadcast") from None
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    out = np.empty(batch + (a.shape[-2], b.shape[-1]), dtype=a.dtype)
    for index in np.ndindex(*batch):
        _kernels.gemm(a[index], b[index], out[index])
    return out


# keras.ops.linalg: the rest (seqcore/ops/linalg_extra.py), imported last.
from seqcore.ops.linalg_extra import *  # noqa: E402,F401,F403
