"""The Keras 3 Model and Layer attributes programs read: metrics and
metrics_names (checked against Keras's record in
tests/fixtures/keras_metrics_catalogue.json), the step hooks, compile and
build configs, execution options, add_variable, save/load_own_variables."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers

CATALOGUE = json.loads((pathlib.Path(__file__).parent / "fixtures" /
                        "keras_metrics_catalogue.json").read_text())


def _model():
    model = keras.Sequential([keras.Input((3,)),
                              layers.Dense(2, activation="softmax")])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(8, 3)).astype("f4"), rng.integers(0, 2, 8)


def test_metrics_and_names_as_keras():
    model = _model()
    assert model.metrics == [] and model.metrics_names == []
    assert model.compiled is False and model.loss is None
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    assert model.metrics_names == \
        CATALOGUE["fit"]["categorical"]["metrics_names"]
    x, y = _data()
    model.fit(x, y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    tracker, compiled = model.metrics
    logs = model.evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    # the tracker holds the last evaluate's running loss
    np.testing.assert_allclose(float(tracker.result()), logs["loss"],
                               rtol=1e-6)
    assert compiled.result() == {"accuracy": pytest.approx(
        logs["accuracy"])}
    assert model.get_metrics_result() == pytest.approx(logs)
    assert [v.path for v in model.metrics_variables] == \
        ["loss/total", "loss/count", "accuracy/total", "accuracy/count"]
    for metric in model.metrics:
        metric.reset_state()
    assert float(tracker.result()) == 0.0


def test_step_hooks_and_compute_metrics():
    model = _model()
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x, y = _data()
    before = model.get_weights()[0].copy()
    logs = model.train_step((x, y))
    assert set(logs) == {"loss", "accuracy"}
    assert not np.allclose(model.get_weights()[0], before)
    after = model.get_weights()[0].copy()
    assert set(model.test_step((x, y))) == {"loss", "accuracy"}
    np.testing.assert_array_equal(model.get_weights()[0], after)
    np.testing.assert_allclose(model.predict_step((x,)),
                               model.predict(x, verbose=0), rtol=1e-6)
    for metric in model.metrics:
        metric.reset_state()
    result = model.compute_metrics(x, y, model.predict(x, verbose=0))
    want = np.mean(np.argmax(model.predict(x, verbose=0), -1) == y)
    assert result["accuracy"] == pytest.approx(want)


def test_compile_and_build_configs_round_trip():
    model = _model()
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"],
                  run_eagerly=True)
    assert model.run_eagerly is True and model.steps_per_execution == 1
    config = model.get_compile_config()
    assert config["loss"] == "mse" and config["metrics"] == ["mae"]
    other = _model()
    other.compile_from_config(config)
    assert type(other.optimizer).__name__ == "Adam"
    np.testing.assert_allclose(float(other.optimizer.learning_rate), 0.01,
                               rtol=1e-6)
    assert model.get_build_config() == {"input_shape": (None, 3)}
    assert _model().get_compile_config() is None


class _Scaled(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_variable((input_shape[-1],), "ones",
                                       name="scale")

    def call(self, x):
        return x * self.scale


def test_layer_hooks():
    layer = _Scaled()
    layer.build((None, 4))
    assert layer.scale.shape == (4,) and layer.path == layer.name
    assert layer.metrics == [] and layer.input_dtype == "float32"
    store = {}
    layer.save_own_variables(store)
    np.testing.assert_array_equal(store["0"], np.ones(4))
    store["0"] = np.arange(4.0)
    layer.load_own_variables(store)
    np.testing.assert_array_equal(layer.scale.numpy(), np.arange(4.0))
    with pytest.raises(ValueError, match="expected 1 variables"):
        layer.load_own_variables({})
    inputs = keras.Input((2,))
    functional = keras.Model(inputs, layers.Dense(1)(inputs))
    assert [op.name for op in functional.operations] == \
        [l.name for l in functional._operations]


@keras.saving.register_keras_serializable(package="TestModelApi")
class _Counting(layers.Layer):
    """Keeps a call count outside its weights, saved through the hooks."""

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],),
                                    initializer="zeros", name="bias")
        self.calls = 0

    def call(self, x):
        self.calls += 1
        return x + self.bias

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store["calls"] = np.array(self.calls)

    def load_own_variables(self, store):
        self.calls = int(store.pop("calls"))
        super().load_own_variables(store)


def test_saving_calls_a_layers_own_variable_hooks(tmp_path):
    model = keras.Sequential([keras.Input((3,)), _Counting()])
    model.layers[0].bias.assign(np.array([1.0, 2.0, 3.0]))
    for _ in range(3):
        model.predict(np.zeros((1, 3)), verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].calls == model.layers[0].calls
    np.testing.assert_array_equal(loaded.layers[0].bias.numpy(),
                                  [1.0, 2.0, 3.0])
