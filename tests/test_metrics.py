"""Metrics: accumulated results against Keras 3 over two batches (the second
weighted), reset, lookup and functional forms."""
import pathlib

import numpy as np
import pytest

from seqcore import metrics
from tests.fixtures.loss_cases import SAMPLE_WEIGHT, make
from tests.fixtures.metric_cases import CASES

KERAS = np.load(pathlib.Path(__file__).parent / "fixtures" /
                "keras_metrics.npz")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_results_match_keras(case):
    name, class_name, options, true_kind, pred_kind = case
    metric = getattr(metrics, class_name)(**options)
    metric.update_state(make(true_kind, 3), make(pred_kind, 4))
    np.testing.assert_allclose(metric.result(), KERAS[f"{name}/first"],
                               rtol=1e-5, atol=1e-6)
    metric.update_state(make(true_kind, 5), make(pred_kind, 6),
                        sample_weight=SAMPLE_WEIGHT)
    np.testing.assert_allclose(metric.result(), KERAS[f"{name}/both"],
                               rtol=1e-5, atol=1e-6)
    metric.reset_state()
    metric.update_state(make(true_kind, 3), make(pred_kind, 4))
    np.testing.assert_allclose(metric.result(), KERAS[f"{name}/first"],
                               rtol=1e-5, atol=1e-6)


def test_call_updates_the_state_then_returns_the_result():
    # Keras 3: metric(...) is update_state(...) then result().
    metric = metrics.BinaryAccuracy()
    metric.update_state([[1], [0]], [[0.9], [0.8]])
    assert metric([[1], [1]], [[0.9], [0.8]]) == 0.75
    assert metric.result() == 0.75


def test_lookup_and_custom_functions():
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    acc = metrics.get("categorical_accuracy")
    assert acc.name == "categorical_accuracy"

    def mean_pred(y_true, y_pred):
        return np.mean(y_pred, axis=-1)

    custom = metrics.get(mean_pred)
    assert custom.name == "mean_pred"
    custom.update_state(np.zeros((2, 2)), np.array([[1.0, 3.0], [2.0, 2.0]]))
    assert custom.result() == 2.0
    assert custom(np.zeros((1, 2)), np.array([[5.0, 7.0]])) == \
        np.float32(10.0 / 3.0)
    assert custom.result() == np.float32(10.0 / 3.0)
    mean = metrics.Mean()
    mean.update_state([1.0, 2.0])
    assert mean([10.0]) == 13.0 / 3.0 and mean.result() == 13.0 / 3.0
    # Numbers (the loss tracker's per-step loss, weighted by the batch
    # size) take a shortcut that must keep the array path's state.
    numbers, arrays = metrics.Mean(), metrics.Mean()
    for value, weight in ((0.1, 128), (np.float32(2.7), None),
                          (np.float64(1e-3), np.int64(7)), (3, 2.5)):
        numbers.update_state(value, sample_weight=weight)
        arrays.update_state(np.array(value),
                            sample_weight=None if weight is None
                            else np.array(weight))
    assert numbers.total.numpy().dtype == np.float32
    np.testing.assert_array_equal(numbers.total.numpy(),
                                  arrays.total.numpy())
    np.testing.assert_array_equal(numbers.count.numpy(), 138.5)
    assert numbers.result() == arrays.result()
    with pytest.raises(ValueError, match="Could not interpret metric "
                                         "identifier: 'acuracy'"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)


def test_functional_forms():
    y_true = np.array([[0, 1, 0], [1, 0, 0]])
    y_pred = np.array([[0.1, 0.7, 0.2], [0.2, 0.5, 0.3]])
    np.testing.assert_array_equal(metrics.categorical_accuracy(y_true, y_pred),
                                  [1, 0])
    np.testing.assert_array_equal(
        metrics.top_k_categorical_accuracy(y_true, y_pred, k=2), [1, 0])
    np.testing.assert_array_equal(
        metrics.sparse_categorical_accuracy([1, 2], y_pred), [1, 0])
