"""keras.ops core: conversion and dtype helpers, stop_gradient, and the
control flow ops (cond, while_loop, fori_loop, scan, map, switch,
associative_scan, vectorized_map), which run eagerly in Python here:
each step is made of recorded ops, so gradients flow through the steps
that ran. Also scatter and scatter_update."""
import numpy as np

from seqcore.engine.tape import differentiable, plain
from seqcore.ops.dtypes import convert_to_array
from seqcore.ops.numpy_ops import cast, stack, take_slice


def convert_to_numpy(x):
    """x as a numpy array (a recorded value's array, without its
    gradient)."""
    return np.asarray(plain(x))


def is_tensor(x):
    """Whether x is an array seqcore computes with (ndarray or traced)."""
    from seqcore.engine.traced import Traced
    return isinstance(x, np.ndarray) or type(x) is Traced


def dtype(x):
    """x's dtype as Keras names it ("float32", "int32", ...)."""
    from seqcore.backend import standardize_dtype
    value = plain(x)
    return standardize_dtype(getattr(value, "dtype", None) or
                             convert_to_array(value).dtype)


def stop_gradient(variable):
    """variable's value, through which no gradient flows."""
    return np.asarray(plain(variable))


def saturate_cast(x, dtype):
    """x cast to `dtype`, clipped first to the range of an integer
    dtype."""
    target = np.dtype(dtype)
    x_ = convert_to_array(plain(x))
    if target.kind in "iu" and x_.dtype.kind in "fiu":
        info = np.iinfo(target)
        from seqcore.ops.numpy_ops import clip
        x = clip(x, max(info.min, -2.0 ** 63), min(info.max, 2.0 ** 63))
    return cast(x, target)


def _truth(pred):
    return bool(np.asarray(plain(pred)))


def cond(pred, true_fn, false_fn):
    """true_fn() if pred else false_fn()."""
    return true_fn() if _truth(pred) else false_fn()


def switch(index, branches, *operands):
    """branches[index](*operands), index clamped to the valid range."""
    i = int(np.clip(int(np.asarray(plain(index))), 0, len(branches) - 1))
    return branches[i](*operands)


def _call(fn, state):
    return fn(*state) if isinstance(state, (tuple, list)) else fn(state)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat loop_vars = body(loop_vars) while cond(loop_vars) holds (at
    most maximum_iterations times). A tuple or list of loop_vars is passed
    to cond and body positionally; the result has loop_vars' structure."""
    state = loop_vars
    was_sequence = isinstance(loop_vars, (tuple, list))
    count = 0
    while _truth(_call(cond, state)):
        if maximum_iterations is not None and count >= maximum_iterations:
            break
        state = _call(body, state)
        if was_sequence and not isinstance(state, (tuple, list)):
            state = (state,)
        count += 1
    if was_sequence:
        return type(loop_vars)(state) if isinstance(loop_vars, list) \
            else tuple(state)
    return state


def fori_loop(lower, upper, body_fun, init_val):
    """val = body_fun(i, val) for i in range(lower, upper)."""
    val = init_val
    for i in range(int(np.asarray(plain(lower))),
                   int(np.asarray(plain(upper)))):
        val = body_fun(i, val)
    return val


def _leaves(tree):
    if isinstance(tree, (list, tuple)):
        return [leaf for t in tree for leaf in _leaves(t)]
    if isinstance(tree, dict):
        return [leaf for k in sorted(tree) for leaf in _leaves(tree[k])]
    return [tree]


def _rebuild(tree, leaves):
    if isinstance(tree, (list, tuple)):
        return type(tree)(_rebuild(t, leaves) for t in tree)
    if isinstance(tree, dict):
        return {k: _rebuild(tree[k], leaves) for k in sorted(tree)}
    return next(leaves)


def _stack_tree(items):
    """A list of same-structured trees -> one tree of stacked leaves."""
    if not items:
        return None
    first = items[0]
    if first is None:
        return None
    columns = list(zip(*[_leaves(t) for t in items]))
    return _rebuild(first, iter(stack(list(c), axis=0) for c in columns))


def _slice_tree(tree, i):
    return _rebuild(tree, iter(take_slice(leaf, i) if not isinstance(
        leaf, np.ndarray) else leaf[i] for leaf in _leaves(tree)))


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """carry, y = f(carry, x) over the leading axis of xs (or `length`
    times with x None); returns (final carry, the ys stacked)."""
    if not callable(f):
        raise TypeError(f"scan: `f` should be a callable, received {f!r}")
    if xs is None and length is None:
        raise ValueError("scan: give `xs` or `length`")
    n = length if xs is None else len(plain(_leaves(xs)[0]))
    if length is not None and n != length:
        raise ValueError(f"scan: length={length} but xs has {n} entries")
    carry, ys = init, []
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for i in steps:
        x = None if xs is None else _slice_tree(xs, i)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys:
        return carry, None
    return carry, _stack_tree(ys)


def map(f, xs):  # noqa: A001 - keras.ops.map
    """f applied to each entry of xs along the leading axis, the results
    stacked."""
    n = len(plain(_leaves(xs)[0]))
    return _stack_tree([f(_slice_tree(xs, i)) for i in range(n)])


def vectorized_map(function, elements):
    """function applied to each entry of elements (leading axis),
    stacked (run as a loop)."""
    return map(function, elements)


def associative_scan(f, elems, reverse=False, axis=0):
    """The inclusive scan of the associative f over `axis`:
    out[i] = f(out[i-1], elems[i]), run sequentially."""
    from seqcore.ops.shape_ops import moveaxis
    leaves = _leaves(elems)
    moved = [moveaxis(leaf, axis, 0) if axis != 0 else leaf
             for leaf in leaves]
    tree = _rebuild(elems, iter(moved))
    n = len(plain(moved[0]))
    order = list(range(n - 1, -1, -1)) if reverse else list(range(n))
    acc, outs = None, [None] * n
    for i in order:
        cur = _slice_tree(tree, i)
        acc = cur if acc is None else f(acc, cur)
        outs[i] = acc
    stacked = _stack_tree(outs)
    if axis != 0:
        stacked = _rebuild(stacked, iter(moveaxis(leaf, 0, axis)
                                         for leaf in _leaves(stacked)))
    return stacked


# ---- scatter ----------------------------------------------------------------

def _scatter_vjp(g, out, indices, values, shape):
    idx = tuple(np.moveaxis(np.asarray(indices), -1, 0))
    return None, g[idx], None


@differentiable(_scatter_vjp)
def scatter(indices, values, shape):
    """A zero array of `shape` with `values` added at `indices` (the last
    axis of indices indexes the leading axes; duplicates add up)."""
    values = convert_to_array(values)
    out = np.zeros(tuple(shape), values.dtype)
    idx = tuple(np.moveaxis(np.asarray(indices), -1, 0))
    np.add.at(out, idx, values)
    return out


def _scatter_update_vjp(g, out, inputs, indices, updates, reduction=None):
    idx = tuple(np.moveaxis(np.asarray(indices), -1, 0))
    if reduction not in (None, "add"):
        return None, None, None
    g_in = np.array(g)
    if reduction is None:
        g_in[idx] = 0
    return g_in, None, g[idx]


@differentiable(_scatter_update_vjp)
def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of inputs whose entries at `indices` are replaced by
    `updates` (reduction None), or combined with them ("add", "max",
    "min", "mul")."""
    x = np.array(convert_to_array(inputs))
    updates = convert_to_array(updates).astype(x.dtype, copy=False)
    idx = tuple(np.moveaxis(np.asarray(indices), -1, 0))
    if reduction is None:
        x[idx] = updates
    elif reduction == "add":
        np.add.at(x, idx, updates)
    elif reduction == "max":
        np.maximum.at(x, idx, updates)
    elif reduction == "min":
        np.minimum.at(x, idx, updates)
    elif reduction == "mul":
        np.multiply.at(x, idx, updates)
    else:
        raise ValueError(f"scatter_update: reduction must be None, 'add', "
                         f"'max', 'min' or 'mul', received {reduction!r}")
    return x


def select(condlist, choicelist, default=0):
    """choicelist[i] where condlist[i] first holds, else default."""
    from seqcore.ops.numpy_ops import where
    out = default
    for c, v in reversed(list(zip(condlist, choicelist))):
        out = where(c, v, out)
    if out is default:
        return np.asarray(default)
    return out
