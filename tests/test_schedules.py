"""Learning-rate schedules and to_categorical against Keras 3 (fixtures from
make_keras_fixtures.py)."""
import pathlib

import numpy as np
import pytest

from seqcore.optimizers import schedules
from seqcore.utils import to_categorical
from tests.fixtures.schedule_cases import CASES, STEPS

KERAS = np.load(pathlib.Path(__file__).parent / "fixtures" /
                "keras_schedules.npz")


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_schedules_match_keras(case):
    name, class_name, kwargs = case
    schedule = getattr(schedules, class_name)(**kwargs)
    got = np.array([schedule(step) for step in STEPS])
    np.testing.assert_allclose(got, KERAS[name], rtol=1e-6, atol=1e-9)
    clone = type(schedule).from_config(schedule.get_config())
    assert [clone(s) for s in STEPS] == list(got)


def test_schedule_errors():
    with pytest.raises(ValueError, match="boundaries should be 1 less"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="decay_steps must be positive"):
        schedules.ExponentialDecay(0.1, 0, 0.5)


def test_to_categorical_matches_keras():
    np.testing.assert_array_equal(to_categorical([2, 0, 1, 2]),
                                  KERAS["to_categorical/plain"])
    np.testing.assert_array_equal(to_categorical([[1], [3]], num_classes=5),
                                  KERAS["to_categorical/trailing_axis"])
    np.testing.assert_array_equal(to_categorical([[0, 1], [2, 0]]),
                                  KERAS["to_categorical/matrix"])
    with pytest.raises(ValueError, match="class index 4 is out of range"):
        to_categorical([1, 4], num_classes=3)
    with pytest.raises(ValueError, match="integer class indices"):
        to_categorical([0.5])
