"""keras.ops.rearrange: einops-style axis rearrangement ("b h w c -> b (h w)
c"), as a reshape (decomposing grouped input axes), a transpose and a
reshape (merging output groups): recorded ops, so differentiable."""
import re

import numpy as np

from seqcore.ops import numpy_ops as npo
from seqcore.ops._meta import shape_of


def _groups(side, pattern):
    """'b (h p) c' -> [['b'], ['h', 'p'], ['c']]."""
    tokens = re.findall(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|1", side)
    groups, current = [], None
    for t in tokens:
        if t == "(":
            if current is not None:
                raise ValueError(f"rearrange: nested parentheses in "
                                 f"{pattern!r}")
            current = []
        elif t == ")":
            if current is None:
                raise ValueError(f"rearrange: unbalanced ')' in {pattern!r}")
            groups.append(current)
            current = None
        elif current is not None:
            current.append(t)
        else:
            groups.append([t])
    if current is not None:
        raise ValueError(f"rearrange: unbalanced '(' in {pattern!r}")
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """Axes renamed, regrouped and reordered by an einops pattern.

    Args:
        tensor: the array.
        pattern: "<input axes> -> <output axes>", groups in parentheses,
            e.g. "b (h p1) (w p2) c -> b h w (p1 p2 c)".
        **axes_lengths: sizes of the axes a group decomposes into (one
            per group may be left to inference).
    """
    if "->" not in pattern:
        raise ValueError(f"rearrange: the pattern needs '->', received "
                         f"{pattern!r}")
    left, right = pattern.split("->")
    ins, outs = _groups(left, pattern), _groups(right, pattern)
    shape = shape_of(tensor)
    if len(ins) != len(shape):
        raise ValueError(f"rearrange: the pattern {pattern!r} names "
                         f"{len(ins)} axes, the tensor has {len(shape)}")
    sizes = dict(axes_lengths)
    flat_in = []
    for group, size in zip(ins, shape):
        names = [n for n in group if n != "1"]
        unknown = [n for n in names if n not in sizes]
        known = int(np.prod([sizes[n] for n in names if n in sizes]))
        if len(unknown) > 1:
            raise ValueError(f"rearrange: cannot infer the sizes of "
                             f"{unknown} in {pattern!r}")
        if unknown:
            if size % known:
                raise ValueError(f"rearrange: an axis of size {size} does "
                                 f"not split by {known}")
            sizes[unknown[0]] = size // known
        elif known != size:
            raise ValueError(f"rearrange: the axes {group} have size "
                             f"{known}, the tensor's axis {size}")
        flat_in += names
    flat_out = [n for g in outs for n in g if n != "1"]
    if sorted(flat_in) != sorted(flat_out) or len(set(flat_in)) != \
            len(flat_in):
        raise ValueError(f"rearrange: the two sides of {pattern!r} must "
                         f"name the same axes once each")
    x = npo.reshape(tensor, tuple(sizes[n] for n in flat_in))
    order = tuple(flat_in.index(n) for n in flat_out)
    if order != tuple(range(len(order))):
        x = npo.transpose(x, order)
    out_shape = tuple(int(np.prod([sizes[n] for n in g if n != "1"]))
                      for g in outs)
    return npo.reshape(x, out_shape)
