"""keras.tree: nested structures (lists, tuples, namedtuples, dicts, deques)
walked in Keras's order.

Containers are `list`, `tuple`, namedtuples, `dict`, `OrderedDict`,
`defaultdict` and `deque` (exact types, as Keras's optree registry has
them); everything else, None and strings included, is a leaf. A dict's
children come in sorted-key order (an OrderedDict's in insertion order);
rebuilt dicts keep the key order of the structure they were made from.
"""
import collections
import warnings


class MAP_TO_NONE:
    """Returned by a `traverse` function to replace a sub-tree with None."""


def _is_namedtuple(s):
    return isinstance(s, tuple) and hasattr(type(s), "_fields")


def _kind(s):
    """The container kind of `s` ("seq", "map", "ordered", "named"), or None
    for a leaf."""
    t = type(s)
    if t in (list, tuple, collections.deque):
        return "seq"
    if t in (dict, collections.defaultdict):
        return "map"
    if t is collections.OrderedDict:
        return "ordered"
    if _is_namedtuple(s):
        return "named"
    return None


def _keys(s, kind):
    """The child keys of a container, in Keras's order."""
    if kind == "map":
        try:
            return sorted(s)
        except TypeError:
            raise TypeError(f"keras.tree: dict keys must be sortable, "
                            f"received keys {list(s)!r}") from None
    if kind == "ordered":
        return list(s)
    return list(range(len(s)))


def _children(s, kind):
    if kind in ("map", "ordered"):
        return [s[k] for k in _keys(s, kind)]
    return list(s)


def _rebuild(s, kind, children):
    """A container like `s` holding `children` (in Keras's order)."""
    if kind in ("map", "ordered"):
        by_key = dict(zip(_keys(s, kind), children))
        if type(s) is collections.defaultdict:
            out = collections.defaultdict(s.default_factory)
            out.update((k, by_key[k]) for k in s)
            return out
        return type(s)((k, by_key[k]) for k in s)
    if kind == "named":
        return type(s)(*children)
    if type(s) is collections.deque:
        return collections.deque(children, maxlen=s.maxlen)
    return type(s)(children)


def _same_node(a, b, kind_a):
    """Raise ValueError unless `b` is the same kind of node as `a`."""
    kind_b = _kind(b)
    if kind_b is None:
        raise ValueError(f"The two structures don't have the same nested "
                         f"structure: expected a {type(a).__name__}, "
                         f"received the leaf {b!r}")
    dicts = ("map", "ordered")
    if kind_a in dicts and kind_b in dicts:
        if set(a) != set(b):
            raise ValueError(f"The two structures don't have the same "
                             f"nested structure: dict keys {sorted(a)!r} "
                             f"and {sorted(b)!r} differ")
        return
    if type(a) is not type(b):
        raise ValueError(f"The two structures don't have the same nested "
                         f"structure: expected a {type(a).__name__}, "
                         f"received a {type(b).__name__}: {b!r}")
    if len(a) != len(b):
        raise ValueError(f"The two structures don't have the same nested "
                         f"structure: lengths {len(a)} and {len(b)} differ")


def _child_of(b, key, kind_a):
    """`b`'s child at `key` of a node of kind `kind_a` (dicts by key)."""
    return b[key] if kind_a in ("map", "ordered") else list(b)[key]


def is_nested(structure):
    """True when `structure` is a list, tuple, namedtuple, dict or deque."""
    return _kind(structure) is not None


def flatten(structure):
    """The leaves of `structure` as a list, dicts in sorted-key order.

    Args:
        structure: any nested structure (a leaf gives `[leaf]`).
    """
    return [leaf for _, leaf in flatten_with_path(structure)]


def flatten_with_path(structure):
    """`[(path, leaf), ...]` in flatten's order; a path is the tuple of
    indices and dict keys leading to the leaf.

    Args:
        structure: any nested structure.
    """
    out = []

    def walk(s, path):
        kind = _kind(s)
        if kind is None:
            out.append((path, s))
            return
        for key, child in zip(_keys(s, kind), _children(s, kind)):
            walk(child, path + (key,))

    walk(structure, ())
    return out


def map_structure(func, *structures, none_is_leaf=True):
    """`func` applied to the leaves of `structures` (the same layout),
    giving a structure laid out like the first one.

    Args:
        func: a callable taking one argument per structure.
        *structures: nested structures of the same layout.
        none_is_leaf: when False, None is returned as it is without calling
            `func`.
    Raises:
        ValueError: no structure, or structures of different layouts.
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    if not callable(func):
        raise TypeError(f"map_structure: func must be callable, received "
                        f"{func!r}")

    def walk(first, others):
        if first is None and not none_is_leaf:
            return None
        kind = _kind(first)
        if kind is None:
            for other in others:
                if _kind(other) is not None:
                    raise ValueError(
                        f"The two structures don't have the same nested "
                        f"structure: a leaf {first!r} faces {other!r}")
            return func(first, *others)
        for other in others:
            _same_node(first, other, kind)
        keys = _keys(first, kind)
        children = [walk(child, [_child_of(o, key, kind) for o in others])
                    for key, child in zip(keys, _children(first, kind))]
        return _rebuild(first, kind, children)

    return walk(structures[0], list(structures[1:]))


def map_structure_up_to(shallow_structure, func, *structures):
    """Like map_structure, but only down to the leaves of
    `shallow_structure`: what `structures` hold below them is passed to
    `func` whole.

    Args:
        shallow_structure: the layout to follow.
        func: a callable taking one argument per structure.
        *structures: structures at least as deep as `shallow_structure`.
    """
    if not structures:
        raise ValueError("Must provide at least one structure")

    def walk(shallow, subs):
        kind = _kind(shallow)
        if kind is None:
            return func(*subs)
        for sub in subs:
            _same_node(shallow, sub, kind)
        keys = _keys(shallow, kind)
        return _rebuild(shallow, kind, [
            walk(child, [_child_of(s, key, kind) for s in subs])
            for key, child in zip(keys, _children(shallow, kind))])

    return walk(shallow_structure, list(structures))


def assert_same_structure(a, b, check_types=None):
    """Raise ValueError unless `a` and `b` nest the same way (list, tuple,
    namedtuple and deque are distinct; dict kinds match by their keys).

    Args:
        a, b: nested structures.
        check_types: deprecated, has no effect (a warning says so).
    """
    if check_types is not None:
        hint = "" if check_types else (
            " For a looser check, use `keras.tree.assert_same_paths()`.")
        warnings.warn(f"The `check_types` argument is deprecated and has no "
                      f"effect.{hint}", DeprecationWarning, stacklevel=2)
    map_structure(lambda *_: None, a, b)


def assert_same_paths(a, b):
    """Raise ValueError unless `a` and `b` have the same leaf paths
    (container types are not compared).

    Args:
        a, b: nested structures.
    """
    paths_a = {p for p, _ in flatten_with_path(a)}
    paths_b = {p for p, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        msg = "`a` and `b` don't have the same paths."
        if paths_a - paths_b:
            msg += f"\nPaths in `a` missing in `b`:\n{paths_a - paths_b}"
        if paths_b - paths_a:
            msg += f"\nPaths in `b` missing in `a`:\n{paths_b - paths_a}"
        raise ValueError(msg)


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence` laid out as `structure` (the inverse of flatten).

    Args:
        structure: the layout.
        flat_sequence: as many values as `structure` has leaves.
    Raises:
        TypeError: `flat_sequence` is not iterable.
        ValueError: the number of values differs from the number of leaves.
    """
    try:
        flat = list(flat_sequence)
    except TypeError:
        raise TypeError(f"pack_sequence_as: flat_sequence must be a "
                        f"sequence, received {flat_sequence!r}") from None
    count = len(flatten(structure))
    if len(flat) != count:
        raise ValueError(f"pack_sequence_as: the structure has {count} "
                         f"leaves, flat_sequence has {len(flat)} values")
    values = iter(flat)
    return map_structure(lambda _: next(values), structure)


def traverse(func, structure, top_down=True):
    """Apply `func` to every sub-tree, depth first.

    Top down, a non-None result replaces the sub-tree and stops the descent
    into it; bottom up, a non-None result replaces the (already traversed)
    sub-tree. Return `MAP_TO_NONE` to put None in its place.

    Args:
        func: a callable on a sub-tree.
        structure: the nested structure.
        top_down: visit parents before their children.
    """
    if not callable(func):
        raise TypeError(f"traverse: func must be callable, received {func!r}")

    def children_done(s):
        kind = _kind(s)
        if kind is None:
            return s
        return _rebuild(s, kind, [traverse(func, c, top_down)
                                  for c in _children(s, kind)])

    if top_down:
        result = func(structure)
        if result is None:
            return children_done(structure)
    else:
        structure = children_done(structure)
        result = func(structure)
        if result is None:
            return structure
    return None if result is MAP_TO_NONE else result


def lists_to_tuples(structure):
    """`structure` with every list turned into a tuple."""
    return traverse(lambda s: tuple(s) if isinstance(s, list) else None,
                    structure, top_down=False)


def _is_shape(s):
    return isinstance(s, (list, tuple)) and all(
        isinstance(d, (int, type(None))) for d in s)


def map_shape_structure(func, structure):
    """map_structure where a list or tuple of ints and Nones (a shape) is a
    leaf passed to `func` whole.

    Args:
        func: a callable on a shape.
        structure: a nested structure of shapes.
    """
    if _is_shape(structure):
        return func(structure)
    kind = _kind(structure)
    if kind is None:
        return func(structure)
    return _rebuild(structure, kind, [map_shape_structure(func, c)
                                      for c in _children(structure, kind)])


__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure",
           "flatten", "flatten_with_path", "is_nested", "lists_to_tuples",
           "map_shape_structure", "map_structure", "map_structure_up_to",
           "pack_sequence_as", "traverse"]
