"""The base of keras.losses: `Loss` (reduction, sample weights, masks,
the gradient training asks for), `LossFunctionWrapper` (a loss around a
per-sample function), the tape fallback for losses written by the user,
and the array helpers every loss file shares.

A loss is a function `fn(y_true, y_pred) -> values` (Keras's formula; the
values are per sample, per step or one scalar) and a class whose call
weighs and reduces the values to a scalar (`reduction=` one of
`REDUCTIONS`). `Loss.gradient(y_true, y_pred, sample_weight, mask)` returns
d(reduced loss)/d(y_pred), of y_pred's shape, from a hand-written gradient
when the loss has one, else from the tape (seqcore/engine/tape.py).
"""
import numpy as np

from seqcore.engine import masking

EPSILON = 1e-7  # keras.backend.epsilon()
REDUCTIONS = (
    "sum_over_batch_size",
    "sum",
    "none",
    "mean",
    "mean_with_sample_weight",
)


def _arrays(y_true, y_pred):
    """(y_true, y_pred) as float arrays of one shape, for the elementwise
    losses: y_true gains or loses a trailing axis to match y_pred's rank.

    Raises:
        ValueError: when the shapes still differ.
    """
    y_pred = np.asarray(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(np.float32)
    y_true = np.asarray(y_true).astype(y_pred.dtype, copy=False)
    if y_true.ndim == y_pred.ndim - 1:  # labels without the last axis
        y_true = y_true[..., np.newaxis]
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"Arguments `y_true` and `y_pred` must have the same "
            f"shape, received y_true.shape={y_true.shape} and "
            f"y_pred.shape={y_pred.shape}"
        )
    return y_true, y_pred


def float_pred(y_pred):
    """y_pred as a float array (integers become float32)."""
    p = np.asarray(y_pred)
    return p if p.dtype.kind == "f" else p.astype(np.float32)


def keras_align(y_true, y_pred):
    """Keras's LossFunctionWrapper alignment on arrays: y_pred as floats,
    y_true as given, a trailing axis of size 1 squeezed or added when the
    ranks differ by one (engine/masking.py's `match_rank`)."""
    return masking.match_rank(np.asarray(y_true), float_pred(y_pred))


def same_shape(name, t, p):
    """Raise a ValueError naming the loss unless t and p match."""
    if t.shape != p.shape:
        raise ValueError(
            f"{name}: `y_true` and `y_pred` must have the same shape, "
            f"received y_true.shape={t.shape} and y_pred.shape={p.shape}")


def expand_reduced(x, axis, ndim):
    """x, reduced over `axis` (an int, a tuple or None = all axes) of an
    array of rank `ndim`, with the reduced axes put back as size 1."""
    if axis is None:
        return np.reshape(x, (1,) * ndim)
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    axes = sorted(a % ndim for a in axes)
    for a in axes:
        x = np.expand_dims(x, a)
    return x


def check_axis(name, axis):
    """Keras refuses a bool axis (True is an int to Python)."""
    if isinstance(axis, bool):
        raise ValueError(
            f"{name}: `axis` must be of type `int`. Received: axis={axis} "
            f"of type {type(axis)}")


def sigmoid(x):
    """The logistic function, without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# Older names, used by the classic losses.
_sigmoid = sigmoid
_log_softmax = log_softmax


def standardize_reduction(reduction):
    """Keras's check of `reduction` (None and "none" mean no reduction)."""
    if reduction is not None and reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. "
            f"Expected one of {list(REDUCTIONS) + [None]}. Received: "
            f"reduction={reduction!r}"
        )
    return reduction


class Loss:
    """Reduces per-sample losses to a scalar, as Keras's Loss does.

    Subclass it and write `call(y_true, y_pred)` with seqcore.ops: training
    differentiates it with the tape.

    Args:
        name: the loss's name (defaults to the class name).
        reduction: "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none" or None.
        dtype: the computation dtype (float32 when None).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or type(self).__name__
        self.reduction = standardize_reduction(reduction)
        self.dtype = dtype

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def _per_sample_gradient(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        from seqcore.engine.traced import Traced
        if type(y_pred) is Traced or type(y_true) is Traced:
            return self._traced_value(y_true, y_pred, sample_weight)
        return self._masked_value(y_true, y_pred, sample_weight, None)

    def _traced_values(self, y_true, y_pred):
        """The per-sample values on the tape: a loss written by the user
        records its own ops."""
        return self.call(y_true, y_pred)

    def _traced_value(self, y_true, y_pred, sample_weight):
        """The reduced loss of traced inputs (a loss object called inside
        a compute_loss override or a custom layer in training), recorded
        so that training differentiates it. The reduction is linear in the
        values: their weights (sample weights, masks, the divisor) are
        constants."""
        from seqcore import ops
        from seqcore.engine.tape import plain
        values = self._traced_values(y_true, y_pred)
        plain_values = np.asarray(plain(values))
        dtype = plain_values.dtype if plain_values.dtype.kind == "f" \
            else np.float32
        mask = self._values_mask(plain(y_true), plain(y_pred),
                                 plain_values.shape)
        if self.reduction in (None, "none"):
            weights = masking.reduce_weighted(
                np.ones(plain_values.shape, dtype), sample_weight, mask,
                "none")
            return ops.multiply(values, np.asarray(weights, dtype))
        scale = self._reduction_scale(plain_values.shape, dtype,
                                      sample_weight, mask)
        return ops.sum(ops.multiply(values, scale.astype(dtype)))

    def _masked_value(self, y_true, y_pred, sample_weight, mask):
        """The reduced loss, with `mask` (the output's mask, or None) and
        the loss's own mask (`_values_mask`) weighing the values as Keras
        does (seqcore/engine/masking.py)."""
        values = np.asarray(self.call(y_true, y_pred))
        mask = masking.combine_masks(
            mask, self._values_mask(y_true, y_pred, values.shape))
        return self._reduce(values, sample_weight, mask)

    def _values_mask(self, y_true, y_pred, values_shape):
        """A mask the loss puts on its own values (None: every value
        counts); sparse cross-entropy's `ignore_class` makes one."""
        return None

    def _reduce(self, values, sample_weight, mask=None):
        return masking.reduce_weighted(values, sample_weight, mask,
                                       self.reduction)

    def gradient(self, y_true, y_pred, sample_weight=None, mask=None):
        """d(reduced loss)/d(y_pred), shaped like y_pred. A Loss subclass
        written by the user (its own `call`, no hand-written gradient) is
        differentiated by the tape.

        Args:
            y_true, y_pred: as for `__call__`.
            sample_weight: optional weights, as for `__call__`.
            mask: optional boolean mask of the per-sample values' shape
                (a model output's mask): padded steps get no gradient and
                the reduction divides as Keras's does."""
        if type(self)._per_sample_gradient is Loss._per_sample_gradient:
            return tape_gradient(self, y_true, y_pred, sample_weight, mask)
        grad, values_shape = self._per_sample_gradient(y_true, y_pred)
        mask = masking.combine_masks(
            mask, self._values_mask(y_true, y_pred, values_shape))
        scale = self._reduction_scale(values_shape, grad.dtype,
                                      sample_weight, mask)
        if grad.ndim > scale.ndim:     # the values reduce the loss's axis
            scale = expand_reduced(scale, self._values_axis(), grad.ndim)
        return grad * scale

    def _values_axis(self):
        """The axis of y_pred the per-sample values reduce (when they
        have fewer dimensions than y_pred)."""
        return -1

    def _reduction_scale(self, values_shape, dtype, sample_weight,
                         mask=None):
        """d(reduced loss) / d(per-sample loss), shaped like the values."""
        if self.reduction in (None, "none"):
            raise ValueError(
                "A loss with reduction='none' has no scalar to differentiate"
            )
        _, scale = masking.reduce_weighted(
            np.ones(values_shape, dtype), sample_weight, mask,
            self.reduction, with_scale=True)
        return scale

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _same_rank(y_true, y_pred):
    """Keras's alignment of a user loss's arguments: y_true as float32,
    and a trailing axis of size 1 added or removed when the ranks differ
    by one."""
    from seqcore import ops
    t = np.asarray(y_true, np.float32)
    p = y_pred
    if t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        if p.ndim == 1:
            p = ops.expand_dims(p, -1)
        else:
            t = t[..., 0]
    elif p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        if t.ndim == 1:
            t = t[..., np.newaxis]
        else:
            p = ops.squeeze(p, -1)
    return t, p


def tape_gradient(loss, y_true, y_pred, sample_weight=None, mask=None):
    """d(reduced loss)/d(y_pred) of a loss written by the user, exact, by
    recording its call over seqcore.ops on a tape (engine/tape.py)."""
    from seqcore.engine.tape import Tape, recording
    from seqcore.engine.traced import Traced
    p_array = np.asarray(y_pred)
    tape = Tape(loss.name, kind="Loss")
    with recording(tape):
        p = tape.watch(p_array)
        values = loss.call(y_true, p)
    shape = np.shape(values.value if type(values) is Traced else values)
    zeros = np.zeros(p_array.shape, p_array.dtype)
    if type(values) is not Traced or type(p) is not Traced:
        return zeros
    scale = loss._reduction_scale(shape, p_array.dtype, sample_weight, mask)
    grads = tape.backward([(values.node, scale.astype(p_array.dtype))])
    g = grads.get(p.node)
    return zeros if g is None else np.asarray(g, p_array.dtype)


_warned_constant_target = set()


def _warn_constant_target(loss):
    import warnings
    if type(loss) in _warned_constant_target:
        return
    _warned_constant_target.add(type(loss))
    warnings.warn(
        f"{type(loss).__name__} received a y_true that training "
        f"differentiates (a model output); seqcore differentiates built-in "
        f"losses with respect to y_pred only, so no gradient flows into "
        f"y_true (Keras would send one). Write the loss with keras.ops to "
        f"differentiate both.", UserWarning, stacklevel=4)


class LossFunctionWrapper(Loss):
    """A Loss around a per-sample function and its gradient.

    Args:
        fn: `fn(y_true, y_pred, **kwargs) -> values`.
        grad: the classic losses' per-sample gradient
            `grad(y_true, y_pred, **kwargs)`, or None: then the gradient is
            the class's `vjp` if it has one, else the tape's.
        name, reduction, dtype: as for `Loss`.
        **kwargs: the function's options (from_logits, delta, ...).
    """

    # A vector-Jacobian product `vjp(y_true, y_pred, scale, **kwargs)`:
    # the gradient of sum(scale * fn(...)) with respect to y_pred, with
    # `scale` of the values' shape (the newer losses set it).
    vjp = None

    def __init__(
        self,
        fn,
        grad=None,
        name=None,
        reduction="sum_over_batch_size",
        dtype=None,
        **kwargs,
    ):
        super().__init__(
            name=name or fn.__name__, reduction=reduction, dtype=dtype
        )
        self.fn, self.grad, self._fn_kwargs = fn, grad, kwargs

    def _user_function(self):
        return self.grad is None and type(self).vjp is None

    def call(self, y_true, y_pred):
        if self._user_function():      # a user's function: Keras's inputs
            y_true, y_pred = _same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def gradient(self, y_true, y_pred, sample_weight=None, mask=None):
        if type(self).vjp is not None:
            return self._vjp_gradient(y_true, y_pred, sample_weight, mask)
        if self.grad is None:
            return tape_gradient(self, y_true, y_pred, sample_weight, mask)
        return super().gradient(y_true, y_pred, sample_weight, mask=mask)

    def _vjp_gradient(self, y_true, y_pred, sample_weight, mask):
        """The gradient of a loss with a `vjp`: the reduction's scale of
        each value, pulled back through the values."""
        p = float_pred(y_pred)
        values = np.asarray(self.fn(y_true, p, **self._fn_kwargs))
        mask = masking.combine_masks(
            mask, self._values_mask(y_true, p, values.shape))
        scale = self._reduction_scale(values.shape, p.dtype, sample_weight,
                                      mask)
        grad = type(self).vjp(y_true, p, scale, **self._fn_kwargs)
        return np.asarray(grad, p.dtype)

    def _traced_values(self, y_true, y_pred):
        """A built-in function is one tape entry, differentiated with
        respect to y_pred by its own gradient; y_true is a constant (a
        traced y_true, such as a teacher's output, gets no gradient: a
        warning says so)."""
        from seqcore.engine import tape as tape_module
        from seqcore.engine.traced import Traced
        if self._user_function():
            return self.call(y_true, y_pred)
        if type(y_true) is Traced:
            _warn_constant_target(self)
            y_true = y_true.value
        tape = tape_module.active()
        if tape is None or type(y_pred) is not Traced:
            return self.fn(y_true, tape_module.plain(y_pred),
                           **self._fn_kwargs)
        return tape.record(self.fn, self._values_vjp, [y_true, y_pred],
                           self._fn_kwargs)

    def _values_vjp(self, g, out, y_true, y_pred, **options):
        """[None, g pulled back through the per-sample values to y_pred]."""
        p = float_pred(y_pred)
        g = np.asarray(g, p.dtype)
        if type(self).vjp is not None:
            grad = type(self).vjp(y_true, p, g, **options)
        else:
            grad, values_shape = self._per_sample_gradient(y_true, p)
            g = np.reshape(g, values_shape)
            if grad.ndim > g.ndim:
                g = expand_reduced(g, self._values_axis(), grad.ndim)
            grad = grad * g
        return [None, np.asarray(grad, p.dtype).reshape(p.shape)]

    def _values_axis(self):
        return self._fn_kwargs.get("axis", -1)

    def _per_sample_gradient(self, y_true, y_pred):
        from seqcore.losses.probabilistic import (
            sparse_categorical_crossentropy)
        if self.fn is sparse_categorical_crossentropy:
            p = float_pred(y_pred)
            return self.grad(y_true, p, **self._fn_kwargs), p.shape[:-1]
        t, p = _arrays(y_true, y_pred)
        axis = self._fn_kwargs.get("axis", -1)
        return self.grad(t, p, **self._fn_kwargs), np.sum(p, axis=axis).shape

    def _values_mask(self, y_true, y_pred, values_shape):
        from seqcore.losses.probabilistic import (
            sparse_categorical_crossentropy)
        ignore = self._fn_kwargs.get("ignore_class")
        if self.fn is not sparse_categorical_crossentropy or ignore is None:
            return None
        # Keras masks the ignored labels' values: the default reduction
        # then divides by the number of the other labels.
        labels = np.asarray(y_true)
        if labels.ndim == len(values_shape) + 1 and labels.shape[-1] == 1:
            labels = labels[..., 0]
        return np.not_equal(labels, ignore).reshape(values_shape)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config


class BuiltinLoss(LossFunctionWrapper):
    """A built-in loss class: `fn` and `grad` (or `vjp`) name its function
    and gradient; options (from_logits, delta, ...) pass to both."""

    fn = grad = None
    default_name = None

    def __init__(self, reduction="sum_over_batch_size", name=None,
                 dtype=None):
        self._setup(reduction, name, dtype)

    def _setup(self, reduction, name, dtype, **options):
        """The constructor proper; classes with options pass them here."""
        LossFunctionWrapper.__init__(
            self, type(self).fn, type(self).grad,
            name=name or self.default_name, reduction=reduction, dtype=dtype,
            **options)


def traced_loss_function(fn, cls):
    """The loss function `fn` (keras.losses.binary_crossentropy, ...) made
    differentiable on the tape: called on traced values (inside a custom
    layer's call or a compute_loss override in training), it is recorded
    with the gradient of its class `cls`; elsewhere it is `fn` itself.

    Args:
        fn: `fn(y_true, y_pred, **options) -> per-sample values`.
        cls: the LossFunctionWrapper class around fn (constructible with
            its defaults).
    """
    from seqcore.engine import tape as tape_module

    def vjp(g, out, y_true, y_pred, **options):
        loss = cls()
        loss._fn_kwargs = dict(options)
        return loss._values_vjp(g, out, y_true, y_pred, **options)

    def loss_function(y_true, y_pred, **options):
        tape = tape_module.active()
        if tape is None:
            return fn(y_true, y_pred, **options)
        return tape.record(fn, vjp, [y_true, y_pred], options)

    loss_function.__name__ = fn.__name__
    loss_function.__qualname__ = fn.__qualname__
    loss_function.__doc__ = fn.__doc__
    loss_function.__wrapped__ = fn
    return loss_function
