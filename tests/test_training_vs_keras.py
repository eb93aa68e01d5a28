"""Training equals Keras 3: from the same initial weights, on the same
unshuffled batches, every optimizer gives the same loss per epoch and the
same final weights (fixtures from tests/fixtures/make_keras_fixtures.py)."""
import pathlib

import numpy as np
import pytest

import seqcore
from seqcore import optimizers
from tests.fixtures import training_cases

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "keras_training.npz"
DATA = np.load(FIXTURE)
CASES = training_cases.cases()


def _weights(name, kind):
    arrays, i = [], 0
    while f"{name}/{kind}_{i}" in DATA:
        arrays.append(DATA[f"{name}/{kind}_{i}"])
        i += 1
    return arrays


@pytest.mark.parametrize("name,build,cls,kwargs", CASES,
                         ids=[c[0] for c in CASES])
def test_training_matches_keras(name, build, cls, kwargs):
    model, x, y, loss, metrics = build(seqcore)
    model.set_weights(_weights(name, "initial"))
    model.compile(getattr(optimizers, cls)(**kwargs), loss, metrics=metrics)
    history = model.fit(x, y, batch_size=training_cases.BATCH,
                        epochs=training_cases.EPOCHS, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"], DATA[f"{name}/loss"],
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(history.history["accuracy"],
                               DATA[f"{name}/accuracy"], atol=1e-6)
    for got, want in zip(model.get_weights(), _weights(name, "final")):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
