"""Variable paths against Keras 3's (tests/fixtures/keras_variable_paths.json,
made by make_variable_path_fixtures.py from variable_path_cases.py): the
name scopes open when a variable is made, then its name."""
import json
import pathlib
import sys

import numpy as np
import pytest

import seqcore as keras

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

import variable_path_cases as cases  # noqa: E402

KERAS = json.loads((FIXTURES / "keras_variable_paths.json").read_text())

# Cases whose paths seqcore does not give yet, with the reason.
PENDING = {}


@pytest.mark.parametrize("case", cases.CASES, ids=lambda c: c.__name__)
def test_paths_match_keras(case):
    if case.__name__ in PENDING:
        pytest.xfail(PENDING[case.__name__])
    assert cases.run(keras, case) == KERAS["cases"][case.__name__]


def test_layer_path_and_get_layer():
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(2)])
    dense = model.get_layer("dense")
    assert dense.path == "sequential/dense"
    assert dense.kernel.path == "sequential/dense/kernel"


def test_a_layer_keeps_its_first_scope():
    """Called again elsewhere, a built layer's paths do not change, and a
    layer first built at top level keeps short paths inside a model."""
    keras.backend.clear_session()
    dense = keras.layers.Dense(2)
    dense.build((None, 3))
    model = keras.Sequential([keras.Input((3,)), dense])
    model(np.zeros((1, 3), np.float32))
    assert [w.path for w in model.weights] == ["dense/kernel", "dense/bias"]
    assert dense.path == "dense"


def test_scope_stack_is_empty_after_errors():
    from seqcore import scopes
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError):
        model(np.zeros((1, 4), np.float32))
    assert scopes.current_path() == ""
