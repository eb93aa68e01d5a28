"""The classic loss classes of keras.losses: each names its per-sample
function and hand-written gradient (regression.py, probabilistic.py)."""
from seqcore.losses.base import BuiltinLoss
from seqcore.losses.probabilistic import (
    _binary_crossentropy_grad, _categorical_crossentropy_grad,
    _categorical_hinge_grad, _hinge_grad, _kl_divergence_grad,
    _sparse_categorical_crossentropy_grad, _squared_hinge_grad,
    binary_crossentropy, categorical_crossentropy, categorical_hinge, hinge,
    kl_divergence, sparse_categorical_crossentropy, squared_hinge)
from seqcore.losses.regression import (
    _cosine_similarity_grad, _huber_grad, _log_cosh_grad,
    _mean_absolute_error_grad, _mean_absolute_percentage_error_grad,
    _mean_squared_error_grad, _mean_squared_logarithmic_error_grad,
    _poisson_grad, cosine_similarity, huber, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson)

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
