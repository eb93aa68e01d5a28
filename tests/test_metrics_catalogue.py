"""Keras 3's metrics catalogue against Keras 3.15 (fixtures from
tests/fixtures/make_metrics_fixtures.py): results after several
update_state calls with and without sample weights, after reset_state,
on all-zero and single-class inputs, the state variables, configs, name
lookup, error types, and the logs of fit / evaluate with compiled
metrics."""
import json
import pathlib
import re

import numpy as np
import pytest

import seqcore
from seqcore import metrics
from seqcore.engine import masking
from tests.fixtures import metric_catalogue_cases as shared

HERE = pathlib.Path(__file__).parent / "fixtures"
DATA = np.load(HERE / "keras_metrics_catalogue.npz")
INFO = json.loads((HERE / "keras_metrics_catalogue.json").read_text())
CASES = INFO["cases"]
IDS = [c["name"] for c in CASES]
RTOL, ATOL = 1e-6, 1e-7


def close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64),
                               np.asarray(expected, dtype=np.float64),
                               rtol=rtol, atol=atol, equal_nan=True)


def _make(case):
    return getattr(metrics, case["class_name"])(**case["kwargs"])


def _get(key):
    return DATA[key] if key in DATA.files else None


def _update(metric, y_true, y_pred, weight):
    if y_pred is None:      # Mean and Sum take values
        metric.update_state(y_true, sample_weight=weight)
    else:
        metric.update_state(y_true, y_pred, sample_weight=weight)


def _batch(tag, seed):
    return (DATA[f"{tag}/y_true_{seed}"], _get(f"{tag}/y_pred_{seed}"),
            _get(f"{tag}/weight_{seed}"))


def _strip_counter(name):
    """Keras's auto names carry a global counter (`auc_3`)."""
    return re.sub(r"_\d+$", "", name)


# ---- results ----------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:You are passing weight as `float`")
@pytest.mark.parametrize("weighted", ["plain", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_results_after_each_update_match_keras(case, weighted):
    tag = f"{case['name']}/{weighted}"
    metric = _make(case)
    for i, seed in enumerate(case["seeds"]):
        _update(metric, *_batch(tag, seed))
        close(metric.result(), DATA[f"{tag}/results"][i])
    # the state, variable by variable, in Keras's order
    assert len(metric.variables) == len(case["variables"])
    # (float32 sums: the state agrees to 1e-6 of its largest entry; Keras's
    # own true negatives at a threshold can be -1e-6 where the count is 0)
    for i, variable in enumerate(metric.variables):
        want = DATA[f"{tag}/variable_{i}"]
        close(variable.numpy(), want,
              atol=1e-6 * max(1.0, float(np.max(np.abs(want), initial=0))))
    metric.reset_state()
    _update(metric, *_batch(tag, case["seeds"][0]))
    close(metric.result(), DATA[f"{tag}/after_reset"])


@pytest.mark.parametrize("variant", ["zero", "single"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_all_zero_and_single_class_inputs_match_keras(case, variant):
    metric = _make(case)
    key = f"{case['name']}/{variant}"
    with np.errstate(all="ignore"):
        _update(metric, DATA[f"{key}/y_true"], _get(f"{key}/y_pred"), None)
        close(metric.result(), DATA[f"{key}/result"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_calling_a_metric_updates_then_returns_the_result(case):
    metric = _make(case)
    y, p, _ = _batch(f"{case['name']}/plain", case["seeds"][0])
    value = metric(y) if p is None else metric(y, p)
    close(value, DATA[f"{case['name']}/call"])
    close(metric.result(), DATA[f"{case['name']}/call_then_result"])


# ---- configs, variables, dtypes ---------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_variables_and_dtype_match_keras(case):
    metric = _make(case)
    y, p, _ = _batch(f"{case['name']}/plain", case["seeds"][0])
    _update(metric, y, p, None)        # builds the lazily built ones
    config = metric.get_config()
    want = dict(case["config"])
    assert _strip_counter(config.pop("name")) == \
        _strip_counter(want.pop("name"))
    assert json.loads(json.dumps(config)) == want
    assert metric.dtype == case["dtype"]
    assert [[v.name, list(v.shape), v.dtype] for v in metric.variables] == \
        case["variables"]
    assert all(not v.trainable for v in metric.variables)
    rebuilt = type(metric).from_config(metric.get_config())
    assert rebuilt.get_config() == metric.get_config()
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric)
    assert again.get_config() == metric.get_config()


def test_variable_paths_name_the_metric():
    metric = metrics.Precision(name="prec")
    assert [v.path for v in metric.variables] == \
        ["prec/true_positives", "prec/false_positives"]


# ---- names ------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(INFO["lookup"]))
def test_get_resolves_every_keras_name_as_keras(key):
    want = INFO["lookup"][key]
    if "error" in want:     # classes that need arguments
        with pytest.raises(getattr(__builtins__, want["error"], None) or
                           TypeError):
            metrics.get(key)
        return
    metric = metrics.get(key)
    assert type(metric).__name__ == want["class_name"]
    assert _strip_counter(metric.name) == _strip_counter(want["name"])


@pytest.mark.parametrize("key", sorted(INFO["unknown"]))
def test_unknown_names_get_keras_error(key):
    assert INFO["unknown"][key] == "ValueError"
    with pytest.raises(ValueError, match="Could not interpret metric "
                                         "identifier"):
        metrics.get(key)


def test_every_keras_metrics_name_exists():
    for name in INFO["classes"] + INFO["functions"]:
        assert callable(getattr(metrics, name)), name
    for name in ("get", "serialize", "deserialize"):
        assert callable(getattr(metrics, name))


def test_get_takes_classes_instances_configs_and_functions():
    assert isinstance(metrics.get(metrics.AUC), metrics.AUC)
    auc = metrics.AUC(num_thresholds=7)
    assert metrics.get(auc) is auc
    made = metrics.get({"class_name": "FBetaScore",
                        "config": {"beta": 2.0, "average": "macro"}})
    assert isinstance(made, metrics.FBetaScore) and made.beta == 2.0
    assert metrics.get(None) is None

    def double(y_true, y_pred):
        return 2.0 * np.asarray(y_pred)[:, 0]

    wrapped = metrics.get(double)
    assert isinstance(wrapped, metrics.MeanMetricWrapper)
    assert wrapped.name == "double"
    wrapped.update_state(np.zeros((2, 1)), np.array([[1.0], [2.0]]))
    close(wrapped.result(), 3.0)
    with pytest.raises(ValueError, match="Could not interpret"):
        metrics.get(3)


def test_mean_metric_wrapper_config_names_its_function():
    metric = metrics.MeanMetricWrapper(metrics.binary_accuracy,
                                       threshold=0.7)
    config = metric.get_config()
    assert config["fn"]["config"] == "binary_accuracy"
    assert config["threshold"] == 0.7
    again = metrics.MeanMetricWrapper.from_config(config)
    y, p = np.array([[1.0], [0.0]]), np.array([[0.8], [0.6]])
    close(again(y, p), 1.0)


# ---- bad arguments and shapes -----------------------------------------------

def _bad(name):
    return shared.bad_arguments(seqcore)[name]


# Keras on JAX reports mismatched shapes through the backend's broadcasting
# (a TypeError); seqcore checks them first and raises ValueError, the type
# Keras's own shape checks use.
SHAPE_CASES = ("mse_shapes", "rmse_shapes")


@pytest.mark.parametrize("name", sorted(INFO["errors"]))
def test_bad_arguments_and_shapes_raise_keras_error_types(name):
    want = INFO["errors"][name]
    assert want is not None
    kinds = (ValueError, TypeError) if name in SHAPE_CASES else \
        {"ValueError": ValueError, "TypeError": TypeError}[want]
    with pytest.raises(kinds) as info:
        _bad(name)()
    assert str(info.value)


def test_bad_inputs_name_what_was_expected():
    with pytest.raises(ValueError, match=r"y_pred\.shape=\(6, 3\)"):
        metrics.RootMeanSquaredError().update_state(np.zeros((6, 4)),
                                                    np.zeros((6, 3)))
    with pytest.raises(ValueError, match="same shape"):
        metrics.Precision().update_state(np.zeros((6, 4)), np.zeros((6, 3)))
    with pytest.raises(ValueError, match="sample_weight"):
        metrics.Mean().update_state(np.zeros((6, 4)),
                                    sample_weight=np.ones(5))


# ---- masks ------------------------------------------------------------------

def test_output_masks_weigh_mean_metrics_and_not_confusion_metrics():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (3, 5, 1)).astype(np.float32)
    p = rng.uniform(0, 1, (3, 5, 1)).astype(np.float32)
    mask = rng.uniform(size=(3, 5)) > 0.4
    weight = np.array([1.0, 0.5, 2.0], np.float32)
    metric = metrics.BinaryCrossentropy()
    metric._update_masked(y, p, weight[:, None], mask)
    values = metrics.binary_crossentropy(y, p)               # (3, 5)
    w = mask * weight[:, None]
    close(metric.result(), np.sum(values * w) / np.sum(w), rtol=1e-6)
    assert masking.metric_weights(None, None) is None
    counts = metrics.TruePositives()
    counts._update_masked(y, p, None, mask)     # Keras: not masked
    close(counts.result(), np.sum((p > 0.5) & (y > 0)))


# ---- fit / evaluate with compiled metrics -----------------------------------

# metrics compiled as instances with auto names (`binary_io_u_4`) log
# under that name, whose counter depends on what was made before
AUTO_NAMED = re.compile(r"(io_u|at_sensitivity)_\d+$")


def _logs_close(got, want, what):
    got = {_strip_counter(k) if AUTO_NAMED.search(k) else k: v
           for k, v in got.items()}
    want = {_strip_counter(k) if AUTO_NAMED.search(k) else k: v
            for k, v in want.items()}
    assert sorted(got) == sorted(want), what
    for key in want:
        close(np.asarray(got[key], np.float64), want[key], rtol=1e-6,
              atol=1e-7)


@pytest.mark.parametrize("kind", ["categorical", "binary"])
def test_fit_and_evaluate_log_compiled_metrics_as_keras(kind):
    want = INFO["fit"][kind]
    model = shared.model(seqcore, kind)
    model.compile(**shared.compile_arguments(seqcore, kind))
    n = len(model.get_weights())
    model.set_weights([DATA[f"fit/{kind}/weight_{i}"] for i in range(n)])
    key = f"fit/{kind}"
    history = model.fit(DATA[f"{key}/x"], DATA[f"{key}/y"], batch_size=8,
                        epochs=2, shuffle=False,
                        sample_weight=_get(f"{key}/sample_weight"),
                        validation_data=(DATA[f"{key}/x_val"],
                                         DATA[f"{key}/y_val"]), verbose=0)
    _logs_close(history.history, want["history"], "history")
    evaluated = model.evaluate(DATA[f"{key}/x_val"], DATA[f"{key}/y_val"],
                               batch_size=8, verbose=0, return_dict=True)
    _logs_close(evaluated, want["evaluate"], "evaluate")


def test_a_keras_model_saved_with_metrics_loads_and_evaluates_them():
    model = seqcore.saving.load_model(HERE / "saved" /
                                      "metrics_compiled.keras")
    x, y = DATA["fit/categorical/x_val"], DATA["fit/categorical/y_val"]
    evaluated = model.evaluate(x, y, batch_size=8, verbose=0,
                               return_dict=True)
    _logs_close(evaluated, INFO["fit"]["saved_evaluate"], "saved evaluate")


# ---- the function forms -----------------------------------------------------

FUNCTION_CASES = INFO["function_cases"]


@pytest.mark.parametrize("key,name,kwargs", FUNCTION_CASES,
                         ids=[c[0] for c in FUNCTION_CASES])
def test_function_forms_match_keras(key, name, kwargs):
    fn = getattr(metrics, name)
    value = fn(DATA[f"function/{key}/y_true"], DATA[f"function/{key}/y_pred"],
               **kwargs)
    want = DATA[f"function/{key}/value"]
    assert np.shape(value) == want.shape
    close(value, want)


def test_iou_warns_about_float_weights_with_an_int_dtype_as_keras():
    metric = metrics.MeanIoU(num_classes=2)
    with pytest.warns(UserWarning, match="weight as `float`"):
        metric.update_state([0, 1, 1], [0, 1, 0],
                            sample_weight=np.array([1.0, 0.5, 2.0]))
    # 0.5 truncates to 0, as in Keras's int32 state
    np.testing.assert_array_equal(metric.total_cm.numpy(), [[1, 0], [2, 0]])
    assert metric.total_cm.dtype == "int32"


def test_stateless_api_leaves_the_metric_untouched():
    metric = metrics.Precision(thresholds=[0.3, 0.6])
    metric.update_state([1, 0, 1], [0.9, 0.5, 0.2])
    kept = [v.numpy() for v in metric.variables]
    state = metric.stateless_reset_state()
    assert [s.tolist() for s in state] == [[0, 0], [0, 0]]
    state = metric.stateless_update_state(state, [1, 1, 0], [0.7, 0.4, 0.8])
    np.testing.assert_array_equal(state[0], [2, 1])     # true positives
    np.testing.assert_array_equal(state[1], [1, 1])     # false positives
    close(metric.stateless_result(state), [2 / 3, 0.5])
    for v, before in zip(metric.variables, kept):
        np.testing.assert_array_equal(v.numpy(), before)
    with pytest.raises(ValueError, match="1:1"):
        metric.stateless_result(state[:1])


class _BinaryTruePositives(metrics.Metric):
    """The subclassing example of Keras's Metric docs, on seqcore.ops."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_weight(shape=(), initializer="zeros",
                                              name="true_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        ops = seqcore.ops
        hit = ops.logical_and(ops.cast(y_true, "bool"),
                              ops.greater(y_pred, 0.5))
        self.true_positives.assign_add(ops.sum(ops.cast(hit, self.dtype)))

    def result(self):
        return self.true_positives


def test_a_subclassed_metric_runs_in_fit_and_evaluate():
    rng = np.random.default_rng(2)
    x = rng.uniform(size=(20, 4)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 2.0).astype("float32")
    model = shared.model(seqcore, "binary")
    model.compile("sgd", "binary_crossentropy",
                  metrics=[_BinaryTruePositives(), "f1_score"])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert sorted(history.history) == ["binary_true_positives", "f1_score",
                                       "loss"]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    assert logs["binary_true_positives"] == np.sum((p > 0.5) & (y > 0))
    assert np.shape(logs["f1_score"]) == (1,)     # one score per class
    metric = model._compiled.metrics[0][1]
    assert [v.path for v in metric.variables] == \
        ["binary_true_positives/true_positives"]
