"""`model.save("x.h5")`: the legacy whole-model HDF5 file
(seqcore/saving/legacy_h5_save.py), read back by seqcore with weights,
compile settings and optimizer state; Keras 3's own legacy file loads
(tests/fixtures/make_legacy_h5_fixtures.py)."""
import pathlib

import h5py
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def _text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def _data():
    rng = np.random.default_rng(3)
    return (rng.normal(size=(16, 5)).astype("float32"),
            rng.normal(size=(16, 1)).astype("float32"))


def _trained_model():
    x, y = _data()
    model = keras.Sequential([
        keras.Input((5,)), layers.Dense(4, activation="relu", name="d1"),
        layers.BatchNormalization(name="bn"), layers.Dense(1, name="d2")])
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    model.fit(x, y, epochs=2, verbose=0)
    return model


def test_round_trip_keeps_weights_compile_and_optimizer_state(tmp_path):
    x, y = _data()
    model = _trained_model()
    with pytest.warns(UserWarning, match="legacy HDF5"):
        model.save(tmp_path / "model.h5")
    loaded = keras.models.load_model(tmp_path / "model.h5")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0),
                                  model.predict(x, verbose=0))
    # the Adam moments came back: training continues identically
    a = model.fit(x, y, epochs=2, shuffle=False, verbose=0).history
    b = loaded.fit(x, y, epochs=2, shuffle=False, verbose=0).history
    assert a == b


def test_file_layout_is_keras_legacy_layout(tmp_path):
    model = _trained_model()
    with pytest.warns(UserWarning):
        model.save(tmp_path / "model.h5", include_optimizer=False)
    with h5py.File(tmp_path / "model.h5", "r") as h5:
        assert {"keras_version", "backend", "model_config",
                "training_config"} <= set(h5.attrs)
        group = h5["model_weights"]
        assert _text(group.attrs["layer_names"]) == ["d1", "bn", "d2"]
        names = _text(group["bn"].attrs["weight_names"])
        assert [n.rsplit("/", 1)[-1] for n in names] == \
            ["gamma", "beta", "moving_mean", "moving_variance"]
        np.testing.assert_array_equal(
            group["d1"][_text(group["d1"].attrs["weight_names"])[0]],
            model.get_layer("d1").kernel.numpy())
        assert "optimizer_weights" not in h5


def test_functional_model_with_a_nested_model(tmp_path):
    x, _ = _data()
    inputs = keras.Input((5,))
    base = keras.Sequential([keras.Input((5,)), layers.Dense(3)],
                            name="base")
    outputs = layers.Dense(1)(layers.concatenate([base(inputs), inputs]))
    model = keras.Model(inputs, outputs)
    with pytest.warns(UserWarning):
        model.save(tmp_path / "f.hdf5")
    loaded = keras.saving.load_model(tmp_path / "f.hdf5")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_keras_written_legacy_file_loads():
    arrays = np.load(FIXTURES / "keras_legacy_h5.npz")
    model = keras.models.load_model(FIXTURES / "saved" / "keras3_legacy.h5")
    np.testing.assert_allclose(model.predict(arrays["x"], verbose=0),
                               arrays["y"], rtol=1e-5, atol=1e-6)
    assert type(model.optimizer).__name__ == "Adam"
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 0.01,
                               rtol=1e-6)


def test_existing_file_survives_a_failed_save(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"precious")
    unbuilt = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError):
        unbuilt.save(path)
    assert path.read_bytes() == b"precious"
    with pytest.raises(FileExistsError):
        _trained_model().save(path, overwrite=False)
    with pytest.raises(ValueError, match="not supported"):
        _trained_model().save(tmp_path / "m.keras", save_format="h5")


def test_weights_only_legacy_file_round_trips(tmp_path):
    """save_legacy_weights (R's save_model_weights_hdf5): Keras 2's
    weights-only layout at the root, which load_weights reads back."""
    from seqcore.saving.legacy_h5_save import save_legacy_weights
    model = _trained_model()
    path = tmp_path / "weights.h5"
    save_legacy_weights(model, str(path))
    with h5py.File(path, "r") as h5:
        assert _text(h5.attrs["layer_names"]) == ["d1", "bn", "d2"]
        assert "model_config" not in h5.attrs
        assert _text(h5["d1"].attrs["weight_names"]) == [
            w.path for w in model.layers[0].weights]
    fresh = keras.Sequential([
        keras.Input((5,)), layers.Dense(4, activation="relu", name="d1"),
        layers.BatchNormalization(name="bn"), layers.Dense(1, name="d2")])
    fresh.load_weights(str(path))
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
