"""keras.wrappers: scikit-learn estimators around seqcore models.

scikit-learn is optional. This package imports it only when one of the
wrapper names is first looked up, so `import seqcore` never pays for it;
constructing a wrapper without scikit-learn raises ImportError.
"""
_NAMES = ("SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer")

__all__ = list(_NAMES)


def __getattr__(name):
    if name in _NAMES:
        from seqcore.wrappers import sklearn_wrapper
        return getattr(sklearn_wrapper, name)
    raise AttributeError(
        f"module 'seqcore.wrappers' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_NAMES))
