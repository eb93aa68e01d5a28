"""keras.config's debugging caps (max_epochs, max_steps_per_epoch: fit runs
at most that many epochs and steps, with Keras's warnings) and
keras.utils.get_source_inputs and keras.utils.Progbar."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers


@pytest.fixture
def caps():
    yield keras.config
    keras.config.set_max_epochs(None)
    keras.config.set_max_steps_per_epoch(None)


def _model():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_max_epochs_and_steps_cap_fit_evaluate_and_predict(caps):
    x, y = np.ones((40, 3), np.float32), np.ones((40, 1), np.float32)
    assert caps.max_epochs() is None and caps.max_steps_per_epoch() is None
    caps.set_max_epochs(2)
    caps.set_max_steps_per_epoch(3)
    assert (caps.max_epochs(), caps.max_steps_per_epoch()) == (2, 3)
    model = _model()
    seen = []
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch))
    with pytest.warns(UserWarning, match="Limiting epochs to 2"):
        history = model.fit(x, y, batch_size=4, epochs=5, verbose=0,
                            callbacks=[counter])
    assert len(history.history["loss"]) == 2
    assert seen == [0, 1, 2, 0, 1, 2]
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
        assert model.predict(x, batch_size=4, verbose=0).shape == (12, 1)


def test_without_caps_fit_runs_every_epoch_and_step(caps):
    x, y = np.ones((40, 3), np.float32), np.ones((40, 1), np.float32)
    history = _model().fit(x, y, batch_size=4, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3


def test_get_source_inputs_walks_shared_layers_to_the_inputs():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = layers.Dense(2)
    merged = layers.Add()([shared(a), shared(b)])
    out = layers.Dense(1)(layers.Concatenate()([merged, a]))
    sources = keras.utils.get_source_inputs(out)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert keras.utils.get_source_inputs(a) == [a]
    assert keras.utils.get_source_inputs(shared(b))[0] is b


def test_progbar_averages_stateless_values_weighted_by_steps(capsys):
    bar = keras.utils.Progbar(10, verbose=1, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.1)])
    bar.update(3, [("loss", 3.0), ("acc", 0.3)])    # covers 2 steps
    total, weight = bar._values["loss"]
    assert total / weight == pytest.approx((1 * 1 + 3 * 2) / 3)
    assert bar._values["acc"] == [0.3, 1]
    bar.add(7, [("loss", 5.0)])                     # reaches the target
    out = capsys.readouterr().out
    assert out.startswith("10/10 ") and "loss: 5.0000 - acc: 0.3000" in out


def test_progbar_unknown_target_unit_and_verbose_2(capsys):
    bar = keras.utils.Progbar(None, unit_name="sample")
    bar.add(3, [("loss", 1.0)])
    bar.update(6, [("loss", 2.0)], finalize=True)
    assert capsys.readouterr().out.startswith("6/Unknown ")
    bar = keras.utils.Progbar(2, verbose=2)
    bar.add(1, [("a", 1.0)])
    assert capsys.readouterr().out == ""
    bar.add(1, [("a", 3.0)])
    line = capsys.readouterr().out
    assert line.startswith("2/2 - ") and line.rstrip().endswith("a: 3.0000")
    with pytest.raises(ValueError, match="Only one of"):
        keras.utils.Progbar(3, stateful_metrics=["a"],
                            stateless_metrics=["b"])
