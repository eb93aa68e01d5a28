"""keras.StatelessScope and the stateless API built on it (Layer /
Model.stateless_call, Metric.stateless_*, Optimizer.stateless_apply):
results equal to the stateful calls on the same values, and no variable
changes."""
import numpy as np
import pytest

import seqcore as keras


def _model():
    keras.utils.set_random_seed(3)
    return keras.Sequential([
        keras.Input((3,)), keras.layers.Dense(4),
        keras.layers.BatchNormalization(momentum=0.5), keras.layers.Dense(1)])


def _values(variables):
    return [v.numpy() for v in variables]


def test_scope_maps_reads_records_assignments_and_changes_nothing():
    v = keras.Variable(np.ones((2,), np.float32), name="v")
    u = keras.Variable(np.zeros((2,), np.float32), name="u")
    given = np.array([5.0, 6.0], np.float32)
    with keras.StatelessScope([(v, given)]) as scope:
        np.testing.assert_array_equal(v.value, [5.0, 6.0])
        v.assign([7.0, 8.0])
        np.testing.assert_array_equal(v.numpy(), [7.0, 8.0])
        u.assign_add(np.ones(2))
        assert scope.get_current_value(u) is not None
    np.testing.assert_array_equal(v.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(u.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(given, [5.0, 6.0])      # the caller's array
    np.testing.assert_array_equal(scope.get_current_value(v), [7.0, 8.0])
    np.testing.assert_array_equal(scope.get_current_value(u), [1.0, 1.0])
    with pytest.raises(ValueError, match="must be Variable instances"):
        keras.StatelessScope([(np.ones(2), np.ones(2))])
    with pytest.raises(ValueError, match="shape that matches"):
        keras.StatelessScope([(v, np.ones(3))])


def test_stateless_call_equals_the_stateful_call_on_those_values():
    model = _model()
    x = np.random.default_rng(0).random((8, 3)).astype(np.float32)
    trainable = [np.full_like(w, 0.1 * (i + 1))
                 for i, w in enumerate(_values(model.trainable_variables))]
    non_trainable = _values(model.non_trainable_variables)
    before = _values(model.weights)
    out, new_non_trainable = model.stateless_call(
        trainable, non_trainable, x, training=True)
    for a, b in zip(before, _values(model.weights)):
        np.testing.assert_array_equal(a, b)               # nothing moved
    reference = _model()
    for variable, value in zip(reference.trainable_variables, trainable):
        variable.assign(value)
    want = reference(x, training=True)
    np.testing.assert_allclose(out, want, rtol=1e-6)
    for got, variable in zip(new_non_trainable,
                             reference.non_trainable_variables):
        np.testing.assert_allclose(got, variable.numpy(), rtol=1e-6)
    assert not np.allclose(new_non_trainable[0], non_trainable[0])
    with pytest.raises(ValueError, match="corresponding 1:1"):
        model.stateless_call(trainable[:1], non_trainable, x)
    with pytest.raises(ValueError, match="must be built"):
        keras.layers.Dense(2).stateless_call([], [], x)


def test_metric_stateless_api():
    metric = keras.metrics.Mean()
    state = metric.stateless_update_state(
        [np.float32(10.0), np.float32(2.0)], np.array([4.0, 6.0]))
    np.testing.assert_allclose(state, [20.0, 4.0])
    assert float(metric.result()) == 0.0
    assert float(metric.stateless_result(state)) == pytest.approx(5.0)
    metric.update_state(3.0)
    np.testing.assert_array_equal(metric.stateless_reset_state(), [0.0, 0.0])
    assert float(metric.result()) == 3.0


def test_optimizer_stateless_apply_equals_apply_gradients():
    weights = [keras.Variable(np.ones((2, 2), np.float32), name="w"),
               keras.Variable(np.zeros((2,), np.float32), name="b")]
    optimizer = keras.optimizers.Adam(0.1)
    optimizer.build(weights)
    start = _values(optimizer.variables)
    grads = [np.full((2, 2), 0.5, np.float32), np.array([1.0, -1.0],
                                                         np.float32)]
    values = [np.full((2, 2), 2.0, np.float32), np.array([3.0, 4.0],
                                                          np.float32)]
    new_values, new_state = optimizer.stateless_apply(start, grads, values)
    np.testing.assert_array_equal(weights[0].numpy(), np.ones((2, 2)))
    assert optimizer.iterations == 0
    for variable, value in zip(weights, values):
        variable.assign(value)
    optimizer.apply_gradients(zip(grads, weights))
    for got, variable in zip(new_values, weights):
        np.testing.assert_array_equal(got, variable.numpy())
    for got, want in zip(new_state, _values(optimizer.variables)):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="must be built"):
        keras.optimizers.SGD().stateless_apply([], grads, values)
