"""keras.ops.numpy and the names of the function namespaces of issue 15
against Keras 3.15's (names recorded by make_funcs_fixtures.py)."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import ops

NAMES = json.loads((pathlib.Path(__file__).parent / "fixtures" /
                    "keras_funcs.json").read_text())["names"]
SPACES = {"activations": keras.activations,
          "initializers": keras.initializers,
          "regularizers": keras.regularizers,
          "schedules": keras.optimizers.schedules,
          "ops.numpy": ops.numpy}


@pytest.mark.parametrize("space", sorted(SPACES))
def test_namespace_has_every_keras_name(space):
    module = SPACES[space]
    missing = [n for n in NAMES[space] if not hasattr(module, n)]
    assert missing == []


def test_ops_numpy_is_keras_ops():
    assert sorted(ops.numpy.__all__) == NAMES["ops.numpy"]
    for name in ops.numpy.__all__:
        assert getattr(ops.numpy, name) is getattr(ops, name), name


def test_ops_numpy_computes_and_differentiates():
    from seqcore.engine.tape import Tape, recording
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(ops.numpy.matmul(x, x), x @ x)
    tape = Tape("test")
    with recording(tape):
        t = tape.watch(x)
        out = ops.numpy.sum(ops.numpy.square(t))
    np.testing.assert_allclose(tape.backward([(out.node, 1.0)])[t.node],
                               2 * x)
