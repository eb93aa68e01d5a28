"""keras.ops.jvp (also keras.ops.linalg.jvp): the forward-mode product
J(primals) @ tangents of a function written with seqcore.ops.

seqcore's autodiff is reverse mode only (seqcore/engine/tape.py): each op
carries a vector-Jacobian product written in numpy, not itself recorded, so
the double-VJP trick (differentiating a VJP) is not available. `jvp`
instead records `fun` once on a tape and runs one reverse pass per output
element, which gives each row of the Jacobian exactly (no finite
differences); the product with the tangents is then a dot product per row.
The cost is one backward pass per output element: right for the small
outputs jvp is used on (directional derivatives, Hessian-vector checks),
slow for large ones.
"""
import numpy as np

from seqcore import tree
from seqcore.engine.tape import Tape, recording
from seqcore.engine.traced import Traced


def _as_args(values, what):
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"jvp: `{what}` must be a tuple or a list of "
                        f"arguments of `fun`, received "
                        f"{type(values).__name__}")
    return list(values)


def jvp(fun, primals, tangents, has_aux=False):
    """Jacobian-vector product of `fun` at `primals` along `tangents`.

    Args:
        fun: a function of arrays (or nested lists/tuples/dicts of arrays)
            written with seqcore.ops, returning an array or a structure of
            arrays (with has_aux, a pair (output, aux)).
        primals: tuple or list of `fun`'s positional arguments.
        tangents: tuple or list of the same structure and shapes.
        has_aux: `fun` returns (output, aux); aux is returned as is.

    Returns:
        (primals_out, tangents_out), or (primals_out, tangents_out, aux)
        with has_aux; tangents_out has primals_out's structure and shapes.

    Raises:
        TypeError: primals or tangents not a tuple/list.
        ValueError: their structures or shapes differ, or `fun` with
            has_aux does not return a pair.
    """
    primals = _as_args(primals, "primals")
    tangents = _as_args(tangents, "tangents")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: primals and tangents must have the same "
                         f"length, received {len(primals)} primals and "
                         f"{len(tangents)} tangents")
    try:
        tree.assert_same_structure(primals, tangents)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"jvp: primals and tangents must have the same "
                         f"structure ({exc})") from None
    flat_p = [np.asarray(p) for p in tree.flatten(primals)]
    flat_t = [np.asarray(t) for t in tree.flatten(tangents)]
    for i, (p, t) in enumerate(zip(flat_p, flat_t)):
        if p.shape != t.shape:
            raise ValueError(f"jvp: tangent {i} has shape {t.shape}, its "
                             f"primal has shape {p.shape}")
    flat_p = [p.astype(np.float32) if p.dtype.kind in "iub" and
              p.dtype != bool else p for p in flat_p]

    tape = Tape("jvp", kind="Function")
    with recording(tape):
        watched = [tape.watch(p) for p in flat_p]
        result = fun(*tree.pack_sequence_as(primals, watched))
    tape.variables = {}     # never write a model Variable's gradient
    aux = None
    if has_aux:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise ValueError("jvp: with has_aux=True, `fun` must return a "
                             "pair (output, aux)")
        result, aux = result
        aux = tree.map_structure(_plain, aux)
    nodes = [w.node if type(w) is Traced else None for w in watched]
    outputs = tree.flatten(result)
    values, products = [], []
    for out in outputs:
        value = np.asarray(_plain(out))
        values.append(value)
        product = np.zeros(value.shape, value.dtype if value.dtype.kind ==
                           "f" else np.float32)
        if type(out) is Traced and out.tape is tape:
            flat = product.reshape(-1)
            for k in range(value.size):
                seed = np.zeros(value.shape, value.dtype)
                seed.reshape(-1)[k] = 1
                grads = tape.backward([(out.node, seed)])
                total = 0.0
                for node, t in zip(nodes, flat_t):
                    g = grads.get(node) if node is not None else None
                    if g is not None:
                        total += float(np.vdot(np.asarray(g, np.float64),
                                               t.astype(np.float64)))
                flat[k] = total
        products.append(product)
    primals_out = tree.pack_sequence_as(result, values)
    tangents_out = tree.pack_sequence_as(result, products)
    if has_aux:
        return primals_out, tangents_out, aux
    return primals_out, tangents_out


def _plain(x):
    return x.value if type(x) is Traced else x
