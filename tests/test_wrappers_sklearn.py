"""keras.wrappers: SKLearnClassifier / SKLearnRegressor / SKLearnTransformer.

scikit-learn is optional: every test that needs it skips without it.
"""
import subprocess
import sys

import numpy as np
import pytest

import seqcore as keras


def _classifier_model(X, y, hidden=16):
    inp = keras.Input((X.shape[1],))
    h = keras.layers.Dense(hidden, activation="relu")(inp)
    out = keras.layers.Dense(y.shape[1], activation="softmax")(h)
    model = keras.Model(inp, out)
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.Adam(0.05))
    return model


def _linear_model(X, y, units=None):
    inp = keras.Input((X.shape[1],))
    out = keras.layers.Dense(units or y.shape[1])(inp)
    model = keras.Model(inp, out)
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(0.1))
    return model


def _blobs(n=150, seed=0):
    """Three well separated Gaussian blobs in 4-D, string labels."""
    rng = np.random.default_rng(seed)
    centers = np.array([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0]], float)
    idx = np.arange(n) % 3
    X = centers[idx] + 0.5 * rng.standard_normal((n, 4))
    return X, np.array(["ant", "bee", "cat"])[idx]


def test_classifier_fit_predict_proba_score():
    pytest.importorskip("sklearn")
    from seqcore.wrappers import SKLearnClassifier
    keras.utils.set_random_seed(1)
    X, y = _blobs()
    clf = SKLearnClassifier(_classifier_model, model_kwargs={"hidden": 8},
                            fit_kwargs={"epochs": 30, "verbose": 0})
    assert clf.fit(X, y) is clf
    np.testing.assert_array_equal(clf.classes_, ["ant", "bee", "cat"])
    assert clf.n_features_in_ == 4 and clf.epoch_ == 30
    pred = clf.predict(X)
    assert pred.shape == (150,) and set(pred) <= set(clf.classes_)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    # predict is the argmax of the probabilities, mapped to the labels
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_array_equal(clf.decision_function(X), proba)
    score = clf.score(X, y)
    assert score == pytest.approx(np.mean(pred == y))
    assert score > 0.9  # separable blobs; chance is 1/3


def test_classifier_binary_and_bad_targets():
    pytest.importorskip("sklearn")
    from seqcore.wrappers import SKLearnClassifier
    X, y = _blobs(60)
    yb = (y == "ant").astype(int)
    clf = SKLearnClassifier(_classifier_model, fit_kwargs={"verbose": 0})
    clf.fit(X, yb)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.predict_proba(X).shape == (60, 2)
    assert clf.predict(X).shape == (60,)
    with pytest.raises(ValueError, match="binary and multiclass"):
        clf.fit(X, X[:, 0])  # continuous target
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(X, np.zeros(60, int))


def test_regressor_learns_a_linear_map():
    pytest.importorskip("sklearn")
    from sklearn.metrics import r2_score
    from seqcore.wrappers import SKLearnRegressor
    keras.utils.set_random_seed(2)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((128, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.25
    reg = SKLearnRegressor(_linear_model,
                           fit_kwargs={"epochs": 60, "verbose": 0})
    reg.fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == (128,)  # 1-D target in, 1-D predictions out
    assert reg.score(X, y) == pytest.approx(r2_score(y, pred))
    assert reg.score(X, y) > 0.98
    kernel, bias = reg.model_.layers[-1].get_weights()
    np.testing.assert_allclose(kernel[:, 0], [1.5, -2.0, 0.5], atol=0.1)
    np.testing.assert_allclose(bias, [0.25], atol=0.1)
    # 2-D targets pass through with their shape
    Y = np.stack([y, -y], axis=1)
    assert reg.fit(X, Y, epochs=1).predict(X).shape == (128, 2)
    assert reg.fit_kwargs == {"epochs": 60, "verbose": 0}  # not mutated


def test_transformer_returns_model_output():
    pytest.importorskip("sklearn")
    from seqcore.wrappers import SKLearnTransformer
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 5))
    Y = X[:, :2] * 2.0
    trs = SKLearnTransformer(_linear_model,
                             fit_kwargs={"epochs": 2, "verbose": 0})
    out = trs.fit_transform(X, Y)
    assert out.shape == (40, 2)
    kernel, bias = trs.model_.layers[-1].get_weights()
    np.testing.assert_allclose(trs.transform(X), X @ kernel + bias,
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="features"):
        trs.transform(X[:, :3])  # sklearn's n_features_in_ check


def test_clone_get_set_params():
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from seqcore.wrappers import SKLearnClassifier
    X, y = _blobs(30)
    clf = SKLearnClassifier(_classifier_model, model_kwargs={"hidden": 4},
                            fit_kwargs={"verbose": 0})
    assert clf.get_params() == {"model": _classifier_model,
                                "model_kwargs": {"hidden": 4},
                                "fit_kwargs": {"verbose": 0},
                                "warm_start": False}
    clf.fit(X, y)
    twin = clone(clf)
    assert type(twin) is SKLearnClassifier and not hasattr(twin, "model_")
    assert twin.get_params() == clf.get_params()
    twin.set_params(model_kwargs={"hidden": 3})
    twin.fit(X, y)
    assert twin.model_.layers[1].get_weights()[0].shape == (4, 3)
    assert clf.model_.layers[1].get_weights()[0].shape == (4, 4)


def test_pipeline_with_standard_scaler():
    pytest.importorskip("sklearn")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from seqcore.wrappers import SKLearnClassifier
    keras.utils.set_random_seed(5)
    X, y = _blobs(90)
    X = X * np.array([100.0, 0.01, 5.0, 1.0]) + 7.0
    pipe = make_pipeline(StandardScaler(), SKLearnClassifier(
        _classifier_model, fit_kwargs={"epochs": 30, "verbose": 0}))
    pipe.fit(X, y)
    scaler, clf = pipe[0], pipe[-1]
    Z = (X - X.mean(0)) / X.std(0)
    proba = clf.model_.predict(Z, verbose=0)
    np.testing.assert_allclose(pipe.predict_proba(X), proba, atol=1e-5)
    np.testing.assert_array_equal(pipe.predict(X),
                                  clf.classes_[proba.argmax(1)])
    np.testing.assert_allclose(scaler.mean_, X.mean(0))
    assert pipe.score(X, y) > 0.9


def test_model_instance_is_cloned_and_warm_start_reuses():
    pytest.importorskip("sklearn")
    from seqcore.wrappers import SKLearnRegressor
    X = np.random.default_rng(6).standard_normal((32, 3))
    y = X.sum(1)
    model = _linear_model(X, None, units=1)
    before = [w.copy() for w in model.get_weights()]
    reg = SKLearnRegressor(model, fit_kwargs={"verbose": 0, "epochs": 3})
    reg.fit(X, y)
    assert reg.model_ is not model
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)  # the given model is untouched
    first = reg.model_
    reg.fit(X, y)
    assert reg.model_ is not first  # cold start: a fresh clone
    warm = SKLearnRegressor(model, warm_start=True,
                            fit_kwargs={"verbose": 0, "epochs": 3})
    warm.fit(X, y)
    kept = warm.model_
    w1 = kept.get_weights()[0].copy()
    warm.fit(X, y)
    assert warm.model_ is kept
    assert not np.array_equal(kept.get_weights()[0], w1)  # trained on


def test_uncompiled_model_and_bad_model_errors():
    pytest.importorskip("sklearn")
    from seqcore.wrappers import SKLearnRegressor
    X = np.ones((8, 2))
    y = np.ones(8)

    def uncompiled(X, y):
        return keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])

    with pytest.raises(RuntimeError, match="needs to be compiled"):
        SKLearnRegressor(uncompiled).fit(X, y)
    with pytest.raises(TypeError, match="callable"):
        SKLearnRegressor("not a model").fit(X, y)
    with pytest.raises(RuntimeError, match="metadata routing"):
        SKLearnRegressor(uncompiled).set_fit_request(sample_weight=True)


def test_without_sklearn_construction_raises(monkeypatch):
    pytest.importorskip("sklearn")
    from seqcore.wrappers import _sklearn_utils, SKLearnTransformer
    monkeypatch.setattr(_sklearn_utils, "sklearn", None)
    with pytest.raises(ImportError, match="SKLearnTransformer requires "
                                          "`scikit-learn`"):
        SKLearnTransformer(_linear_model)


def test_import_seqcore_does_not_import_sklearn():
    code = ("import sys, seqcore as keras; "
            "assert 'sklearn' not in sys.modules; "
            "assert 'SKLearnClassifier' in dir(keras.wrappers); "
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        keras.wrappers.Nope
