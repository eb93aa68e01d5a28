"""Tensor products of keras.ops: einsum, tensordot, dot, outer, inner,
vdot, kron, cross. einsum is the general one: its vector-Jacobian product
is again an einsum (the output gradient with the other operands), with an
identity for an index repeated in one operand and ones for an index
summed away in only one operand. Matrix-shaped dot products run on
seqcore's GEMM (seqcore.ops.matmul)."""
import string

import numpy as np

from seqcore.ops._meta import ndim_of, shape_of

from seqcore.engine.tape import differentiable, plain, unbroadcast
from seqcore.ops.dtypes import convert_to_array, result_type
from seqcore.ops.linalg import matmul
from seqcore.ops.numpy_ops import multiply, reshape, sum as _sum


def _parse(subscripts, shapes):
    """Explicit subscripts (no '...', with '->') for operands of `shapes`."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, rhs = subscripts.split("->")
    else:
        lhs, rhs = subscripts, None
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {subscripts!r} names {len(terms)} "
                         f"operands, received {len(shapes)}")
    used = set(c for c in subscripts if c.isalpha())
    free = [c for c in string.ascii_letters if c not in used]
    ell_ndim = 0
    for t, s in zip(terms, shapes):
        if "..." in t:
            ell_ndim = max(ell_ndim, len(s) - (len(t) - 3))
    ell = "".join(free[:ell_ndim])
    out_terms = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            n = len(s) - (len(t) - 3)
            t = t.replace("...", ell[ell_ndim - n:] if n else "")
        out_terms.append(t)
    if rhs is None:
        counts = {}
        for t in out_terms:
            for c in t:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, k in counts.items()
                                   if k == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    return out_terms, rhs


def _einsum_vjp(g, out, subscripts, *operands, **kwargs):
    shapes = [shape_of(o) for o in operands]
    terms, rhs = _parse(subscripts, shapes)
    sizes = {}
    for t, s in zip(terms, shapes):
        for c, d in zip(t, s):
            sizes[c] = max(sizes.get(c, 1), d)
    grads = [None]
    for i, (term, op) in enumerate(zip(terms, operands)):
        if np.asarray(op).dtype.kind != "f":
            grads.append(None)
            continue
        args, subs = [g], [rhs]
        for j, (t, o) in enumerate(zip(terms, operands)):
            if j != i:
                args.append(np.asarray(o))
                subs.append(t)
        target, seen = "", set()
        spare = [c for c in string.ascii_letters
                 if c not in "".join(terms) + rhs]
        for c in term:
            if c in seen:
                # A repeated index: a diagonal; tie the copies with an
                # identity.
                new = spare.pop()
                args.append(np.eye(sizes[c], dtype=g.dtype))
                subs.append(c + new)
                target += new
            else:
                target += c
                seen.add(c)
        present = set("".join(subs))
        for c in set(target) - present:
            args.append(np.ones(sizes[c], g.dtype))
            subs.append(c)
        grad = np.einsum(",".join(subs) + "->" + target, *args)
        grads.append(unbroadcast(grad, shapes[i]).astype(
            np.asarray(op).dtype, copy=False))
    return tuple(grads)


@differentiable(_einsum_vjp)
def _einsum(subscripts, *operands):
    arrays = [convert_to_array(o) for o in operands]
    dtype = result_type(*[a.dtype for a in arrays])
    if dtype == np.int8:
        dtype = np.dtype("int32")
    return np.asarray(np.einsum(subscripts, *arrays,
                                optimize=len(arrays) > 2)).astype(dtype,
                                                                  copy=False)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over `operands` (numpy's subscripts, with '...'
    and implicit output).

    Args:
        subscripts: e.g. "ij,jk->ik".
        *operands: the arrays.
    """
    lhs = subscripts.replace(" ", "").split("->")[0]
    if len(lhs.split(",")) != len(operands):
        raise ValueError(
            f"einsum: {subscripts!r} names {len(lhs.split(','))} operands, "
            f"received {len(operands)}")
    return _einsum(subscripts, *operands)


def _letters(n, start=0):
    return string.ascii_lowercase[start:start + n]


def tensordot(x1, x2, axes=2):
    """Sum of products over the last `axes` axes of x1 and the first of
    x2, or over the listed axes ([axes of x1], [axes of x2])."""
    n1, n2 = ndim_of(plain(x1)), ndim_of(plain(x2))
    if ndim_of(axes) == 0:
        k = int(axes)
        a1, a2 = list(range(n1 - k, n1)), list(range(k))
    else:
        a1, a2 = axes
        a1 = [a1] if ndim_of(a1) == 0 else list(a1)
        a2 = [a2] if ndim_of(a2) == 0 else list(a2)
        a1 = [a % n1 for a in a1]
        a2 = [a % n2 for a in a2]
    s1 = list(_letters(n1))
    s2 = list(_letters(n2, n1))
    for i, j in zip(a1, a2):
        s2[j] = s1[i]
    out = [c for i, c in enumerate(s1) if i not in a1] + \
        [c for j, c in enumerate(s2) if j not in a2]
    return _einsum("".join(s1) + "," + "".join(s2) + "->" + "".join(out),
                   x1, x2)


def dot(x1, x2):
    """numpy's dot: a product for scalars, matmul for 1-D/2-D operands,
    otherwise the sum over x1's last axis and x2's second-to-last."""
    n1, n2 = ndim_of(plain(x1)), ndim_of(plain(x2))
    if n1 == 0 or n2 == 0:
        return multiply(x1, x2)
    if n1 == 1 and n2 == 1:
        return _sum(multiply(x1, x2))
    if n1 <= 2 and n2 <= 2:
        return matmul(x1, x2)
    return tensordot(x1, x2, ([n1 - 1], [max(n2 - 2, 0)]))


def outer(x1, x2):
    """The outer product of the flattened x1 and x2."""
    a = reshape(x1, (-1, 1))
    b = reshape(x2, (1, -1))
    return multiply(a, b)


def inner(x1, x2):
    """Sum of products over the last axes of x1 and x2."""
    n1, n2 = ndim_of(plain(x1)), ndim_of(plain(x2))
    if n1 == 0 or n2 == 0:
        return multiply(x1, x2)
    return tensordot(x1, x2, ([n1 - 1], [n2 - 1]))


def vdot(x1, x2):
    """The dot product of the flattened x1 and x2."""
    return _sum(multiply(reshape(x1, (-1,)), reshape(x2, (-1,))))


def kron(x1, x2):
    """The Kronecker product: blocks of x2 scaled by each element of x1."""
    n1, n2 = ndim_of(plain(x1)), ndim_of(plain(x2))
    n = max(n1, n2)
    s1 = (1,) * (n - n1) + tuple(shape_of(plain(x1)))
    s2 = (1,) * (n - n2) + tuple(shape_of(plain(x2)))
    a = reshape(x1, s1)
    b = reshape(x2, s2)
    la, lb = _letters(n), _letters(n, n)
    inter = "".join(x + y for x, y in zip(la, lb))
    prod = _einsum(f"{la},{lb}->{inter}", a, b)
    return reshape(prod, tuple(p * q for p, q in zip(s1, s2)))


def _cross_vjp(g, out, x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a = np.moveaxis(np.asarray(x1, out.dtype), axisa, -1)
    b = np.moveaxis(np.asarray(x2, out.dtype), axisb, -1)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        gc = g[..., None]
        ga = np.concatenate([gc * b[..., 1:2], -gc * b[..., 0:1]], -1)
        gb = np.concatenate([-gc * a[..., 1:2], gc * a[..., 0:1]], -1)
    else:
        if a.shape[-1] == 2:
            a = np.concatenate([a, np.zeros(a.shape[:-1] + (1,), a.dtype)], -1)
        if b.shape[-1] == 2:
            b = np.concatenate([b, np.zeros(b.shape[:-1] + (1,), b.dtype)], -1)
        gc = np.moveaxis(g, axisc, -1)
        ga = np.cross(b, gc)
        gb = np.cross(gc, a)
    ga = unbroadcast(ga, np.moveaxis(np.asarray(x1), axisa, -1).shape[:-1] +
                     (ga.shape[-1],))[..., :shape_of(x1)[axisa]]
    gb = unbroadcast(gb, np.moveaxis(np.asarray(x2), axisb, -1).shape[:-1] +
                     (gb.shape[-1],))[..., :shape_of(x2)[axisb]]
    return np.moveaxis(ga, -1, axisa), np.moveaxis(gb, -1, axisb)


@differentiable(_cross_vjp)
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 2- or 3-vectors along the given axes."""
    a, b = convert_to_array(x1), convert_to_array(x2)
    dtype = result_type(a.dtype, b.dtype)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = np.moveaxis(a, axisa, -1), np.moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"cross: the vectors must have 2 or 3 components, "
                         f"received {a.shape[-1]} and {b.shape[-1]}")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return (a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]).astype(
            dtype, copy=False)
    if a.shape[-1] == 2:
        a = np.concatenate([a, np.zeros(a.shape[:-1] + (1,), a.dtype)], -1)
    if b.shape[-1] == 2:
        b = np.concatenate([b, np.zeros(b.shape[:-1] + (1,), b.dtype)], -1)
    return np.moveaxis(np.cross(a, b), -1, axisc).astype(dtype, copy=False)
