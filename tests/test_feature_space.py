"""keras.utils.FeatureSpace against Keras 3's outputs (fixtures written by
tests/fixtures/make_feature_space_fixtures.py), its errors, saving, and
the Keras example's flow: a model trained on the encoded features."""
import json
import os

import numpy as np
import pytest

import seqcore as keras
from seqcore.utils import FeatureSpace
from seqcore.utils._hashed_cross import cross_bins, fingerprint_cat64
from tests.fixtures import feature_space_cases

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
DATA = np.load(os.path.join(HERE, "keras_feature_space.npz"))
with open(os.path.join(HERE, "keras_feature_space.json")) as f:
    CASES = json.load(f)["cases"]


def part(split, names):
    return {k: DATA[f"{split}/{k}"] for k in names}


def build(spec, crosses, output_mode, extra):
    return feature_space_cases.build(FeatureSpace, spec, crosses,
                                     output_mode, extra)


@pytest.mark.parametrize("case", sorted(CASES))
def test_outputs_match_keras(case):
    spec, crosses, mode, extra = CASES[case]
    fs = build(spec, crosses, mode, extra)
    fs.adapt(part("train", spec))
    out = fs(part("test", spec))
    if mode == "concat":
        expected = DATA[f"{case}/concat"]
        assert out.shape == expected.shape and out.dtype == np.float32
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    else:
        names = sorted(k.split("/")[-1] for k in DATA
                       if k.startswith(f"{case}/dict/"))
        assert sorted(out) == names
        for name in names:
            expected = DATA[f"{case}/dict/{name}"]
            got = np.asarray(out[name])
            assert got.shape == expected.shape, name
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_symbolic_graph_gives_the_same_encoding():
    spec, crosses, mode, extra = CASES["all_types"]
    fs = build(spec, crosses, mode, extra)
    fs.adapt(part("train", spec))
    inputs = fs.get_inputs()
    assert sorted(inputs) == sorted(spec)
    assert inputs["sex"].dtype == "string" and inputs["cp"].dtype == "int32"
    encoded = fs.get_encoded_features()
    assert tuple(encoded.shape) == (None, DATA["all_types/concat"].shape[1])
    model = keras.Model(inputs, encoded)
    test = {k: v[:, None] for k, v in part("test", spec).items()}
    np.testing.assert_allclose(model.predict(test, verbose=0),
                               DATA["all_types/concat"], atol=1e-5)


def test_unbatched_call_and_lists():
    spec, crosses, mode, extra = CASES["all_types"]
    fs = build(spec, crosses, mode, extra)
    fs.adapt(part("train", spec))
    single = fs({k: v[0].item() for k, v in part("test", spec).items()})
    np.testing.assert_allclose(single, DATA["all_types/single"], atol=1e-5)
    as_lists = fs({k: v.tolist() for k, v in part("test", spec).items()})
    np.testing.assert_allclose(as_lists, DATA["all_types/concat"],
                               atol=1e-5)


def test_adapt_on_datasets_and_batches():
    spec, crosses, mode, extra = CASES["keras_example"]
    train = part("train", spec)
    labels = np.arange(len(train["sex"])) % 2
    expected = DATA["keras_example/concat"]
    dataset = keras.utils.dataset_utils.ArrayDataset(train, labels,
                                                     batch_size=8)
    batches = [({k: v[i:i + 5] for k, v in train.items()}, labels[i:i + 5])
               for i in range(0, len(labels), 5)]
    for data in (dataset, batches):
        fs = build(spec, crosses, mode, extra)
        fs.adapt(data)
        np.testing.assert_allclose(fs(part("test", spec)), expected,
                                   atol=1e-5)


def test_loads_a_keras_saved_feature_space_and_round_trips(tmp_path):
    from seqcore.utils.feature_space_io import load_feature_space
    spec = CASES["all_types"][0]
    test = part("test", spec)
    fs = load_feature_space(os.path.join(HERE, "keras_feature_space.keras"))
    assert isinstance(fs, FeatureSpace)
    np.testing.assert_allclose(fs(test), DATA["all_types/concat"],
                               atol=1e-5)
    path = str(tmp_path / "fs.keras")
    fs.save(path)
    again = load_feature_space(path)
    np.testing.assert_allclose(again(test), DATA["all_types/concat"],
                               atol=1e-5)
    # keras.models.load_model opens it too, as in Keras
    import seqcore
    loaded = seqcore.models.load_model(path)
    assert isinstance(loaded, FeatureSpace)
    np.testing.assert_allclose(loaded(test), DATA["all_types/concat"],
                               atol=1e-5)
    import zipfile
    names = zipfile.ZipFile(path).namelist()
    assert "assets/preprocessors/string_lookup/vocabulary.txt" in names
    assert "assets/preprocessors/integer_lookup/vocabulary.txt" in names


def test_config_round_trip_matches_keras_keys():
    spec, crosses, mode, extra = CASES["dict_cross"]
    fs = build(spec, crosses, mode, extra)
    config = keras.saving.serialize_keras_object(fs)
    assert config["module"] == "keras.utils"
    assert config["class_name"] == "FeatureSpace"
    assert sorted(config["config"]) == sorted(
        ["features", "output_mode", "crosses", "crossing_dim",
         "hashing_dim", "num_discretization_bins"])
    cross = config["config"]["crosses"][0]
    assert cross["class_name"] == "Cross" and \
        cross["config"]["crossing_dim"] == 11
    feature = config["config"]["features"]["sex"]
    assert feature["module"] == \
        "keras.src.layers.preprocessing.feature_space"
    assert feature["config"]["preprocessor"]["class_name"] == "StringLookup"
    rebuilt = keras.saving.deserialize_keras_object(config)
    assert isinstance(rebuilt, FeatureSpace)
    assert rebuilt.crosses[0].feature_names == ("sex", "city")
    assert rebuilt.crosses[0].output_mode == "int"


def test_fingerprint_cat64_and_cross_reference():
    # TensorFlow's sparse.cross_hashed gives these bins (checked with the
    # peer): ints by their bits, strings by Fingerprint64.
    a = np.array([[1], [2], [3], [-5]])
    b = np.array([["a"], ["b"], ["zz"], [""]], dtype=object)
    assert cross_bins([a, b], 1000).ravel().tolist() == [445, 149, 899, 111]
    assert cross_bins([b, a, a], 97).ravel().tolist() == [37, 39, 29, 45]
    assert fingerprint_cat64(0, 0) != fingerprint_cat64(0, 1)
    with pytest.raises(ValueError, match="at least two"):
        cross_bins([a], 4)
    with pytest.raises(ValueError, match="integers or strings"):
        cross_bins([a, a.astype(np.float32)], 4)


def test_errors():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        FeatureSpace(features={})
    with pytest.raises(ValueError, match="Invalid feature type: floaty"):
        FeatureSpace(features={"a": "floaty"})
    with pytest.raises(ValueError, match="unknown features"):
        FeatureSpace(features={"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="output_mode"):
        FeatureSpace.cross(("a", "b"), 4, output_mode="float")
    with pytest.raises(ValueError, match="output_mode"):
        FeatureSpace(features={"a": "float"}, output_mode="stack")
    fs = FeatureSpace(features={"a": "string_categorical"})
    with pytest.raises(ValueError, match="call `.adapt"):
        fs({"a": np.array(["x"])})
    with pytest.raises(ValueError, match="can only be called on"):
        fs.adapt(np.zeros(3))
    fs.adapt({"a": ["x", "y"]})
    with pytest.raises(ValueError, match="only be called with a dict"):
        fs(np.array(["x"]))
    with pytest.raises(ValueError, match="has no feature"):
        fs({"b": np.array(["x"])})
    raw = FeatureSpace(features={"a": FeatureSpace.string_categorical(
        output_mode="int")})
    with pytest.raises(ValueError, match="Cannot concatenate"):
        raw.adapt({"a": ["x", "y"]})    # as Keras: adapt builds the graph


def test_whole_floats_feed_integer_features():
    spec, crosses, mode, extra = CASES["all_types"]
    fs = build(spec, crosses, mode, extra)
    train = part("train", spec)
    train["cp"], train["zip"] = (train["cp"].astype(np.float64),
                                 train["zip"].astype(np.float64))
    fs.adapt(train)
    test = part("test", spec)
    test["zip"] = test["zip"].astype(np.float32)
    np.testing.assert_allclose(fs(test), DATA["all_types/concat"],
                               atol=1e-5)
    test["zip"] = test["zip"] + 0.5
    with pytest.raises(ValueError, match="non-integer"):
        fs(test)


def test_no_adapt_needed_for_stateless_features():
    fs = FeatureSpace(features={"x": "float", "y": FeatureSpace.
                                float_rescaled(scale=2.0, offset=1.0)})
    out = fs({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    np.testing.assert_allclose(out, [[1.0, 7.0], [2.0, 9.0]])


def test_keras_example_flow_trains_a_model():
    """The "structured data classification with FeatureSpace" flow on a
    small synthetic table: adapt, encode, train on the encoded features,
    then an inference model on raw values."""
    rng = np.random.default_rng(0)
    n = 240
    table = {
        "sex": rng.choice(["male", "female"], n),
        "cp": rng.integers(0, 4, n),
        "thal": rng.choice(["fixed", "normal", "reversible"], n),
        "age": rng.uniform(20, 80, n).astype("float32"),
        "chol": rng.normal(240, 40, n).astype("float32"),
    }
    target = ((table["age"] > 50) & (table["thal"] != "normal")) | \
        (table["cp"] == 3)
    target = target.astype("float32")[:, None]
    fs = FeatureSpace(
        features={"sex": "string_categorical",
                  "cp": "integer_categorical",
                  "thal": "string_categorical",
                  "age": "float_discretized",
                  "chol": "float_normalized"},
        crosses=[FeatureSpace.cross(feature_names=("age", "thal"),
                                    crossing_dim=16)],
        output_mode="concat", num_discretization_bins=6)
    dataset = keras.utils.dataset_utils.ArrayDataset(table, target,
                                                     batch_size=32)
    fs.adapt(dataset.map(lambda x, _: x))     # the example's unlabeled data
    encoded = fs.get_encoded_features()
    x = keras.layers.Dense(16, activation="relu")(encoded)
    predictions = keras.layers.Dense(1, activation="sigmoid")(x)
    training_model = keras.Model(inputs=encoded, outputs=predictions)
    training_model.compile(optimizer="adam", loss="binary_crossentropy",
                           metrics=["accuracy"])
    keras.utils.set_random_seed(1)
    preprocessed = dataset.map(lambda x, y: (fs(x), y))
    history = training_model.fit(preprocessed, epochs=40, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85
    inference_model = keras.Model(inputs=fs.get_inputs(),
                                  outputs=predictions)
    raw = {k: np.asarray(v)[:8, None] for k, v in table.items()}
    np.testing.assert_allclose(
        inference_model.predict(raw, verbose=0),
        training_model.predict(fs({k: v[:8] for k, v in table.items()}),
                               verbose=0), atol=1e-6)
