"""Helpers for the scikit-learn wrappers: optional import, checks, reshaper.

scikit-learn is imported here inside a try; when it is missing, stand-in
base classes keep the wrapper classes definable and the wrappers' __init__
raises ImportError through `require_sklearn`.
"""
import numpy as np

try:
    import sklearn
    from sklearn.base import (BaseEstimator, ClassifierMixin, RegressorMixin,
                              TransformerMixin)
except ImportError:  # scikit-learn is optional
    sklearn = None

    class BaseEstimator:  # noqa: D101  (stand-in when sklearn is missing)
        pass

    class ClassifierMixin:  # noqa: D101
        pass

    class RegressorMixin:  # noqa: D101
        pass

    class TransformerMixin:  # noqa: D101
        pass


def require_sklearn(owner_name):
    """Raise ImportError naming scikit-learn when it is not installed.

    Args:
        owner_name: the class name that needs it (for the message).
    """
    if sklearn is None:
        raise ImportError(
            f"{owner_name} requires `scikit-learn` to be installed. "
            "Run `pip install scikit-learn` to install it.")


def validate_data(estimator, *args, **kwargs):
    """scikit-learn's input validation (checks X/y, records n_features_in_).

    Uses `sklearn.utils.validation.validate_data` (scikit-learn >= 1.6) or
    the older `BaseEstimator._validate_data` method.
    """
    try:
        from sklearn.utils.validation import validate_data as _validate
    except ImportError:
        return estimator._validate_data(*args, **kwargs)
    return _validate(estimator, *args, **kwargs)


def target_type(y):
    """scikit-learn's `type_of_target(y)`, with "unknown" an error.

    Raises:
        ValueError: when scikit-learn cannot tell what kind of target y is.
    """
    from sklearn.utils.multiclass import type_of_target
    kind = type_of_target(y)
    if kind == "unknown":
        raise ValueError(f"Unknown label type for data: {y!r}")
    return kind


def check_model(model):
    """Raise RuntimeError unless `model` is compiled with a loss and optimizer.

    Args:
        model: the seqcore Model the wrapper is about to fit.
    """
    if (not getattr(model, "compiled", False)
            or not getattr(model, "loss", None)
            or not getattr(model, "optimizer", None)):
        raise RuntimeError(
            "Given model needs to be compiled, and have a loss and an "
            f"optimizer; received {type(model).__name__} with compiled="
            f"{getattr(model, 'compiled', False)}.")


def routing_enabled():
    """Whether scikit-learn's metadata routing is switched on."""
    if sklearn is None:
        return False
    return bool(sklearn.get_config().get("enable_metadata_routing", False))


class TargetReshaper(TransformerMixin, BaseEstimator):
    """Turns a 1-D target (n,) into (n, 1) and back.

    Encoders such as OneHotEncoder want 2-D input; this remembers the rank
    it was fitted on so `inverse_transform` can restore it.

    Attributes:
        ndim_: the rank of the y it was fitted on.
    """

    def fit(self, y):
        """Remember y's rank. Args: y: array (n,) or (n, k). Returns self."""
        self.ndim_ = np.ndim(y)
        return self

    def transform(self, y):
        """(n,) -> (n, 1); higher ranks unchanged. Args: y: an array."""
        y = np.asarray(y)
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        """(n, 1) -> (n,) when fitted on a 1-D target. Args: y: an array."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        y = np.asarray(y)
        if self.ndim_ == 1 and y.ndim == 2:
            return np.squeeze(y, axis=1)
        return y
