"""keras.losses: every loss of Keras 3.15 as a function and a class, with
the gradients training needs.

Files by purpose:
    base.py            Loss, LossFunctionWrapper, reductions, masks, the
                       tape fallback for user losses
    regression.py      classic regression losses and their gradients
    probabilistic.py   classic cross-entropies, hinges, KL divergence
    classes.py         the classic loss classes
    declare.py         loss_class: a built-in loss class from its function,
                       gradient and options
    focal.py           Binary/CategoricalFocalCrossentropy
    segmentation.py    Dice, Tversky
    similarity.py      Circle
    sequence.py        CTC (over seqcore.ops.ctc_loss)
    generalized.py     CategoricalGeneralizedCrossEntropy
    fused.py           the softmax/sigmoid + cross-entropy output gradient
    lookup.py          get, as_loss, serialize, deserialize
See docs/losses.md for the catalogue.
"""
from seqcore.losses.base import (  # noqa: F401
    EPSILON, REDUCTIONS, BuiltinLoss, Loss, LossFunctionWrapper,
    standardize_reduction, tape_gradient)
from seqcore.losses.regression import (  # noqa: F401
    cosine_similarity, huber, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error,
    mean_squared_logarithmic_error, poisson)
from seqcore.losses.probabilistic import (  # noqa: F401
    binary_crossentropy, categorical_crossentropy, categorical_hinge, hinge,
    kl_divergence, sparse_categorical_crossentropy, squared_hinge)
from seqcore.losses.classes import (  # noqa: F401
    BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge,
    CosineSimilarity, Hinge, Huber, KLDivergence, LogCosh,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
    MeanSquaredLogarithmicError, Poisson, SparseCategoricalCrossentropy,
    SquaredHinge)
from seqcore.losses.focal import (  # noqa: F401
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
    binary_focal_crossentropy, categorical_focal_crossentropy)
from seqcore.losses.segmentation import Dice, Tversky, dice, tversky  # noqa
from seqcore.losses.similarity import Circle, circle  # noqa: F401
from seqcore.losses.sequence import CTC, ctc  # noqa: F401
from seqcore.losses.generalized import (  # noqa: F401
    CategoricalGeneralizedCrossEntropy,
    categorical_generalized_cross_entropy)
from seqcore.losses.fused import fused_output_gradient  # noqa: F401
from seqcore.losses.lookup import (  # noqa: F401
    _CLASSES, as_loss, deserialize, get, serialize)

# keras.losses' short and Keras 2 names
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
_CLASS_OF = {cls.fn: cls for cls in _CLASSES.values()}


def _traced_functions():
    """The classic loss functions, differentiable when a custom layer or a
    compute_loss override calls them on traced values in training."""
    from seqcore.losses.base import traced_loss_function
    found = {}
    for cls in _CLASSES.values():
        fn = getattr(cls, "fn", None)
        name = getattr(fn, "__name__", None)
        if fn is not None and globals().get(name) is fn:
            found[name] = traced_loss_function(fn, cls)
    return found


def _publish_traced(found):
    """Put the tape-aware forms in this namespace and behind get()."""
    from seqcore.losses import lookup
    globals().update(found)
    by_function = {f.__wrapped__: f for f in found.values()}
    for key, fn in list(lookup._FUNCTIONS.items()):
        if fn in by_function:
            lookup._FUNCTIONS[key] = by_function[fn]


_publish_traced(_traced_functions())
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

__all__ = [
    "Loss", "LossFunctionWrapper", "BuiltinLoss", "EPSILON", "REDUCTIONS",
    "standardize_reduction", "tape_gradient", "get", "as_loss",
    "serialize", "deserialize", "fused_output_gradient",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "CosineSimilarity", "Huber", "LogCosh",
    "Poisson", "KLDivergence", "Hinge", "SquaredHinge", "CategoricalHinge",
    "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "BinaryFocalCrossentropy",
    "CategoricalFocalCrossentropy", "Dice", "Tversky", "Circle", "CTC",
    "CategoricalGeneralizedCrossEntropy",
    "mean_squared_error", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
    "cosine_similarity", "huber", "log_cosh", "poisson", "kl_divergence",
    "hinge", "squared_hinge", "categorical_hinge", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy", "dice",
    "tversky", "circle", "ctc", "categorical_generalized_cross_entropy",
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
    "kullback_leibler_divergence", "logcosh",
]
