"""Losses (keras.losses), with the gradients training needs.

Each loss is a function `fn(y_true, y_pred) -> per-sample losses` (Keras's
formula, reduced over the last axis) and a class whose call reduces them to
a scalar (`reduction="sum_over_batch_size"` by default, optional
`sample_weight`). `Loss.gradient(y_true, y_pred, sample_weight)` returns
d(reduced loss)/d(y_pred), of y_pred's shape.
"""

import numpy as np

from seqcore import _kernels
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


def _sigmoid(x):
    return np.where(
        x >= 0,
        1.0 / (1.0 + np.exp(-np.abs(x))),
        np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))),
    )


def _log_softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# ---- regression -------------------------------------------------------------


def mean_squared_error(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(np.square(t - p), axis=-1)


def _mean_squared_error_grad(t, p):
    return 2.0 * (p - t) / p.shape[-1]


def mean_absolute_error(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(np.abs(t - p), axis=-1)


def _mean_absolute_error_grad(t, p):
    return np.sign(p - t) / p.shape[-1]


def mean_absolute_percentage_error(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    diff = np.abs((t - p) / np.maximum(np.abs(t), EPSILON))
    return 100.0 * np.mean(diff, axis=-1)


def _mean_absolute_percentage_error_grad(t, p):
    return (
        100.0 * np.sign(p - t) / np.maximum(np.abs(t), EPSILON) / p.shape[-1]
    )


def mean_squared_logarithmic_error(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    first = np.log(np.maximum(p, EPSILON) + 1.0)
    second = np.log(np.maximum(t, EPSILON) + 1.0)
    return np.mean(np.square(first - second), axis=-1)


def _mean_squared_logarithmic_error_grad(t, p):
    first = np.log(np.maximum(p, EPSILON) + 1.0)
    second = np.log(np.maximum(t, EPSILON) + 1.0)
    inside = p > EPSILON
    return (
        2.0
        * (first - second)
        * inside
        / (np.maximum(p, EPSILON) + 1.0)
        / p.shape[-1]
    )


def huber(y_true, y_pred, delta=1.0):
    t, p = _arrays(y_true, y_pred)
    error = p - t
    abs_error = np.abs(error)
    return np.mean(
        np.where(
            abs_error <= delta,
            0.5 * np.square(error),
            delta * abs_error - 0.5 * delta**2,
        ),
        axis=-1,
    )


def _huber_grad(t, p, delta=1.0):
    error = p - t
    return (
        np.where(np.abs(error) <= delta, error, delta * np.sign(error))
        / p.shape[-1]
    )


def log_cosh(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    x = p - t
    softplus = np.maximum(-2.0 * x, 0) + np.log1p(np.exp(-np.abs(2.0 * x)))
    return np.mean(x + softplus - np.log(2.0), axis=-1)


def _log_cosh_grad(t, p):
    return np.tanh(p - t) / p.shape[-1]


def poisson(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(p - t * np.log(p + EPSILON), axis=-1)


def _poisson_grad(t, p):
    return (1.0 - t / (p + EPSILON)) / p.shape[-1]


def cosine_similarity(y_true, y_pred, axis=-1):
    t, p = _arrays(y_true, y_pred)
    tn = t / np.sqrt(
        np.maximum(np.sum(t * t, axis=axis, keepdims=True), 1e-12)
    )
    pn = p / np.sqrt(
        np.maximum(np.sum(p * p, axis=axis, keepdims=True), 1e-12)
    )
    return -np.sum(tn * pn, axis=axis)


def _cosine_similarity_grad(t, p, axis=-1):
    norm_p = np.sqrt(
        np.maximum(np.sum(p * p, axis=axis, keepdims=True), 1e-12)
    )
    tn = t / np.sqrt(
        np.maximum(np.sum(t * t, axis=axis, keepdims=True), 1e-12)
    )
    pn = p / norm_p
    return -(tn - np.sum(tn * pn, axis=axis, keepdims=True) * pn) / norm_p


# ---- classification -----------------------------------------------------------


def binary_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    t, p = _arrays(y_true, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        values = np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    else:
        o = np.clip(p, EPSILON, 1.0 - EPSILON)
        values = -(t * np.log(o) + (1.0 - t) * np.log(1.0 - o))
    return np.mean(values, axis=axis)


def _binary_crossentropy_grad(
    t, p, from_logits=False, label_smoothing=0.0, axis=-1
):
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        grad = _sigmoid(p) - t
    else:
        o = np.clip(p, EPSILON, 1.0 - EPSILON)
        inside = (p > EPSILON) & (p < 1.0 - EPSILON)
        grad = (-t / o + (1.0 - t) / (1.0 - o)) * inside
    return grad / p.shape[axis]


def categorical_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    t, p = _arrays(y_true, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[axis]
    if from_logits:
        return -np.sum(t * _log_softmax(p, axis), axis=axis)
    o = np.clip(
        p / np.sum(p, axis=axis, keepdims=True), EPSILON, 1.0 - EPSILON
    )
    return -np.sum(t * np.log(o), axis=axis)


def _categorical_crossentropy_grad(
    t, p, from_logits=False, label_smoothing=0.0, axis=-1
):
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[axis]
    if from_logits and p.dtype == np.float32 and axis in (-1, p.ndim - 1):
        # the fused softmax + cross-entropy gradient, in C
        classes = p.shape[-1]
        _, grad = _kernels.softmax_cross_entropy(
            p.reshape(-1, classes), targets=t.reshape(-1, classes))
        return grad.reshape(p.shape)
    if from_logits:
        softmax = np.exp(_log_softmax(p, axis))
        return softmax * np.sum(t, axis=axis, keepdims=True) - t
    total = np.sum(p, axis=axis, keepdims=True)
    o = p / total
    inside = (o > EPSILON) & (o < 1.0 - EPSILON)
    g = -t / np.clip(o, EPSILON, 1.0 - EPSILON) * inside  # d loss / d o
    return (g - np.sum(g * o, axis=axis, keepdims=True)) / total


def _one_hot_labels(y_true, y_pred, ignore_class=None, axis=-1):
    """(one-hot targets, valid mask or None) for sparse integer labels."""
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis=axis)
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"sparse_categorical_crossentropy: y_true must hold "
            f"one class index per sample, shape "
            f"{y_pred.shape[:-1]}; received {labels.shape}"
        )
    if labels.dtype.kind == "f" and not np.array_equal(
        labels, np.round(labels)
    ):
        raise ValueError(
            "sparse_categorical_crossentropy: y_true must hold "
            "integer class indices"
        )
    labels = labels.astype(np.int64)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    classes = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(
            f"sparse_categorical_crossentropy: class index {bad} "
            f"is out of range for {classes} classes"
        )
    return np.eye(classes, dtype=y_pred.dtype)[labels], valid


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    p = np.asarray(y_pred)
    p = p if p.dtype.kind == "f" else p.astype(np.float32)
    t, valid = _one_hot_labels(y_true, p, ignore_class, axis)
    if valid is None:
        return categorical_crossentropy(t, p, from_logits=from_logits,
                                        axis=axis)
    # Ignored labels' values are 0 (their zeroed probabilities would give
    # 0 / 0 under the normalisation: computed, then replaced, as in Keras).
    p = np.where(valid[..., np.newaxis], p, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = categorical_crossentropy(t, p, from_logits=from_logits,
                                          axis=axis)
    return np.where(valid, values, 0).astype(values.dtype, copy=False)


def _sparse_categorical_crossentropy_grad(
    y_true, p, from_logits=False, ignore_class=None, axis=-1
):
    t, valid = _one_hot_labels(y_true, p, ignore_class, axis)
    grad = _categorical_crossentropy_grad(
        t, p, from_logits=from_logits, axis=axis
    )
    return grad if valid is None else grad * valid[..., np.newaxis]


def _hinge_labels(t):
    """Keras turns {0, 1} labels into {-1, 1}; other labels stay."""
    return 2.0 * t - 1.0 if np.all((t == 0) | (t == 1)) else t


def hinge(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(np.maximum(1.0 - _hinge_labels(t) * p, 0.0), axis=-1)


def _hinge_grad(t, p):
    y = _hinge_labels(t)
    return -y * (1.0 - y * p > 0) / p.shape[-1]


def squared_hinge(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    return np.mean(
        np.square(np.maximum(1.0 - _hinge_labels(t) * p, 0.0)), axis=-1
    )


def _squared_hinge_grad(t, p):
    y = _hinge_labels(t)
    return -2.0 * y * np.maximum(1.0 - y * p, 0.0) / p.shape[-1]


def categorical_hinge(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    pos = np.sum(t * p, axis=-1)
    neg = np.max((1.0 - t) * p, axis=-1)
    return np.maximum(neg - pos + 1.0, 0.0)


def _categorical_hinge_grad(t, p):
    scores = (1.0 - t) * p
    k = np.argmax(scores, axis=-1)[..., np.newaxis]
    active = np.max(scores, axis=-1) - np.sum(t * p, axis=-1) + 1.0 > 0
    neg = np.zeros_like(p)
    np.put_along_axis(neg, k, np.take_along_axis(1.0 - t, k, axis=-1), axis=-1)
    return (neg - t) * active[..., np.newaxis]


def kl_divergence(y_true, y_pred):
    t, p = _arrays(y_true, y_pred)
    t = np.clip(t, EPSILON, 1.0)
    return np.sum(t * np.log(t / np.clip(p, EPSILON, 1.0)), axis=-1)


def _kl_divergence_grad(t, p):
    t = np.clip(t, EPSILON, 1.0)
    inside = (p > EPSILON) & (p < 1.0)
    return -t / np.clip(p, EPSILON, 1.0) * inside


# ---- classes and lookup ---------------------------------------------------------


class Loss:
    """Reduces per-sample losses to a scalar, as Keras's Loss does."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction is None:
            reduction = "none"
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"Invalid value for argument `reduction`. "
                f"Expected one of {list(REDUCTIONS)}. Received: "
                f"reduction={reduction!r}"
            )
        self.name = name or type(self).__name__
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def _per_sample_gradient(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        return self._masked_value(y_true, y_pred, sample_weight, None)

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
        return grad * scale[..., np.newaxis]

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


class LossFunctionWrapper(Loss):
    """A Loss around a per-sample function and its gradient."""

    def __init__(
        self,
        fn,
        grad,
        name=None,
        reduction="sum_over_batch_size",
        dtype=None,
        **kwargs,
    ):
        super().__init__(
            name=name or fn.__name__, reduction=reduction, dtype=dtype
        )
        self.fn, self.grad, self._fn_kwargs = fn, grad, kwargs

    def call(self, y_true, y_pred):
        if self.grad is None:          # a user's function: Keras's inputs
            y_true, y_pred = _same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def gradient(self, y_true, y_pred, sample_weight=None, mask=None):
        if self.grad is None:
            return tape_gradient(self, y_true, y_pred, sample_weight, mask)
        return super().gradient(y_true, y_pred, sample_weight, mask=mask)

    def _per_sample_gradient(self, y_true, y_pred):
        if self.fn is sparse_categorical_crossentropy:
            p = np.asarray(y_pred)
            p = p if p.dtype.kind == "f" else p.astype(np.float32)
            return self.grad(y_true, p, **self._fn_kwargs), p.shape[:-1]
        t, p = _arrays(y_true, y_pred)
        axis = self._fn_kwargs.get("axis", -1)
        return self.grad(t, p, **self._fn_kwargs), np.sum(p, axis=axis).shape

    def _values_mask(self, y_true, y_pred, values_shape):
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
    """A built-in loss class: `fn` and `grad` name its per-sample function
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


class MeanSquaredError(BuiltinLoss):
    fn, grad = staticmethod(mean_squared_error), \
        staticmethod(_mean_squared_error_grad)
    default_name = "mean_squared_error"


class MeanAbsoluteError(BuiltinLoss):
    fn, grad = staticmethod(mean_absolute_error), \
        staticmethod(_mean_absolute_error_grad)
    default_name = "mean_absolute_error"


class MeanAbsolutePercentageError(BuiltinLoss):
    fn, grad = staticmethod(mean_absolute_percentage_error), \
        staticmethod(_mean_absolute_percentage_error_grad)
    default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(BuiltinLoss):
    fn, grad = staticmethod(mean_squared_logarithmic_error), \
        staticmethod(_mean_squared_logarithmic_error_grad)
    default_name = "mean_squared_logarithmic_error"


class BinaryCrossentropy(BuiltinLoss):
    fn, grad = staticmethod(binary_crossentropy), \
        staticmethod(_binary_crossentropy_grad)
    default_name = "binary_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None, dtype=None):
        self._setup(reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(BuiltinLoss):
    fn, grad = staticmethod(categorical_crossentropy), \
        staticmethod(_categorical_crossentropy_grad)
    default_name = "categorical_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None, dtype=None):
        self._setup(reduction, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(BuiltinLoss):
    fn, grad = staticmethod(sparse_categorical_crossentropy), \
        staticmethod(_sparse_categorical_crossentropy_grad)
    default_name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits=False, ignore_class=None, axis=-1,
                 reduction="sum_over_batch_size", name=None, dtype=None):
        self._setup(reduction, name, dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)


class Hinge(BuiltinLoss):
    fn, grad = staticmethod(hinge), staticmethod(_hinge_grad)
    default_name = "hinge"


class SquaredHinge(BuiltinLoss):
    fn, grad = staticmethod(squared_hinge), staticmethod(_squared_hinge_grad)
    default_name = "squared_hinge"


class CategoricalHinge(BuiltinLoss):
    fn, grad = staticmethod(categorical_hinge), \
        staticmethod(_categorical_hinge_grad)
    default_name = "categorical_hinge"


class Huber(BuiltinLoss):
    fn, grad = staticmethod(huber), staticmethod(_huber_grad)
    default_name = "huber_loss"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name=None,
                 dtype=None):
        self._setup(reduction, name, dtype, delta=delta)


class LogCosh(BuiltinLoss):
    fn, grad = staticmethod(log_cosh), staticmethod(_log_cosh_grad)
    default_name = "log_cosh"


class KLDivergence(BuiltinLoss):
    fn, grad = staticmethod(kl_divergence), staticmethod(_kl_divergence_grad)
    default_name = "kl_divergence"


class Poisson(BuiltinLoss):
    fn, grad = staticmethod(poisson), staticmethod(_poisson_grad)
    default_name = "poisson"


class CosineSimilarity(BuiltinLoss):
    fn, grad = staticmethod(cosine_similarity), \
        staticmethod(_cosine_similarity_grad)
    default_name = "cosine_similarity"

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name=None,
                 dtype=None):
        self._setup(reduction, name, dtype, axis=axis)


_CLASSES = {
    cls.__name__: cls
    for cls in (
        MeanSquaredError,
        MeanAbsoluteError,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        Huber,
        LogCosh,
        KLDivergence,
        Poisson,
        CosineSimilarity,
    )
}
_FUNCTIONS = {
    fn.__name__: fn
    for fn in (
        mean_squared_error,
        mean_absolute_error,
        mean_absolute_percentage_error,
        mean_squared_logarithmic_error,
        binary_crossentropy,
        categorical_crossentropy,
        sparse_categorical_crossentropy,
        hinge,
        squared_hinge,
        categorical_hinge,
        huber,
        log_cosh,
        kl_divergence,
        poisson,
        cosine_similarity,
    )
}
_FUNCTIONS.update(
    {
        "mse": mean_squared_error,
        "mae": mean_absolute_error,
        "mape": mean_absolute_percentage_error,
        "msle": mean_squared_logarithmic_error,
        "kld": kl_divergence,
        "kullback_leibler_divergence": kl_divergence,
        "logcosh": log_cosh,
    }
)
_CLASS_OF = {cls.fn: cls for cls in _CLASSES.values()}

# keras.losses' short aliases
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence


def get(identifier):
    """A loss from a name (function or class name), a config dict, a Loss,
    or a function `fn(y_true, y_pred)`; None stays None."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier in _FUNCTIONS:
            return _FUNCTIONS[identifier]
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        raise ValueError(
            f"Could not interpret loss identifier: "
            f"{identifier!r}; known names: "
            f"{sorted(_FUNCTIONS) + sorted(_CLASSES)}"
        )
    if isinstance(identifier, dict):
        cls = _CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(
                f"Unknown loss class {identifier.get('class_name')!r}"
            )
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def as_loss(identifier):
    """A Loss object (what training uses) for any identifier `get` takes:
    built-in functions become their class; other functions are wrapped and
    differentiated by the tape (they must be written with seqcore.ops)."""
    loss = get(identifier)
    if isinstance(loss, Loss):
        return loss
    if loss in _CLASS_OF:
        return _CLASS_OF[loss]()
    return LossFunctionWrapper(loss, None)


def serialize(loss):
    if isinstance(loss, Loss):
        return {
            "module": "keras.losses",
            "class_name": type(loss).__name__,
            "config": loss.get_config(),
            "registered_name": None,
        }
    return getattr(loss, "__name__", None)


def fused_output_gradient(loss, activation_name, y_true, y_pred,
                          sample_weight=None, mask=None):
    """(loss value, d loss / d z) for an output y_pred = softmax(z) or
    sigmoid(z) under the matching cross-entropy, in one pass: the softmax's
    and the loss's derivatives cancel to y - t (Keras's clipping of
    probabilities at 1e-7 only changes saturated outputs). None when the
    pair does not fuse (then the general path applies)."""
    options = getattr(loss, "_fn_kwargs", {})
    if options.get("from_logits") or options.get("label_smoothing") or \
            options.get("ignore_class") is not None or \
            options.get("axis", -1) not in (-1, y_pred.ndim - 1) or \
            loss.reduction == "none" or y_pred.ndim != 2:
        return None
    fn = getattr(loss, "fn", None)
    p = y_pred
    if activation_name == "softmax" and fn is sparse_categorical_crossentropy:
        labels = np.asarray(y_true)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.shape != p.shape[:1]:
            return None
        labels = labels.astype(np.int64, copy=False)
        if labels.size and (labels.min() < 0 or labels.max() >= p.shape[1]):
            return None                 # the general path raises the error
        rows = np.arange(p.shape[0])
        picked = p[rows, labels] / np.sum(p, axis=1)
        values = -np.log(np.clip(picked, EPSILON, 1.0 - EPSILON))
        dz = p.copy()
        dz[rows, labels] -= 1.0
    elif activation_name == "softmax" and fn is categorical_crossentropy:
        t = np.asarray(y_true, np.float32)
        if t.shape != p.shape:
            return None
        q = np.clip(p / np.sum(p, axis=1, keepdims=True), EPSILON,
                    1.0 - EPSILON)
        values = -np.sum(t * np.log(q), axis=1)
        dz = p * np.sum(t, axis=1, keepdims=True) - t
    elif activation_name == "sigmoid" and fn is binary_crossentropy:
        t = np.asarray(y_true, np.float32)
        if t.shape != p.shape:
            return None
        q = np.clip(p, EPSILON, 1.0 - EPSILON)
        values = -np.mean(t * np.log(q) + (1.0 - t) * np.log(1.0 - q),
                          axis=1)
        dz = (p - t) / np.float32(p.shape[1])
    else:
        return None
    value = loss._reduce(values, sample_weight, mask)
    scale = loss._reduction_scale(values.shape, np.float32, sample_weight,
                                  mask)
    dz *= scale.astype(np.float32)[:, np.newaxis]
    return float(value), dz.astype(np.float32, copy=False)
