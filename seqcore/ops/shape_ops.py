"""Shape and indexing ops (keras.ops.split, tile, repeat, broadcast_to,
take, take_along_axis, slice, slice_update, pad, flip, roll, moveaxis,
swapaxes, ...) on numpy arrays, each differentiable op followed by its
vector-Jacobian product. Ops with several outputs (split, unstack) are
made of recorded slices, so each output carries its own gradient."""
import builtins

import numpy as np

from seqcore.ops._meta import ndim_of, shape_of, size_of

from seqcore.engine.tape import constant, differentiable, plain, unbroadcast
from seqcore.ops.dtypes import convert_to_array
from seqcore.ops.numpy_ops import (concatenate, expand_dims, reshape,
                                   take_slice)


def _shape(x):
    return shape_of(x)


def _norm_axis(axis, ndim):
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"axis {axis} is out of bounds for an array with "
                         f"{ndim} dimensions")
    return axis % ndim if ndim else 0


# ---- broadcast, tile, repeat ------------------------------------------------

def _broadcast_to_vjp(g, out, x, shape):
    return (unbroadcast(g, _shape(x)), None)


@differentiable(_broadcast_to_vjp)
def broadcast_to(x, shape):
    """x broadcast to `shape` (numpy's rules); a copy."""
    return np.array(np.broadcast_to(convert_to_array(x), tuple(shape)))


def _tile_vjp(g, out, x, repeats):
    shape = _shape(x)
    reps = (repeats,) if ndim_of(repeats) == 0 else tuple(repeats)
    ndim = builtins.max(len(shape), len(reps))
    shape = (1,) * (ndim - len(shape)) + tuple(shape)
    reps = (1,) * (ndim - len(reps)) + tuple(reps)
    split = []
    for r, s in zip(reps, shape):
        split += [r, s]
    g = g.reshape(split).sum(axis=tuple(range(0, 2 * ndim, 2)))
    return (g.reshape(_shape(x)), None)


@differentiable(_tile_vjp)
def tile(x, repeats):
    """x repeated `repeats` times along each axis (numpy's np.tile)."""
    return np.tile(convert_to_array(x), repeats)


def _repeat_vjp(g, out, x, repeats, axis=None):
    shape = _shape(x)
    if axis is None:
        x_flat = int(np.prod(shape))
        axis_, g_ = 0, g
        size = x_flat
    else:
        axis_ = _norm_axis(axis, len(shape))
        g_, size = g, shape[axis_]
    counts = np.broadcast_to(np.asarray(repeats), (size,))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
    if counts.size and counts.min() == 0:
        summed = np.zeros(g_.shape[:axis_] + (size,) + g_.shape[axis_ + 1:],
                          g.dtype)
        nz = counts > 0
        summed_nz = np.add.reduceat(g_, starts[nz], axis=axis_)
        index = [builtins.slice(None)] * g_.ndim
        index[axis_] = np.nonzero(nz)[0]
        summed[tuple(index)] = summed_nz
    elif size:
        summed = np.add.reduceat(g_, starts, axis=axis_)
    else:
        summed = np.zeros(shape, g.dtype)
    return (summed.reshape(shape), None)


@differentiable(_repeat_vjp)
def repeat(x, repeats, axis=None):
    """Each element of x repeated `repeats` times (an int or one count
    per element) along `axis` (of the flattened x when None)."""
    return np.repeat(convert_to_array(x), repeats, axis=axis)


# ---- gathering --------------------------------------------------------------

def _take_vjp(g, out, x, indices, axis=None):
    shape = _shape(x)
    idx = np.asarray(indices)
    if idx.dtype.kind == "f":       # as the forward pass reads them
        idx = idx.astype(np.int64)
    dx = np.zeros(shape, g.dtype)
    if axis is None:
        flat = dx.reshape(-1)
        np.add.at(flat, idx % builtins.max(flat.size, 1), g)
        return (flat.reshape(shape), None)
    axis = _norm_axis(axis, len(shape))
    idx = idx % builtins.max(shape[axis], 1)
    moved = np.moveaxis(dx, axis, 0)
    gm = np.moveaxis(g, list(range(axis, axis + idx.ndim)),
                     list(range(idx.ndim)))
    np.add.at(moved, idx, gm)
    return (dx, None)


@differentiable(_take_vjp)
def take(x, indices, axis=None):
    """Elements of x at `indices` along `axis` (of the flattened x when
    None); negative indices count from the end."""
    x = convert_to_array(x)
    indices = np.asarray(plain(indices))
    if indices.dtype.kind == "f":
        indices = indices.astype(np.int64)
    if axis is None:
        return np.take(x.reshape(-1), indices)
    return np.take(x, indices, axis=axis)


def _along_index(indices, axis, ndim):
    """A full fancy index for np.add.at from take_along_axis's indices."""
    index = []
    for d in range(ndim):
        if d == axis:
            index.append(indices)
        else:
            shape = [1] * ndim
            shape[d] = indices.shape[d]
            index.append(np.arange(indices.shape[d]).reshape(shape))
    return tuple(index)


def _take_along_axis_vjp(g, out, x, indices, axis=None):
    shape = _shape(x)
    idx = np.asarray(indices)
    if idx.dtype.kind == "f":       # as the forward pass reads them
        idx = idx.astype(np.int64)
    dx = np.zeros(shape, g.dtype)
    if axis is None:
        flat = dx.reshape(-1)
        np.add.at(flat, idx.reshape(-1) % builtins.max(flat.size, 1),
                  g.reshape(-1))
        return (flat.reshape(shape), None)
    axis = _norm_axis(axis, len(shape))
    idx = idx % builtins.max(shape[axis], 1)
    bshape = list(np.broadcast_shapes(
        tuple(s if d != axis else 1 for d, s in enumerate(shape)),
        tuple(s if d != axis else 1 for d, s in enumerate(idx.shape))))
    bshape[axis] = idx.shape[axis]
    idx = np.broadcast_to(idx, bshape)
    if tuple(bshape[:axis] + bshape[axis + 1:]) != \
            tuple(shape[:axis] + shape[axis + 1:]):
        big = list(bshape)
        big[axis] = shape[axis]
        dx = np.zeros(big, g.dtype)
        np.add.at(dx, _along_index(idx, axis, len(shape)), g)
        return (unbroadcast(dx, shape), None)
    np.add.at(dx, _along_index(idx, axis, len(shape)), g)
    return (dx, None)


@differentiable(_take_along_axis_vjp)
def take_along_axis(x, indices, axis=None):
    """x's values at `indices` along `axis`, matching positions on the
    other axes (numpy's take_along_axis; the other axes broadcast)."""
    x = convert_to_array(x)
    indices = np.asarray(plain(indices))
    if axis is None:
        return np.take_along_axis(x.reshape(-1), indices.reshape(-1), 0)
    axis = _norm_axis(axis, x.ndim)
    xs = list(x.shape)
    is_ = list(indices.shape)
    xs[axis] = is_[axis] = 1
    common = np.broadcast_shapes(tuple(xs), tuple(is_))
    xb = list(common)
    xb[axis] = x.shape[axis]
    ib = list(common)
    ib[axis] = indices.shape[axis]
    return np.take_along_axis(np.broadcast_to(x, xb),
                              np.broadcast_to(indices, ib), axis)


def slice(inputs, start_indices, shape):  # noqa: A001 - keras.ops.slice
    """The block of `inputs` that starts at `start_indices` and has
    `shape` (one entry per axis)."""
    starts = [int(s) for s in np.asarray(plain(start_indices)).reshape(-1)]
    shape = [int(s) for s in np.asarray(plain(shape)).reshape(-1)]
    if len(starts) != ndim_of(inputs) or len(shape) != ndim_of(inputs):
        raise ValueError(
            f"slice: start_indices and shape need one entry per axis of "
            f"inputs (rank {ndim_of(inputs)}), received {starts} and {shape}")
    key = tuple(builtins.slice(s, s + n) for s, n in zip(starts, shape))
    return take_slice(inputs, key)


def _slice_update_vjp(g, out, inputs, start_indices, updates):
    starts = [int(s) for s in np.asarray(start_indices).reshape(-1)]
    key = tuple(builtins.slice(s, s + n)
                for s, n in zip(starts, _shape(updates)))
    g_in = np.array(g)
    g_in[key] = 0
    return g_in, None, g[key]


@differentiable(_slice_update_vjp)
def slice_update(inputs, start_indices, updates):
    """A copy of `inputs` with the block at `start_indices` replaced by
    `updates`."""
    x = np.array(convert_to_array(inputs))
    starts = [int(s) for s in np.asarray(start_indices).reshape(-1)]
    updates = convert_to_array(updates)
    key = tuple(builtins.slice(s, s + n)
                for s, n in zip(starts, updates.shape))
    x[key] = updates
    return x


# ---- splitting and joining --------------------------------------------------

def split(x, indices_or_sections, axis=0):
    """x cut along `axis` into equal sections (an int) or at the given
    indices: a list of arrays, each with its own gradient."""
    ndim = ndim_of(x)
    axis = _norm_axis(axis, ndim)
    size = _shape(x)[axis]
    if ndim_of(indices_or_sections) == 0:
        n = int(indices_or_sections)
        if n <= 0 or size % n:
            raise ValueError(
                f"split: an axis of size {size} cannot be split into {n} "
                f"equal sections")
        cuts = [size // n * i for i in range(1, n)]
    else:
        cuts = [int(i) for i in indices_or_sections]
    return _pieces(x, axis, cuts)


def array_split(x, indices_or_sections, axis=0):
    """As split, but an int need not divide the axis: the first
    sections get one more element."""
    axis = _norm_axis(axis, ndim_of(x))
    size = _shape(x)[axis]
    if ndim_of(indices_or_sections) == 0:
        n = int(indices_or_sections)
        base, extra = divmod(size, n)
        sizes = [base + 1] * extra + [base] * (n - extra)
        cuts = list(np.cumsum(sizes)[:-1])
    else:
        cuts = [int(i) for i in indices_or_sections]
    return _pieces(x, axis, cuts)


def _pieces(x, axis, cuts):
    bounds = [0] + list(cuts) + [_shape(x)[axis]]
    pieces = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        key = (builtins.slice(None),) * axis + (builtins.slice(lo, hi),)
        pieces.append(take_slice(x, key))
    return pieces


def hsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=1 if ndim_of(x) > 1 else 0)


def vsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=2)


def unstack(x, num=None, axis=0):
    """The slices of x along `axis`, as a list."""
    axis = _norm_axis(axis, ndim_of(x))
    n = _shape(x)[axis]
    if num is not None and num != n:
        raise ValueError(f"unstack: num={num} but the axis has size {n}")
    return [take_slice(x, (builtins.slice(None),) * axis + (i,))
            for i in range(n)]


def _at_least(xs, ndim):
    out = []
    for x in xs:
        while ndim_of(x) < ndim:
            x = expand_dims(x, 0 if ndim < 3 or ndim_of(x) == 0 else -1)
        out.append(x)
    return out


def hstack(xs):
    """Arrays joined along axis 1 (axis 0 for 1-D arrays)."""
    xs = list(xs)
    axis = 0 if builtins.all(ndim_of(x) <= 1 for x in xs) else 1
    return concatenate(_at_least(xs, 1), axis=axis)


def vstack(xs):
    """Arrays joined along axis 0, 1-D arrays taken as rows."""
    xs = [reshape(x, (1, -1)) if ndim_of(x) <= 1 else x for x in xs]
    return concatenate(xs, axis=0)


def dstack(xs):
    """Arrays joined along axis 2 (1-D as (1, n, 1), 2-D as (m, n, 1))."""
    out = []
    for x in xs:
        if ndim_of(x) <= 1:
            x = reshape(x, (1, -1, 1))
        elif ndim_of(x) == 2:
            x = expand_dims(x, -1)
        out.append(x)
    return concatenate(out, axis=2)


def append(x1, x2, axis=None):
    """x2 appended to x1 along `axis` (both flattened when None)."""
    if axis is None:
        return concatenate([ravel(x1), ravel(x2)], axis=0)
    return concatenate([x1, x2], axis=axis)


def ravel(x):
    """x flattened to 1-D."""
    return reshape(x, (-1,))


# ---- padding ----------------------------------------------------------------

def _pad_width(pad_width, ndim):
    pw = np.asarray(pad_width, dtype=np.int64)
    return np.broadcast_to(pw.reshape(-1, 2) if pw.ndim else pw,
                           (ndim, 2)).tolist()


def _pad_vjp(g, out, x, pad_width, mode="constant", constant_values=None):
    shape = _shape(x)
    pw = _pad_width(pad_width, len(shape))
    if mode == "constant":
        key = tuple(builtins.slice(lo, lo + n) for (lo, _), n in
                    zip(pw, shape))
        return (g[key], None)
    # Other modes copy input elements into the border: route each padded
    # position back to the element it copies.
    source = np.arange(int(np.prod(shape))).reshape(shape)
    source = np.pad(source, pw, mode=mode)
    dx = np.zeros(int(np.prod(shape)), g.dtype)
    np.add.at(dx, source.reshape(-1), g.reshape(-1))
    return (dx.reshape(shape), None)


@differentiable(_pad_vjp)
def pad(x, pad_width, mode="constant", constant_values=None):
    """x padded by pad_width ((before, after) per axis, or one pair or
    int for all) with `mode` "constant" (constant_values, default 0),
    "edge", "reflect", "symmetric", "wrap" or "maximum"/"minimum"/
    "mean"/"median" (no gradient through those four)."""
    x = convert_to_array(x)
    pw = _pad_width(pad_width, x.ndim)
    if mode == "constant":
        value = 0 if constant_values is None else constant_values
        return np.pad(x, pw, mode="constant", constant_values=value)
    if constant_values is not None:
        raise ValueError(
            f"pad: constant_values can only be given with mode='constant', "
            f"received mode={mode!r}")
    return np.pad(x, pw, mode=mode)


# ---- reordering -------------------------------------------------------------

def _flip_vjp(g, out, x, axis=None):
    return (np.flip(g, axis),)


@differentiable(_flip_vjp)
def flip(x, axis=None):
    """x reversed along `axis` (every axis when None)."""
    return np.flip(convert_to_array(x), axis).copy()


def fliplr(x):
    return flip(x, 1)


def flipud(x):
    return flip(x, 0)


def _roll_vjp(g, out, x, shift, axis=None):
    back = -np.asarray(shift)
    return (np.roll(g, back if back.ndim else int(back), axis), None)


@differentiable(_roll_vjp)
def roll(x, shift, axis=None):
    """x shifted cyclically by `shift` along `axis` (flattened when
    None)."""
    return np.roll(convert_to_array(x), shift, axis)


def _rot90_vjp(g, out, array, k=1, axes=(0, 1)):
    return (np.rot90(g, -k, axes),)


@differentiable(_rot90_vjp)
def rot90(array, k=1, axes=(0, 1)):
    """array rotated by k quarter turns in the plane of `axes`."""
    return np.rot90(convert_to_array(array), k, axes).copy()


def _moveaxis_vjp(g, out, x, source, destination):
    return (np.moveaxis(g, destination, source), None, None)


@differentiable(_moveaxis_vjp)
def moveaxis(x, source, destination):
    """x with axis `source` (int or list) moved to `destination`."""
    return np.moveaxis(convert_to_array(x), source, destination).copy()


def _swapaxes_vjp(g, out, x, axis1, axis2):
    return (np.swapaxes(g, axis1, axis2), None, None)


@differentiable(_swapaxes_vjp)
def swapaxes(x, axis1, axis2):
    """x with axes axis1 and axis2 interchanged."""
    return np.swapaxes(convert_to_array(x), axis1, axis2).copy()


# ---- diagonals --------------------------------------------------------------

def _diagonal_vjp(g, out, x, offset=0, axis1=0, axis2=1):
    shape = _shape(x)
    ndim = len(shape)
    a1, a2 = _norm_axis(axis1, ndim), _norm_axis(axis2, ndim)
    dx = np.zeros(shape, g.dtype)
    moved = np.moveaxis(dx, (a1, a2), (-2, -1))
    n = g.shape[-1]
    i = np.arange(n)
    rows = i + builtins.max(-offset, 0)
    cols = i + builtins.max(offset, 0)
    moved[..., rows, cols] = g
    return (dx,)


@differentiable(_diagonal_vjp)
def diagonal(x, offset=0, axis1=0, axis2=1):
    """Diagonal `offset` of the planes of axes (axis1, axis2), on the last
    axis of the result."""
    return np.diagonal(convert_to_array(x), offset, axis1, axis2).copy()


def _diag_vjp(g, out, x, k=0):
    if ndim_of(x) == 1:
        return (np.diagonal(g, k).copy(),)
    return _diagonal_vjp(g, out, x, k, 0, 1)


@differentiable(_diag_vjp)
def diag(x, k=0):
    """A 1-D x as the diagonal k of a square matrix; a 2-D x's diagonal
    k."""
    x = convert_to_array(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"diag: expected a 1-D or 2-D input, received "
                         f"shape {x.shape}")
    return np.diag(x, k).copy()


def diagflat(x, k=0):
    """The flattened x as diagonal k of a square matrix."""
    return diag(ravel(x), k)


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum of diagonal `offset` of the planes of (axis1, axis2)."""
    from seqcore.ops.numpy_ops import sum as _sum
    return _sum(diagonal(x, offset, axis1, axis2), axis=-1)


def meshgrid(*x, indexing="xy"):
    """Coordinate arrays from 1-D vectors ("xy" swaps the first two
    output axes, as numpy does)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', "
                         f"received {indexing!r}")
    sizes = [int(size_of(v)) for v in x]
    if indexing == "xy" and len(x) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, v in enumerate(x):
        shape = [1] * len(x)
        pos = i
        if indexing == "xy" and len(x) > 1 and i < 2:
            pos = 1 - i
        shape[pos] = sizes[pos]
        out.append(broadcast_to(reshape(v, shape), sizes))
    return out


@constant
def nonzero(x):
    """The indices of x's non-zero elements, one int32 array per axis."""
    return tuple(i.astype(np.int32) for i in np.nonzero(convert_to_array(x)))


@constant
def unravel_index(indices, shape):
    """Flat indices as a tuple of coordinate arrays for `shape`."""
    return tuple(np.asarray(i).astype(np.int32) for i in
                 np.unravel_index(np.asarray(indices), tuple(shape)))


@constant
def ndim(x):
    """The number of axes of x."""
    return ndim_of(x)


@constant
def size(x):
    """The number of elements of x."""
    return int(size_of(x))


def get_item(x, key):
    """x[key]."""
    return take_slice(x, key)
