"""Saving and loading: Keras 3 files made by Keras itself
(tests/fixtures/make_saving_fixtures.py; the models in saving_cases.py), Keras 2's legacy layout, exact
round trips, resumed training, custom objects, and hostile files."""
import json
import pathlib
import shutil
import warnings
import zipfile

import h5py
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from seqcore.saving import files
from tests.fixtures import saving_cases as fixtures

SAVED = pathlib.Path(__file__).parent / "fixtures" / "saved"


def _data(name):
    return np.load(SAVED / f"{name}.npz")


def _input(name):
    x = _data(name)["x"]
    return x if x.dtype.kind in "iu" else x.astype(np.float32)


# ---- files written by Keras 3 ------------------------------------------------------

@pytest.mark.parametrize("name", list(fixtures.MODELS))
def test_keras3_file_loads_and_predicts_like_keras(name):
    model = keras.models.load_model(SAVED / f"{name}.keras")
    np.testing.assert_allclose(model.predict(_input(name), verbose=0),
                               _data(name)["y"], rtol=1e-5, atol=1e-5)
    assert model.optimizer.iterations == 2       # one epoch of 2 batches
    assert isinstance(model.optimizer, keras.optimizers.Adam)


@pytest.mark.parametrize("name", list(fixtures.MODELS))
def test_keras3_weights_file_loads_into_a_seqcore_model(name):
    model, *_ = getattr(fixtures, name)(keras)
    model.load_weights(SAVED / f"{name}.weights.h5")
    np.testing.assert_allclose(model.predict(_input(name), verbose=0),
                               _data(name)["y"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["mlp", "text"])
def test_keras2_legacy_full_model_and_weights(name):
    model = keras.models.load_model(SAVED / f"legacy_{name}.h5")
    want = _data(name)["y"]
    np.testing.assert_allclose(model.predict(_input(name), verbose=0), want,
                               rtol=1e-5, atol=1e-5)
    assert model.loss == "categorical_crossentropy"
    fresh, *_ = getattr(fixtures, name)(keras)
    fresh.load_weights(SAVED / f"legacy_{name}.h5")     # matched by order
    np.testing.assert_allclose(fresh.predict(_input(name), verbose=0), want,
                               rtol=1e-5, atol=1e-5)


# ---- seqcore both ways ---------------------------------------------------------------

def _trained(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((6,)), layers.Dense(8, activation="relu"),
        layers.BatchNormalization(), layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(4)
    x = rng.standard_normal((40, 6)).astype(np.float32)
    y = rng.integers(0, 3, 40)
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return model, x, y


def test_save_load_is_exact_and_training_resumes_identically(tmp_path):
    model, x, y = _trained()
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(x, verbose=0),
                                  loaded.predict(x, verbose=0))
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    go_on = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    resumed = loaded.fit(x, y, epochs=2, batch_size=8, shuffle=False,
                         verbose=0)
    assert go_on.history == resumed.history
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", [
    keras.optimizers.SGD(0.1, momentum=0.9), keras.optimizers.RMSprop(
        momentum=0.5, centered=True), keras.optimizers.Adam(amsgrad=True),
    keras.optimizers.Nadam(), keras.optimizers.Adadelta(),
    keras.optimizers.Adagrad(), keras.optimizers.Adamax(),
    keras.optimizers.Lion(), keras.optimizers.Ftrl(beta=0.1),
    keras.optimizers.Lamb(), keras.optimizers.Adafactor(),
    keras.optimizers.Adam(use_ema=True),
    keras.optimizers.SGD(0.1, momentum=0.5, gradient_accumulation_steps=3)])
def test_every_optimizer_state_round_trips(tmp_path, optimizer):
    model, x, y = _trained()
    model.compile(optimizer, "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    model.save_weights(tmp_path / "w.weights.h5")
    clone = keras.models.clone_model(model) if hasattr(
        keras.models, "clone_model") else keras.Sequential.from_config(
        model.get_config())
    clone.compile(type(optimizer).from_config(optimizer.get_config()),
                  "sparse_categorical_crossentropy")
    clone.load_weights(tmp_path / "w.weights.h5")
    assert clone.optimizer.iterations == model.optimizer.iterations
    for a, b in zip(model.optimizer.variables, clone.optimizer.variables):
        np.testing.assert_array_equal(a, b)
    a = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    b = clone.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    assert a.history == b.history


def test_functional_model_round_trip_and_json(tmp_path):
    inputs = keras.Input((5, 3))
    x = layers.LSTM(4, return_sequences=True)(inputs)
    x = layers.GRU(3)(x)
    a = layers.Dense(2, name="a")(x)
    b = layers.Dense(1, name="b")(x)
    model = keras.Model(inputs, [a, b])
    data = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(
        np.float32)
    model.save(tmp_path / "f.keras")
    loaded = keras.models.load_model(tmp_path / "f.keras")
    for got, want in zip(loaded.predict(data, verbose=0),
                         model.predict(data, verbose=0)):
        np.testing.assert_array_equal(got, want)
    rebuilt = keras.models.model_from_json(model.to_json())
    assert rebuilt.get_config() == model.get_config()
    seq = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    assert keras.models.model_from_json(seq.to_json()).get_config() == \
        seq.get_config()


@keras.saving.register_keras_serializable(package="tests")
class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs, training=None):
        return inputs * self.factor

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Shift(Scale):
    def call(self, inputs, training=None):
        return inputs + self.factor


def test_custom_layers_by_registration_and_custom_objects(tmp_path):
    model = keras.Sequential([keras.Input((3,)), Scale(3.0), Shift(1.0),
                              layers.Dense(2)])
    model.save(tmp_path / "c.keras")
    with pytest.raises(ValueError, match="Shift"):
        keras.models.load_model(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras",
                                     custom_objects={"Shift": Shift})
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(loaded(x), model(x))


def test_model_checkpoint_saves_best_model_and_weights(tmp_path):
    model, x, y = _trained()
    best = keras.callbacks.ModelCheckpoint(tmp_path / "best.keras",
                                           monitor="loss",
                                           save_best_only=True)
    every = keras.callbacks.ModelCheckpoint(
        str(tmp_path / "w{epoch}.weights.h5"), save_weights_only=True)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0,
              callbacks=[best, every])
    assert (tmp_path / "best.keras").exists()
    assert (tmp_path / "w1.weights.h5").exists()
    assert (tmp_path / "w2.weights.h5").exists()
    keras.models.load_model(tmp_path / "best.keras")


# ---- hostile files ------------------------------------------------------------------

def _rewrite_zip(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.namelist():
            data = change(item, zin.read(item))
            if data is not None:
                zout.writestr(item, data)


def test_truncated_and_fuzzed_files_raise_value_error(tmp_path):
    src = SAVED / "mlp.keras"
    raw = src.read_bytes()
    rng = np.random.default_rng(0)
    cases = {"truncated.keras": raw[: len(raw) // 2],
             "empty.keras": b"",
             "text.keras": b"not a zip at all"}
    for i in range(20):
        fuzzed = bytearray(raw)
        for pos in rng.integers(0, len(raw), 30):
            fuzzed[pos] = rng.integers(0, 256)
        cases[f"fuzz{i}.keras"] = bytes(fuzzed)
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        try:
            keras.models.load_model(path)
        except ValueError:
            pass    # what every corrupt file must give (or load unharmed)
    for name in ("empty.keras", "text.keras", "truncated.keras"):
        with pytest.raises(ValueError):
            keras.models.load_model(tmp_path / name)


@pytest.mark.parametrize("member", ["model.weights.h5", "config.json"])
def test_fuzzed_members_of_a_valid_zip_raise_value_error(tmp_path, member):
    with zipfile.ZipFile(SAVED / "text.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    rng = np.random.default_rng(3)
    path = tmp_path / "fuzz.keras"
    for _ in range(60):
        data = bytearray(members[member])
        for pos in rng.integers(0, len(data), rng.integers(1, 20)):
            data[pos] = rng.integers(0, 256)
        with zipfile.ZipFile(path, "w") as zf:
            for name, content in members.items():
                zf.writestr(name, bytes(data) if name == member else content)
        try:    # loads (the damage missed what is read) or ValueError
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                keras.models.load_model(path)
        except ValueError:
            pass


@pytest.mark.parametrize("change,match", [
    (lambda item, data: None if item == "model.weights.h5" else data,
     "no model.weights.h5"),
    (lambda item, data: None if item == "config.json" else data,
     "no config.json"),
    (lambda item, data: b"{oops" if item == "config.json" else data,
     "not valid JSON"),
    (lambda item, data: data.replace(b'"Dense"', b'"Danse"')
     if item == "config.json" else data, "Unknown layer class 'Danse'"),
    (lambda item, data: data.replace(b'"Dropout"', b'"Lambda"')
     if item == "config.json" else data, "Lambda layers cannot be loaded"),
    (lambda item, data: data.replace(b'"units": 2', b'"units": 3')
     if item == "config.json" else data, r"shape \(8, 3\).*\(8, 2\)"),
    (lambda item, data: b"garbage" if item == "model.weights.h5" else data,
     "not a readable HDF5 file"),
])
def test_foreign_members_raise_clear_value_errors(tmp_path, change, match):
    path = tmp_path / "bad.keras"
    _rewrite_zip(SAVED / "mlp.keras", path, change)
    with pytest.raises(ValueError, match=match):
        keras.models.load_model(path)


def test_missing_weight_names_the_layer(tmp_path):
    path = tmp_path / "w.weights.h5"
    shutil.copy(SAVED / "mlp.weights.h5", path)
    with h5py.File(path, "a") as f:
        del f["layers/dense_1/vars/1"]
    model, *_ = fixtures.mlp(keras)
    before = model.get_weights()
    with pytest.raises(ValueError, match="dense_1|bias"):
        model.load_weights(path)
    for a, b in zip(model.get_weights(), before):   # nothing half-loaded
        np.testing.assert_array_equal(a, b)


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    model, x, _ = _trained()
    path = tmp_path / "m.keras"
    model.save(path)
    good = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")
    monkeypatch.setattr(files, "write_weights", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["m.keras"]
    keras.models.load_model(path)


def test_bad_paths():
    model, *_ = _trained()
    with pytest.raises(ValueError, match=r"\.keras"):
        model.save("model.txt")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights("model.h5")
    with pytest.raises(FileNotFoundError):
        keras.models.load_model("/nonexistent/model.keras")


def test_config_of_the_saved_file_is_keras_3s(tmp_path):
    model, *_ = _trained()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json",
                                         "model.weights.h5"]
        config = json.loads(zf.read("config.json"))
        meta = json.loads(zf.read("metadata.json"))
        with h5py.File(__import__("io").BytesIO(
                zf.read("model.weights.h5"))) as h5:
            assert h5["layers/dense/vars/0"].shape == (6, 8)
            assert h5["layers/batch_normalization/vars/3"].shape == (8,)
            assert h5["layers/dense_1/vars/1"].shape == (3,)
            assert len(h5["optimizer/vars"]) == 2 + 2 * 6
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert meta["keras_version"].startswith("3.")


@pytest.mark.parametrize("name", ["trained"] + list(fixtures.MODELS))
def test_seqcore_file_opens_in_keras(tmp_path, name):
    """Runs where Keras 3 is installed (not a seqcore dependency)."""
    import importlib.util
    import os
    import subprocess
    import sys
    if importlib.util.find_spec("keras") is None or \
            importlib.util.find_spec("jax") is None:
        pytest.skip("Keras 3 with JAX is not installed")
    if name == "trained":
        model, x, _ = _trained()
        steps = 5
    else:
        model, x, loss, y = getattr(fixtures, name)(keras)
        x = x if x.dtype.kind in "iu" else x.astype(np.float32)
        model.compile("adam", loss)
        model.fit(x, y, batch_size=3, epochs=1, verbose=0)
        steps = 2
    model.save(tmp_path / "m.keras")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", model.predict(x, verbose=0))
    script = (
        "import keras, numpy as np, sys\n"
        "m = keras.models.load_model(sys.argv[1] + '/m.keras')\n"
        "x = np.load(sys.argv[1] + '/x.npy')\n"
        "y = np.asarray(m.predict(x, verbose=0))\n"
        "assert np.allclose(y, np.load(sys.argv[1] + '/y.npy'), atol=1e-5)\n"
        "print(int(m.optimizer.iterations))\n")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)],
                         env={**os.environ, "KERAS_BACKEND": "jax"},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == str(steps)
