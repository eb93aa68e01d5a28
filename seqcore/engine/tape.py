"""The tape: reverse-mode automatic differentiation over `seqcore.ops`, for
user code only (custom layers, Lambda, subclassed models, custom losses).

While a custom layer's `call` runs in training, a Tape is active: its
inputs are wrapped as `Traced` values, and each differentiable op that sees
a Traced value (or a layer's Variable) computes on the plain arrays and
appends one entry (output node, input nodes, the op's vector-Jacobian
product). A built-in layer called inside the custom layer is one entry
whose product is the layer's own fused backward. `backward` walks the
entries in reverse, summing the gradients of values used twice, and writes
the Variables' gradients where the optimizer reads them.

Outside a recording nothing is traced: ops run on numpy arrays at their
plain speed.
"""
import numpy as np

from seqcore.engine.variables import Variable, store_grad

_state = {"tape": None}


def active():
    """The recording Tape, or None."""
    return _state["tape"]


class TracedNumpyError(TypeError):
    """A numpy function was applied to a value that training differentiates."""


class Tape:
    """One recording: entries in execution order, nodes numbered from 0.

    Args:
        owner: what is recorded (a layer's or a loss's name), for errors.
        kind: "Layer" or "Loss", for errors.
    """

    def __init__(self, owner, kind="Layer"):
        self.kind = kind
        self.owners = [owner]
        self.entries = []         # (out_node, in_refs, vjp, values, out, kw)
        self.count = 0
        self.variables = {}       # id(variable) -> (node, variable)
        self.added_losses = []    # nodes of add_loss() values

    @property
    def owner(self):
        return self.owners[-1]

    def new_node(self):
        self.count += 1
        return self.count - 1

    def watch(self, value):
        """`value` (an array) as a Traced leaf; non-float arrays stay plain
        (token ids have no gradient)."""
        value = np.asarray(value)
        if value.dtype.kind != "f":
            return value
        return Traced(value, self.new_node(), self)

    def ref(self, x):
        """(node or None, plain value) of an op argument."""
        if type(x) is Traced:
            return x.node, x.value
        if isinstance(x, Variable):
            entry = self.variables.get(id(x))
            if entry is None:
                if not x.trainable:
                    return None, x.value
                entry = self.variables[id(x)] = (self.new_node(), x)
            return entry[0], x.value
        return None, x

    def record(self, fn, vjp, args, kwargs):
        """Run fn on the plain values of args and record it."""
        refs, values, traced = [], [], False
        for a in args:
            kind = type(a)
            if kind is Traced:                    # the common cases first
                refs.append(a.node)
                values.append(a.value)
                traced = True
                continue
            if kind is np.ndarray or kind is float or kind is int:
                refs.append(None)
                values.append(a)
                continue
            if isinstance(a, (list, tuple)):
                pairs = [self.ref(v) for v in a]
                node = [p[0] for p in pairs]
                values.append(type(a)(p[1] for p in pairs))
                traced = traced or any(n is not None for n in node)
            else:
                node, value = self.ref(a)
                values.append(value)
                traced = traced or node is not None
            refs.append(node)
        out = fn(*values, **kwargs)
        if isinstance(out, np.generic):
            out = np.asarray(out)
        if vjp is None or not traced or not isinstance(out, np.ndarray) or \
                out.dtype.kind != "f":
            return out
        node = self.new_node()
        self.entries.append((node, refs, vjp, values, out, kwargs))
        return Traced(out, node, self)

    def record_call(self, out, in_refs, vjp):
        """Record a computation already run (a built-in layer's call):
        vjp(g) returns one gradient per entry of in_refs."""
        node = self.new_node()
        self.entries.append((node, in_refs, _opaque, [vjp], out, None))
        return Traced(out, node, self)

    def _skippable(self, skip):
        """The nodes computed only from `skip` leaves and constants: no
        gradient is wanted for them."""
        skip = set(skip)
        if not skip:
            return skip
        for node, refs, vjp, _, _, _ in self.entries:
            if vjp is _opaque:
                continue    # a built-in layer: its weights want gradients
            flat = [r for ref in refs for r in
                    (ref if isinstance(ref, list) else [ref])]
            if all(r is None or r in skip for r in flat):
                skip.add(node)
        return skip

    def backward(self, seeds, skip=()):
        """Propagate seeds [(node, d loss / d node)] back through the
        entries; write the Variables' gradients. Returns {node: gradient}
        of the leaves reached. No gradient is computed for the leaves in
        `skip` (an input whose gradient nobody needs) where an op can
        avoid it (matmul)."""
        grads = {}
        for node, g in seeds:
            if node is not None and g is not None:
                _accumulate(grads, node, g)
        skip = self._skippable(skip)
        for node, refs, vjp, values, out, kwargs in reversed(self.entries):
            g = grads.pop(node, None)
            if g is None:
                continue
            g = np.asarray(g, dtype=out.dtype)
            if vjp is _opaque:
                in_grads = values[0](g)
            elif skip and getattr(vjp, "partial", False):
                wanted = [r is not None and r not in skip for r in refs]
                in_grads = vjp(g, out, *values, wanted=wanted,
                               **(kwargs or {}))
            else:
                in_grads = vjp(g, out, *values, **(kwargs or {}))
            for ref, ig in zip(refs, in_grads):
                if isinstance(ref, list):
                    for r, sub in zip(ref, ig or [None] * len(ref)):
                        if r is not None and sub is not None:
                            _accumulate(grads, r, sub)
                elif ref is not None and ig is not None:
                    _accumulate(grads, ref, ig)
        for node, variable in self.variables.values():
            g = grads.get(node)
            if g is not None:
                store_grad(variable, np.asarray(g, np.float32))
        return grads


def _opaque(*args, **kwargs):
    """Marks entries whose vjp is a closure (record_call)."""
    raise AssertionError("not called")


def _accumulate(grads, node, g):
    previous = grads.get(node)
    grads[node] = g if previous is None else previous + g


class recording:
    """Context manager: make `tape` the active recording."""

    def __init__(self, tape):
        self.tape = tape

    def __enter__(self):
        self.previous = _state["tape"]
        _state["tape"] = self.tape
        return self.tape

    def __exit__(self, *exc):
        _state["tape"] = self.previous
        return False


class paused(recording):
    """Context manager: nothing records (a built-in layer's own call)."""

    def __init__(self):
        super().__init__(None)


def differentiable(vjp):
    """Decorator for an op `fn(*arrays, **options)`: when a recording is
    active and an argument is Traced (or a Variable), the op is recorded
    with `vjp(g, out, *values, **options)`, which returns one gradient per
    positional argument (a list for a list argument, None for none)."""
    def wrap(fn):
        def op(*args, **kwargs):
            tape = _state["tape"]
            if tape is not None:
                return tape.record(fn, vjp, args, kwargs)
            return fn(*[_plain(a) for a in args], **kwargs)
        op.__name__ = fn.__name__
        op.__qualname__ = fn.__qualname__
        op.__doc__ = fn.__doc__
        op.__wrapped__ = fn
        op.vjp = vjp
        return op
    return wrap


def constant(fn):
    """Decorator for an op without a gradient (comparisons, argmax, shape):
    it runs on the plain values of Traced arguments."""
    return differentiable(None)(fn)


def _plain(x):
    if type(x) is Traced:
        return x.value      # a Traced value kept past its recording
    if isinstance(x, Variable):
        return x.value
    return x


def unbroadcast(g, shape):
    """Sum g (the gradient of a broadcast result) back to `shape`."""
    if g.shape == tuple(shape):
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, d in enumerate(shape) if d == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def plain(x):
    """x without tracing: arrays of Traced values (nested lists kept)."""
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x)
    return _plain(x)


# Imported last: Traced uses the ops, which import this module.
from seqcore.engine.traced import Traced  # noqa: E402
