"""PolynomialDecay and CosineDecayRestarts: values at many steps against
Keras 3.15 (make_funcs_fixtures.py), config round trips, errors, and use
as an optimizer's learning rate in fit."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore.optimizers import schedules
from tests.fixtures.funcs_cases import SCHEDULE_STEPS, SCHEDULES

HERE = pathlib.Path(__file__).parent / "fixtures"
KERAS = np.load(HERE / "keras_funcs.npz")
CONFIGS = json.loads((HERE / "keras_funcs.json").read_text())


@pytest.mark.parametrize("case", SCHEDULES, ids=[c[0] for c in SCHEDULES])
def test_values_match_keras(case):
    name, class_name, kwargs = case
    schedule = getattr(schedules, class_name)(**kwargs)
    np.testing.assert_array_equal(KERAS["sched/steps"], SCHEDULE_STEPS)
    got = np.array([schedule(step) for step in SCHEDULE_STEPS])
    # Keras computes in float32
    np.testing.assert_allclose(got, KERAS[f"sched/{name}"], rtol=3e-6,
                               atol=1e-8)


@pytest.mark.parametrize("case", SCHEDULES, ids=[c[0] for c in SCHEDULES])
def test_config_round_trip_matches_keras(case):
    name, class_name, kwargs = case
    schedule = getattr(schedules, class_name)(**kwargs)
    assert schedules.serialize(schedule) == CONFIGS["sched"][name]
    clone = schedules.deserialize(CONFIGS["sched"][name])
    assert type(clone) is type(schedule)
    assert [clone(s) for s in range(0, 200, 7)] == \
        [schedule(s) for s in range(0, 200, 7)]


def test_restarts_periods_and_floor():
    s = schedules.CosineDecayRestarts(1.0, 10, t_mul=2.0, m_mul=0.5,
                                      alpha=0.1)
    # restarts at 10 and 10 + 20 = 30, each at half the previous peak
    assert s(0) == pytest.approx(1.0)
    assert s(10) == pytest.approx(0.1 + 0.9 * 0.5)
    assert s(30) == pytest.approx(0.1 + 0.9 * 0.25)
    assert s(20) == pytest.approx(0.1 + 0.9 * 0.5 * 0.5)   # mid period 2
    assert s(29.999) == pytest.approx(0.1, abs=1e-6)


def test_polynomial_cycle_and_clamp():
    s = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0)
    assert s(5) == pytest.approx(0.5) and s(50) == 0.0
    c = schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0,
                                  cycle=True)
    assert c(0) == 1.0 and c(10) == 0.0
    assert c(15) == pytest.approx(0.25)       # decay_steps grows to 20


def test_errors():
    with pytest.raises(ValueError, match="`decay_steps` must be > 0"):
        schedules.PolynomialDecay(0.1, 0)
    with pytest.raises(ValueError, match="`first_decay_steps` must be > 0"):
        schedules.CosineDecayRestarts(0.1, -3)


@pytest.mark.parametrize("schedule", [
    schedules.PolynomialDecay(0.1, 3, end_learning_rate=0.01, power=2.0),
    schedules.CosineDecayRestarts(0.1, 2, t_mul=1.0, m_mul=0.5,
                                  alpha=0.2)], ids=["poly", "restarts"])
def test_schedule_drives_sgd_in_fit(schedule):
    """Each SGD step of fit uses the schedule's rate at that step: the
    weights after 5 full-batch steps against numpy."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype(np.float32)
    y = rng.normal(size=(8, 1)).astype(np.float32)
    model = keras.Sequential([keras.Input((3,)),
                              keras.layers.Dense(1, use_bias=False)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule),
                  loss="mse")
    w = model.get_weights()[0].astype(np.float64)
    model.fit(x, y, epochs=5, batch_size=8, shuffle=False, verbose=0)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    for step in range(5):
        grad = 2.0 * x64.T @ (x64 @ w - y64) / len(x)
        w = w - float(np.float32(schedule(step))) * grad
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5,
                               atol=1e-6)
    assert float(model.optimizer.learning_rate) == pytest.approx(
        schedule(5), rel=1e-6)
    config = keras.optimizers.serialize(model.optimizer)
    again = keras.optimizers.deserialize(config)
    lr = again.get_config()["learning_rate"]
    assert lr["class_name"] == type(schedule).__name__
    assert lr["config"] == schedule.get_config()
