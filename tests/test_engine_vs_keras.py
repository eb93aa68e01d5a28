"""Functional graphs, merge layers, shared layers, custom layers, Lambda,
custom losses, add_loss and subclassed models equal Keras 3: from the same
weights, the same predictions (1e-5) and, after 2 epochs of SGD and of
Adam on unshuffled batches, the same logs per epoch and the same weights
(1e-4). Fixtures from tests/fixtures/make_engine_fixtures.py."""
import pathlib

import numpy as np
import pytest

import seqcore
from seqcore import optimizers
from tests.fixtures import engine_cases

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "keras_engine.npz"
DATA = np.load(FIXTURE)
CASES = [(name, opt) for name in engine_cases.CASES
         for opt in engine_cases.OPTIMIZERS]


def _arrays(prefix, kind):
    found, i = [], 0
    while f"{prefix}/{kind}_{i}" in DATA:
        found.append(DATA[f"{prefix}/{kind}_{i}"])
        i += 1
    return found


@pytest.mark.parametrize("name,opt", CASES, ids=[f"{n}-{o}" for n, o in CASES])
def test_engine_case_matches_keras(name, opt):
    prefix = f"{name}/{opt}"
    model, x, y, compile_args = engine_cases.CASES[name](seqcore)
    initial = _arrays(prefix, "initial")
    assert [w.shape for w in model.get_weights()] == \
        [w.shape for w in initial]
    model.set_weights(initial)
    pred = model.predict(x, verbose=0)
    pred = pred if isinstance(pred, list) else [pred]
    expected = _arrays(prefix, "pred")
    assert len(pred) == len(expected)
    for got, want in zip(pred, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    cls, kwargs = engine_cases.OPTIMIZERS[opt]
    model.compile(getattr(optimizers, cls)(**kwargs), **compile_args)
    history = model.fit(x, y, batch_size=engine_cases.BATCH,
                        epochs=engine_cases.EPOCHS, shuffle=False, verbose=0)
    keys = sorted(k.split("/")[-1] for k in DATA
                  if k.startswith(f"{prefix}/history/"))
    assert sorted(history.history) == keys
    for key in keys:
        np.testing.assert_allclose(history.history[key],
                                   DATA[f"{prefix}/history/{key}"],
                                   rtol=1e-4, atol=1e-5, err_msg=key)
    for got, want in zip(model.get_weights(), _arrays(prefix, "final")):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
