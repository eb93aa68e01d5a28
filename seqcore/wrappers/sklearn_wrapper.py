"""SKLearnClassifier / SKLearnRegressor / SKLearnTransformer (keras.wrappers).

Each wraps a compiled seqcore Model, or a callable `model(X=..., y=...,
**model_kwargs)` that builds and compiles one, as a scikit-learn estimator:
`fit`, `predict`, `score`, `get_params`/`set_params`, `sklearn.base.clone`,
and use inside a `Pipeline`. X is (n_samples, n_features); y is (n_samples,)
or (n_samples, n_outputs).
"""
import copy

import numpy as np

from seqcore.wrappers._sklearn_utils import (BaseEstimator, ClassifierMixin,
                                             RegressorMixin, TargetReshaper,
                                             TransformerMixin, check_model,
                                             require_sklearn, routing_enabled,
                                             sklearn, target_type,
                                             validate_data)


class SKLBase(BaseEstimator):
    """Shared machinery of the scikit-learn wrappers.

    Args:
        model: a compiled `Model` (cloned with `keras.models.clone_model`
            before each fit), or a callable returning a compiled Model; the
            callable receives `X=` and `y=` (y already encoded: one-hot for
            the classifier) plus `model_kwargs`.
        warm_start: bool, default False. When True and the wrapper was
            fitted before, `fit` continues training `model_` instead of
            building a fresh model.
        model_kwargs: dict or None: extra keyword arguments for `model`.
        fit_kwargs: dict or None: keyword arguments for `Model.fit`
            (`epochs`, `batch_size`, `verbose`, ...); keywords given to the
            wrapper's `fit` take precedence.

    Attributes:
        model_: the fitted Model.
        history_: the History that `Model.fit` returned.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None,
                 fit_kwargs=None):
        require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": True, "multioutput": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        # y may be (n_samples, n_outputs), as documented (a seqcore
        # addition: Keras 3.15 leaves sklearn's 1-D-only check on)
        tags.target_tags.multi_output = True
        return tags

    def __sklearn_clone__(self):
        """An unfitted copy with the same parameters (`sklearn.base.clone`)."""
        model = self.model if callable(self.model) else copy.deepcopy(
            self.model)
        return type(self)(model=model, warm_start=self.warm_start,
                          model_kwargs=self.model_kwargs,
                          fit_kwargs=self.fit_kwargs)

    @property
    def epoch_(self):
        """How many epochs the last fit ran (0 before fitting)."""
        history = getattr(self, "history_", None)
        return len(getattr(history, "epoch", ())) if history else 0

    def set_fit_request(self, **kwargs):
        """Declare which metadata `fit`/`score` accept (metadata routing).

        Args:
            **kwargs: `param_name=alias`, alias one of True, False, None or
                a string.

        Returns:
            self.

        Raises:
            RuntimeError: when metadata routing is not enabled in sklearn.
        """
        if not routing_enabled():
            raise RuntimeError(
                "This method is only available when metadata routing is "
                "enabled. You can enable it using "
                "sklearn.set_config(enable_metadata_routing=True).")
        from sklearn.utils.metadata_routing import MetadataRequest
        self._metadata_request = MetadataRequest(owner=type(self).__name__)
        for param, alias in kwargs.items():
            self._metadata_request.score.add_request(param=param, alias=alias)
        return self

    def _get_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        from seqcore.engine.model import Model
        if isinstance(self.model, Model):
            from seqcore.saving.cloning import clone_model
            return clone_model(self.model)
        if not callable(self.model):
            raise TypeError(
                "`model` must be a compiled keras Model or a callable that "
                f"returns one; received {type(self.model).__name__}.")
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Fit the model.

        Args:
            X: array-like (n_samples, n_features).
            y: array-like (n_samples,) or (n_samples, n_outputs).
            **kwargs: keyword arguments for `Model.fit` (override
                `fit_kwargs`).

        Returns:
            self.
        """
        X, y = validate_data(self, X, y, multi_output=True)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        check_model(model)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def predict(self, X):
        """Predictions for X, decoded back to the target's form.

        Args:
            X: array-like (n_samples, n_features).

        Returns:
            (n_samples,) or (n_samples, n_outputs) array.
        """
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self._reverse_process_target(self.model_.predict(X, verbose=0))

    def _process_target(self, y, reset=False):
        """Regression targets pass through (1-D becomes (n, 1))."""
        target_type(y)
        if reset:
            self._target_encoder = TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """scikit-learn classifier around a Keras model.

    Labels y (n_samples,) of any type are one-hot encoded to
    (n_samples, n_classes) for training, so the model should end in a
    softmax over n_classes units with a categorical loss; `predict` returns
    labels (argmax of the model's output mapped through `classes_`).

    Args:
        model, warm_start, model_kwargs, fit_kwargs: see `SKLBase`.

    Attributes:
        model_: the fitted Model. history_: the fit's History.
        classes_: (n_classes,) sorted class labels.

    Example:
        def build(X, y, hidden=16):
            inp = keras.Input((X.shape[1],))
            h = keras.layers.Dense(hidden, activation="relu")(inp)
            out = keras.layers.Dense(y.shape[1], activation="softmax")(h)
            model = keras.Model(inp, out)
            model.compile(loss="categorical_crossentropy", optimizer="adam")
            return model

        clf = SKLearnClassifier(build, fit_kwargs={"epochs": 20})
        clf.fit(X, y).score(X, y)
    """

    def decision_function(self, X):
        """The model's raw output for X, (n_samples, n_classes)."""
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X, verbose=0)

    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes), columns in `classes_`
        order: the model's output, so its last layer should be a softmax.
        (A seqcore addition: Keras 3.15's wrapper has no predict_proba.)"""
        return self.decision_function(X)

    def _process_target(self, y, reset=False):
        """One-hot encodes class labels; records `classes_`."""
        kind = target_type(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                "Only binary and multiclass target types are supported. "
                f"Target type: {kind}")
        if reset:
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import OneHotEncoder
            self._target_encoder = make_pipeline(
                TargetReshaper(), OneHotEncoder(sparse_output=False)).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError(
                    "Classifier can't train when only one class is present.")
        return self._target_encoder.transform(y)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    """scikit-learn regressor around a Keras model.

    y (n_samples,) is trained as (n_samples, 1) and predictions come back as
    (n_samples,); y (n_samples, n_outputs) passes through unchanged.
    `score` is scikit-learn's R².

    Args:
        model, warm_start, model_kwargs, fit_kwargs: see `SKLBase`.

    Attributes:
        model_: the fitted Model. history_: the fit's History.
    """

    def _more_tags(self):  # scikit-learn < 1.6
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    """scikit-learn transformer around a Keras model (e.g. an embedder).

    `fit(X, y)` trains the model; `transform(X)` returns its predictions
    (n_samples, n_outputs), e.g. to feed a later Pipeline step.

    Args:
        model, warm_start, model_kwargs, fit_kwargs: see `SKLBase`.

    Attributes:
        model_: the fitted Model. history_: the fit's History.
    """

    def transform(self, X):
        """The model's output for X.

        Args:
            X: array-like (n_samples, n_features).

        Returns:
            (n_samples, ...) array of the model's predictions.
        """
        from sklearn.utils.validation import check_is_fitted
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X, verbose=0)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"preserves_dtype": []}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]
_ = sklearn  # re-exported for callers that check availability
