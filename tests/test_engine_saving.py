"""Merge layers, shared layers, operation nodes and registered custom
layers in `.keras` files, both ways with Keras 3: seqcore reads the files
Keras wrote to Keras's predictions, Keras read the files seqcore wrote
(tests/fixtures/make_engine_fixtures.py recorded its predictions), and
seqcore still writes those files."""
import json
import pathlib
import zipfile

import numpy as np
import pytest

import seqcore
from tests.fixtures import engine_cases

SAVED = pathlib.Path(__file__).parent / "fixtures" / "saved"
NAMES = list(engine_cases.SAVING_CASES)


def _fixture(name):
    data = np.load(SAVED / f"engine_{name}.npz")
    xs, i = [], 0
    while f"x_{i}" in data:
        xs.append(data[f"x_{i}"])
        i += 1
    return data, (xs[0] if len(xs) == 1 else xs)


def _outputs(data, key):
    found, i = [], 0
    while f"{key}_{i}" in data:
        found.append(data[f"{key}_{i}"])
        i += 1
    return found


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


@pytest.fixture(autouse=True)
def _registered():
    engine_cases.registered_ops_dense(seqcore)


@pytest.mark.parametrize("name", NAMES)
def test_seqcore_reads_the_keras_file(name):
    data, x = _fixture(name)
    model = seqcore.models.load_model(SAVED / f"engine_{name}.keras")
    got = _as_list(model.predict(x, verbose=0))
    for g, want in zip(got, _outputs(data, "keras"), strict=True):
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_keras_read_the_seqcore_file_to_the_same_predictions(name):
    data, x = _fixture(name)
    model = seqcore.models.load_model(SAVED / f"engine_{name}_seqcore.keras")
    got = _as_list(model.predict(x, verbose=0))
    for g, want in zip(got, _outputs(data, "keras_reads_seqcore"),
                       strict=True):
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


def _config(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


@pytest.mark.parametrize("name", NAMES)
def test_seqcore_still_writes_the_file_keras_read(name, tmp_path):
    source = SAVED / f"engine_{name}_seqcore.keras"
    model = seqcore.models.load_model(source)
    again = tmp_path / "again.keras"
    model.save(str(again))
    assert _config(again)["config"] == _config(source)["config"]


def test_custom_layer_from_custom_objects():
    cls = engine_cases.ops_dense_class(seqcore)
    model = seqcore.models.load_model(
        SAVED / "engine_custom_model.keras", custom_objects={"OpsDense": cls})
    assert type(model.layers[0]) is cls
    data, x = _fixture("custom_model")
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               data["keras_0"], rtol=1e-5, atol=1e-6)


def test_unregistered_custom_layer_is_a_clear_error(tmp_path):
    cls = engine_cases.ops_dense_class(seqcore)
    model = seqcore.Sequential([seqcore.Input((3,)), cls(2, name="mine")])
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(ValueError, match="Unknown layer class 'OpsDense'"):
        seqcore.models.load_model(path)


def test_keras_reads_what_seqcore_writes_live(tmp_path):
    keras = pytest.importorskip("keras")
    engine_cases.registered_ops_dense(keras)
    for name, build in engine_cases.SAVING_CASES.items():
        model, x = build(seqcore)
        path = str(tmp_path / f"{name}.keras")
        model.save(path)
        theirs = keras.models.load_model(path)
        for a, b in zip(_as_list(model.predict(x, verbose=0)),
                        _as_list(theirs.predict(x, verbose=0))):
            np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5,
                                       atol=1e-6)
