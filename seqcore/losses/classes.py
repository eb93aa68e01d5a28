"""The classic loss classes of keras.losses, declared (declare.py) by the
per-sample function and hand-written gradient each one names
(regression.py, probabilistic.py) and its options."""
from seqcore.losses.declare import loss_class
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

_CROSSENTROPY = (("from_logits", False), ("label_smoothing", 0.0),
                 ("axis", -1))


def _declare(class_name, fn, grad, options=(), default_name=None):
    """The class `class_name` computing `fn` (its name the loss's default
    name unless `default_name`) with the gradient `grad`."""
    name = default_name or fn.__name__
    doc = (f"keras.losses.{class_name}: `{fn.__name__}` per sample, "
           f"reduced; hand-written gradient.")
    return loss_class(class_name, fn, grad, name, options, doc=doc,
                      module=__name__)


MeanSquaredError = _declare("MeanSquaredError", mean_squared_error,
                            _mean_squared_error_grad)
MeanAbsoluteError = _declare("MeanAbsoluteError", mean_absolute_error,
                             _mean_absolute_error_grad)
MeanAbsolutePercentageError = _declare(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    _mean_absolute_percentage_error_grad)
MeanSquaredLogarithmicError = _declare(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    _mean_squared_logarithmic_error_grad)
BinaryCrossentropy = _declare("BinaryCrossentropy", binary_crossentropy,
                              _binary_crossentropy_grad, _CROSSENTROPY)
CategoricalCrossentropy = _declare(
    "CategoricalCrossentropy", categorical_crossentropy,
    _categorical_crossentropy_grad, _CROSSENTROPY)
SparseCategoricalCrossentropy = _declare(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    _sparse_categorical_crossentropy_grad,
    (("from_logits", False), ("ignore_class", None), ("axis", -1)))
Hinge = _declare("Hinge", hinge, _hinge_grad)
SquaredHinge = _declare("SquaredHinge", squared_hinge, _squared_hinge_grad)
CategoricalHinge = _declare("CategoricalHinge", categorical_hinge,
                            _categorical_hinge_grad)
Huber = _declare("Huber", huber, _huber_grad, (("delta", 1.0),),
                 default_name="huber_loss")
LogCosh = _declare("LogCosh", log_cosh, _log_cosh_grad)
KLDivergence = _declare("KLDivergence", kl_divergence, _kl_divergence_grad)
Poisson = _declare("Poisson", poisson, _poisson_grad)
CosineSimilarity = _declare("CosineSimilarity", cosine_similarity,
                            _cosine_similarity_grad, (("axis", -1),))
