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


MORE = np.load(pathlib.Path(__file__).parent / "fixtures" /
               "keras_optimizers.npz")
MORE_CASES = training_cases.more_cases()


def _more(name, kind):
    arrays, i = [], 0
    while f"{name}/{kind}_{i}" in MORE:
        arrays.append(MORE[f"{name}/{kind}_{i}"])
        i += 1
    return arrays


@pytest.mark.parametrize("name,build,cls,kwargs", MORE_CASES,
                         ids=[c[0] for c in MORE_CASES])
def test_more_optimizers_match_keras(name, build, cls, kwargs):
    """Lion, Ftrl, Lamb, Adafactor, the moving average of the weights
    (use_ema, ema_overwrite_frequency) and gradient accumulation: losses,
    final weights (after fit's final swap to the averages) and every
    optimizer variable in Keras's order."""
    model, x, y, loss, metrics = build(seqcore)
    model.set_weights(_more(name, "initial"))
    optimizer = getattr(optimizers, cls)(**kwargs)
    model.compile(optimizer, loss, metrics=metrics)
    history = model.fit(x, y, batch_size=training_cases.BATCH,
                        epochs=training_cases.EPOCHS, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"], MORE[f"{name}/loss"],
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(history.history["accuracy"],
                               MORE[f"{name}/accuracy"], atol=1e-6)
    for got, want in zip(model.get_weights(), _more(name, "final"),
                         strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    state = optimizer.variables
    expected = _more(name, "optimizer")
    assert [np.shape(v) for v in state] == [np.shape(v) for v in expected]
    for got, want in zip(state, expected):
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
