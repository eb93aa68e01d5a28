"""seqcore with the weights Keras 3 initialised gives Keras's outputs.

The fixtures come from tests/fixtures/make_keras_fixtures.py, run with real
Keras 3 (JAX backend); architectures.py builds the same models for both."""
import pathlib

import numpy as np
import pytest

import seqcore
from tests.fixtures.architectures import ACTIVATIONS, ARCHITECTURES

FIXTURES = np.load(pathlib.Path(__file__).parent / "fixtures" /
                   "keras_forward.npz")


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_outputs_match_keras(name):
    model, x = ARCHITECTURES[name](seqcore)
    np.testing.assert_array_equal(x, FIXTURES[f"{name}/x"])
    assert model.count_params() == int(FIXTURES[f"{name}/params"])
    weights = []
    while f"{name}/weight_{len(weights)}" in FIXTURES:
        weights.append(FIXTURES[f"{name}/weight_{len(weights)}"])
    model.set_weights(weights)
    outputs = model(x)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    for i, got in enumerate(outputs):
        want = FIXTURES[f"{name}/y_{i}"]
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_activation_functions_match_keras(activation):
    x = FIXTURES["activations/x"]
    got = seqcore.activations.get(activation)(x)
    np.testing.assert_allclose(got, FIXTURES[f"activations/{activation}"],
                               rtol=1e-5, atol=1e-6)
