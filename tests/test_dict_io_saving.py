"""Functional models with dict inputs or outputs save and load as Keras 3
writes them (tests/fixtures/make_dict_io_fixtures.py)."""
import json
import pathlib

import numpy as np

import seqcore as keras

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
REF = np.load(FIXTURES / "keras_dict_io.npz")


def test_keras_files_with_dict_inputs_and_outputs_load():
    dict_in = keras.saving.load_model(FIXTURES / "saved" / "dict_inputs.keras")
    np.testing.assert_allclose(
        dict_in.predict({"a": REF["a"], "b": REF["b"]}, verbose=0),
        REF["dict_in"], rtol=1e-5, atol=1e-6)
    dict_out = keras.saving.load_model(FIXTURES / "saved" /
                                       "dict_outputs.keras")
    outs = dict_out.predict([REF["a"], REF["b"]], verbose=0)
    assert sorted(outs) == ["hidden", "score"]
    np.testing.assert_allclose(outs["score"], REF["score"], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(outs["hidden"], REF["hidden"], rtol=1e-5,
                               atol=1e-6)


def test_dict_structures_written_as_keras(tmp_path):
    model = keras.saving.load_model(FIXTURES / "saved" / "dict_inputs.keras")
    ours = json.loads(model.to_json())["config"]
    theirs = json.loads(str(REF["config"]))
    assert ours["input_layers"] == theirs["input_layers"] == \
        {"a": ["a", 0, 0], "b": ["b", 0, 0]}
    assert ours["output_layers"] == theirs["output_layers"]
    model.save(tmp_path / "again.keras")
    again = keras.saving.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(
        again.predict({"a": REF["a"], "b": REF["b"]}, verbose=0),
        REF["dict_in"], rtol=1e-5, atol=1e-6)
