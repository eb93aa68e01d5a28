"""keras.ops.linalg beyond matmul: inv, det, solve, solve_triangular,
cholesky, cholesky_inverse, qr, svd, eig, eigh, lu_factor, lstsq, pinv,
matrix_rank, norm, slogdet, logdet, on numpy (LAPACK through numpy),
batched over leading axes where numpy is. Differentiable: inv, det,
solve, solve_triangular, cholesky, logdet and slogdet's log|det|, svd's
singular values (compute_uv=False), norm (composed of recorded ops)."""
import numpy as np

from seqcore.ops._meta import ndim_of

from seqcore.engine.tape import constant, differentiable, plain
from seqcore.ops import numpy_ops as npo
from seqcore.ops.dtypes import convert_to_array


def _float_matrix(x, name, square=True):
    x = convert_to_array(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        raise ValueError(
            f"{name}: expected {'square ' if square else ''}matrices in the "
            f"last two axes, received shape {x.shape}")
    return x


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _inv_vjp(g, out, x):
    return (-_mT(out) @ g @ _mT(out),)


@differentiable(_inv_vjp)
def inv(x):
    """The inverse of the square matrices in x's last two axes."""
    return np.linalg.inv(_float_matrix(x, "inv"))


def _det_vjp(g, out, x):
    x = np.asarray(x, out.dtype)
    return ((g * out)[..., None, None] * _mT(np.linalg.inv(x)),)


@differentiable(_det_vjp)
def det(x):
    """The determinant of each square matrix."""
    return np.linalg.det(_float_matrix(x, "det"))


def _logdet_vjp(g, out, x):
    x = np.asarray(x, out.dtype)
    return (g[..., None, None] * _mT(np.linalg.inv(x)),)


@differentiable(_logdet_vjp)
def _logabsdet(x):
    return np.linalg.slogdet(_float_matrix(x, "slogdet"))[1]


@differentiable(_logdet_vjp)
def logdet(x):
    """log(det(x)) of Hermitian positive-definite matrices."""
    sign, value = np.linalg.slogdet(_float_matrix(x, "logdet"))
    return np.where(sign > 0, value, np.nan).astype(value.dtype)


def slogdet(x):
    """(sign, log|det|) of each square matrix."""
    sign = constant(lambda a: np.linalg.slogdet(
        _float_matrix(a, "slogdet"))[0])(x)
    return sign, _logabsdet(x)


def _solve_vjp(g, out, a, b):
    a = np.asarray(a, out.dtype)
    vector = out.ndim == ndim_of(b) and ndim_of(b) == a.ndim - 1
    gb = np.linalg.solve(_mT(a), g[..., None] if vector else g)
    o = out[..., None] if vector else out
    ga = -gb @ _mT(o)
    return ga, gb[..., 0] if vector else gb


@differentiable(_solve_vjp)
def solve(a, b):
    """x with a @ x = b (b a vector or matrices)."""
    a = _float_matrix(a, "solve")
    b = convert_to_array(b).astype(a.dtype, copy=False)
    if b.ndim == a.ndim - 1:
        return np.linalg.solve(a, b[..., None])[..., 0]
    return np.linalg.solve(a, b)


def _triangular(a, lower):
    return np.tril(a) if lower else np.triu(a)


def _solve_triangular_vjp(g, out, a, b, lower=False):
    a = _triangular(np.asarray(a, out.dtype), lower)
    vector = out.ndim == ndim_of(b) and ndim_of(b) == a.ndim - 1
    gb = np.linalg.solve(_mT(a), g[..., None] if vector else g)
    o = out[..., None] if vector else out
    ga = _triangular(-gb @ _mT(o), lower)
    return ga, gb[..., 0] if vector else gb


@differentiable(_solve_triangular_vjp)
def solve_triangular(a, b, lower=False):
    """x with tri(a) @ x = b, using only a's lower (lower=True) or upper
    triangle."""
    a = _triangular(_float_matrix(a, "solve_triangular"), lower)
    b = convert_to_array(b).astype(a.dtype, copy=False)
    if b.ndim == a.ndim - 1:
        return np.linalg.solve(a, b[..., None])[..., 0]
    return np.linalg.solve(a, b)


def _cholesky_vjp(g, out, x, upper=False):
    lower = _mT(out) if upper else out
    gl = _mT(g) if upper else g
    # P = Phi(L^T dL) (lower triangle, halved diagonal); the gradient is
    # the symmetric part of L^-T P L^-1.
    p = _mT(lower) @ gl
    p = np.tril(p) - 0.5 * np.eye(p.shape[-1], dtype=p.dtype) * p
    inv_l = np.linalg.inv(lower)
    s = _mT(inv_l) @ p @ inv_l
    return (0.5 * (s + _mT(s)),)


@differentiable(_cholesky_vjp)
def cholesky(x, upper=False):
    """The Cholesky factor of symmetric positive-definite matrices: lower
    L with x = L L^T (upper: U with x = U^T U)."""
    x = _float_matrix(x, "cholesky")
    lower = np.linalg.cholesky(x)
    return _mT(lower).copy() if upper else lower


def cholesky_inverse(x, upper=False):
    """The inverse of A from its Cholesky factor x (lower, or upper)."""
    factor = x
    from seqcore.ops.linalg import matmul
    a = matmul(npo.transpose(factor, _swap_last(factor)), factor) \
        if upper else matmul(factor, npo.transpose(factor,
                                                       _swap_last(factor)))
    return inv(a)


def _swap_last(x):
    n = ndim_of(plain(x))
    axes = list(range(n))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return axes


@constant
def qr(x, mode="reduced"):
    """(q, r) of x ("reduced" or "complete")."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', "
                         f"received {mode!r}")
    q, r = np.linalg.qr(_float_matrix(x, "qr", square=False), mode=mode)
    return q, r


def _singular_values_vjp(g, out, x):
    u, _, vh = np.linalg.svd(np.asarray(x, out.dtype), full_matrices=False)
    return ((u * g[..., None, :]) @ vh,)


@differentiable(_singular_values_vjp)
def _singular_values(x):
    return np.linalg.svd(_float_matrix(x, "svd", square=False),
                         compute_uv=False)


def svd(x, full_matrices=True, compute_uv=True):
    """(u, s, vh) with x = u diag(s) vh, or s alone when not compute_uv
    (then differentiable)."""
    if not compute_uv:
        return _singular_values(x)
    return constant(lambda a: tuple(np.linalg.svd(
        _float_matrix(a, "svd", square=False),
        full_matrices=full_matrices)))(x)


@constant
def eig(x):
    """(eigenvalues, eigenvectors) of square matrices (complex when
    numpy finds them complex)."""
    return tuple(np.linalg.eig(_float_matrix(x, "eig")))


@constant
def eigh(x):
    """(eigenvalues ascending, eigenvectors) of symmetric matrices."""
    return tuple(np.linalg.eigh(_float_matrix(x, "eigh")))


@constant
def lu_factor(x):
    """(lu, pivots) as LAPACK's getrf gives them: L (unit diagonal,
    below) and U packed in one matrix, and the int32 row swaps."""
    a = np.array(_float_matrix(x, "lu_factor", square=False))
    batch = a.shape[:-2]
    m, n = a.shape[-2:]
    k = min(m, n)
    pivots = np.zeros(batch + (k,), np.int32)
    for idx in np.ndindex(*batch):
        lu = a[idx]
        for j in range(k):
            p = j + int(np.argmax(np.abs(lu[j:, j])))
            pivots[idx + (j,)] = p
            if p != j:
                lu[[j, p]] = lu[[p, j]]
            if lu[j, j] != 0:
                lu[j + 1:, j] /= lu[j, j]
            lu[j + 1:, j + 1:] -= np.outer(lu[j + 1:, j], lu[j, j + 1:])
    return a, pivots


@constant
def lstsq(a, b, rcond=None):
    """The least-squares solution x of a @ x = b."""
    a = _float_matrix(a, "lstsq", square=False)
    b = convert_to_array(b).astype(a.dtype, copy=False)
    return np.linalg.lstsq(a, b, rcond=rcond)[0]


@constant
def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse."""
    x = _float_matrix(x, "pinv", square=False)
    if rcond is None:
        return np.linalg.pinv(x)
    return np.linalg.pinv(x, rcond=rcond)


@constant
def matrix_rank(x, tol=None):
    """The rank of each matrix (int32)."""
    return np.asarray(np.linalg.matrix_rank(
        _float_matrix(x, "matrix_rank", square=False), tol)).astype(np.int32)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    """Vector or matrix norms (numpy's ord values), composed of recorded
    ops so that it is differentiable.

    Args:
        ord: vector: None/2, inf, -inf, 0, any p; matrix: None/"fro",
            "nuc", 1, -1, 2, -2, inf, -inf.
        axis: None (all axes for ord None; else x must be 1-D or 2-D), an
            int (vectors) or a pair (matrices).
    """
    x_ = convert_to_array(plain(x))
    if x_.dtype.kind != "f":
        x = npo.cast(x, "float32")
    ndim = x_.ndim
    if axis is None and ord is None:
        out = npo.sqrt(npo.sum(npo.square(x)))
        return npo.reshape(out, (1,) * ndim) if keepdims else out
    if axis is None:
        axis = tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(a % ndim for a in axes)
    if len(axes) == 1:
        out = _vector_norm(x, ord, axes[0])
    elif len(axes) == 2:
        out = _matrix_norm(x, ord, axes)
    else:
        raise ValueError(f"norm: `axis` must be None, an int or a pair, "
                         f"received {axis}")
    if keepdims:
        shape = [1 if i in axes else d for i, d in enumerate(x_.shape)]
        out = npo.reshape(out, tuple(shape))
    return out


def _vector_norm(x, ord, axis):
    if ord is None or ord == 2:
        return npo.sqrt(npo.sum(npo.square(x), axis=axis))
    if ord == np.inf:
        return npo.max(npo.abs(x), axis=axis)
    if ord == -np.inf:
        return npo.min(npo.abs(x), axis=axis)
    if ord == 0:
        dtype = np.asarray(plain(x)).dtype
        return npo.cast(npo.sum(npo.not_equal(x, 0), axis=axis), dtype)
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is not a vector norm")
    p = float(ord)
    return npo.power(npo.sum(npo.power(npo.abs(x), p), axis=axis), 1.0 / p)


def _matrix_norm(x, ord, axes):
    a0, a1 = axes
    if ord is None or ord == "fro":
        return npo.sqrt(npo.sum(npo.square(x), axis=axes))
    if ord in (1, -1):
        col = npo.sum(npo.abs(x), axis=a0)
        pick = npo.max if ord == 1 else npo.min
        return pick(col, axis=a1 - 1 if a1 > a0 else a1)
    if ord in (np.inf, -np.inf):
        row = npo.sum(npo.abs(x), axis=a1)
        pick = npo.max if ord == np.inf else npo.min
        return pick(row, axis=a0 - 1 if a0 > a1 else a0)
    if ord in ("nuc", 2, -2):
        from seqcore.ops.shape_ops import moveaxis
        moved = moveaxis(x, list(axes), [-2, -1])
        s = _singular_values(moved)
        if ord == "nuc":
            return npo.sum(s, axis=-1)
        return npo.max(s, axis=-1) if ord == 2 else npo.min(s, axis=-1)
    raise ValueError(f"norm: invalid ord {ord!r} for a matrix norm")


__all__ = [
    "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "logdet",
    "lstsq", "lu_factor", "matrix_rank", "norm", "pinv", "qr", "slogdet",
    "solve", "solve_triangular", "svd",
]
