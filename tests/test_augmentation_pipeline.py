"""keras.layers.Pipeline, and the configs and `.keras` files of the
geometric and mixing augmentations against Keras 3.15
(make_augmentation_geometric_fixtures.py)."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras

HERE = pathlib.Path(__file__).parent / "fixtures"
KERAS = np.load(HERE / "keras_augmentation_geometric.npz")
CONFIGS = json.loads((HERE / "keras_augmentation_geometric.json").read_text())[
    "configs"]
# Keras leaves MaxNumBoundingBoxes' fill_value out of its config (so it
# does not round-trip); seqcore writes it too.
EXTRA = {"MaxNumBoundingBoxes": {"fill_value"}}


def _plain(value):
    return json.loads(json.dumps(value))


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(
        np.float32)


@pytest.mark.parametrize("name", sorted(set(CONFIGS) - {"Pipeline"}))
def test_config_keys_and_values_match_keras(name):
    case = CONFIGS[name]
    ours = getattr(keras.layers, name)(**case["kwargs"]).get_config()
    want = case["config"]
    assert set(ours) - set(want) == EXTRA.get(name, set())
    assert set(want) <= set(ours)
    for key in set(want) - {"name"}:
        assert _plain(ours[key]) == want[key], key


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_keras_config_loads_and_round_trips(name):
    config = CONFIGS[name]["config"]
    layer = keras.layers.deserialize(
        {"module": "keras.layers", "class_name": name, "config": config,
         "registered_name": None})
    assert type(layer).__name__ == name
    again = type(layer).from_config(layer.get_config())
    assert _plain(again.get_config()) == _plain(layer.get_config())


def test_pipeline_from_keras_config_keeps_its_layers():
    config = CONFIGS["Pipeline"]["config"]
    pipe = keras.layers.Pipeline.from_config(config)
    assert pipe.name == "augment"
    assert [type(v).__name__ for v in pipe.layers] == ["RandomShear",
                                                       "MixUp"]
    assert pipe.layers[0].x_factor == (-0.2, 0.2)
    assert pipe.layers[1].alpha == 0.3 and pipe.layers[1].seed == 2
    assert set(pipe.get_config()) == set(config) == {"layers", "name"}
    with pytest.raises(ValueError, match="layers"):
        keras.layers.Pipeline.from_config({"name": "p"})


def test_pipeline_applies_layers_in_order_with_training():
    x = _images((4, 8, 8, 3), 1)
    shear = keras.layers.RandomShear(0.3, 0.2, seed=5)
    mix = keras.layers.MixUp(seed=6)
    pipe = keras.layers.Pipeline([keras.layers.RandomShear(0.3, 0.2, seed=5),
                                  keras.layers.Rescaling(0.5),
                                  keras.layers.MixUp(seed=6)])
    want = mix(shear(x) * 0.5)
    np.testing.assert_allclose(pipe(x), want, rtol=1e-6)
    # training=False goes through: only the rescaling acts
    np.testing.assert_allclose(pipe(x, training=False), x * 0.5)
    # a dict flows through: labels mixed by the MixUp at the end
    d = keras.layers.Pipeline([keras.layers.RandomShear(0.3, 0.2, seed=5),
                               keras.layers.MixUp(seed=6)])(
        {"images": x, "labels": np.eye(4, dtype=np.float32)})
    ref = keras.layers.MixUp(seed=6)({"images": keras.layers.RandomShear(
        0.3, 0.2, seed=5)(x), "labels": np.eye(4, dtype=np.float32)})
    np.testing.assert_allclose(d["images"], ref["images"], rtol=1e-6)
    np.testing.assert_allclose(d["labels"], ref["labels"])
    assert pipe.compute_output_shape((None, 8, 8, 3)) == (None, 8, 8, 3)
    with pytest.raises(ValueError, match="list of layers"):
        keras.layers.Pipeline("RandomFlip")


def test_pipeline_in_a_model_trains_and_predicts_identity():
    x = _images((8, 6, 6, 2), 2) / 255.0
    y = np.random.default_rng(3).integers(0, 3, 8)
    model = keras.Sequential([
        keras.Input((6, 6, 2)),
        keras.layers.Pipeline([keras.layers.RandomShear(0.2, seed=1),
                               keras.layers.RandomErasing(
                                   value_range=(0, 1), seed=2)]),
        keras.layers.Flatten(), keras.layers.Dense(3)])
    model.compile(optimizer="sgd",
                  loss=keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True))
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    dense = model.layers[-1]
    want = x.reshape(8, -1) @ dense.get_weights()[0] + dense.get_weights()[1]
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5,
                               atol=1e-5)


def test_keras_saved_model_loads_and_predicts(tmp_path):
    model = keras.saving.load_model(
        HERE / "keras_augmentation_geometric.keras")
    names = [type(v).__name__ for v in model.layers]
    assert {"RandomShear", "Pipeline", "RandomElasticTransform"} <= set(names)
    x = KERAS["model/x"]
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               KERAS["model/predict"], rtol=1e-5, atol=1e-5)
    # and back: our file reloads with the same predictions and configs
    path = tmp_path / "aug.keras"
    model.save(path)
    again = keras.saving.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0),
                               KERAS["model/predict"], rtol=1e-5, atol=1e-5)
    pipes = [v for v in again.layers if type(v).__name__ == "Pipeline"]
    assert [type(v).__name__ for v in pipes[0].layers] == [
        "RandomPerspective", "RandomErasing"]
    # the second Pipeline holds two Dense layers, loaded from Keras's file
    assert [w.shape for w in pipes[1].get_weights()] == [(192, 5), (5,),
                                                         (5, 3), (3,)]


def test_pipeline_of_trainable_layers_trains_as_they_do():
    x = np.random.default_rng(4).random((16, 4)).astype(np.float32)
    y = np.random.default_rng(5).random((16, 3)).astype(np.float32)
    inner = keras.layers.Dense(3)
    piped = keras.Sequential([keras.Input((4,)),
                              keras.layers.Pipeline([inner])])
    assert len(piped.trainable_weights) == 2
    plain = keras.layers.Dense(3)
    model = keras.Sequential([keras.Input((4,)), plain])
    plain.set_weights(inner.get_weights())
    for m in (piped, model):
        m.compile(optimizer="sgd", loss="mse")
        m.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(inner.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("make", [
    lambda: keras.layers.RandomShear(0.2, (0.1, 0.3), fill_mode="constant",
                                     fill_value=2.0, seed=3),
    lambda: keras.layers.RandomPerspective(0.5, scale=0.3, seed=1),
    lambda: keras.layers.RandomElasticTransform(0.4, (0.1, 0.9),
                                                value_range=(0, 1)),
    lambda: keras.layers.RandomErasing(scale=0.2, fill_value=1.0),
    lambda: keras.layers.CutMix(0.5, seed=9),
    lambda: keras.layers.MixUp(0.7, data_format="channels_first"),
    lambda: keras.layers.MaxNumBoundingBoxes(5, fill_value=0,
                                             bounding_box_format="xywh"),
], ids=["shear", "perspective", "elastic", "erasing", "cutmix", "mixup",
        "maxboxes"])
def test_config_round_trip_through_serialize(make):
    layer = make()
    config = keras.layers.serialize(layer)
    again = keras.layers.deserialize(_plain(config))
    assert _plain(again.get_config()) == _plain(layer.get_config())


@pytest.mark.parametrize("make", [
    lambda: keras.layers.RandomShear(0.3, 0.2, seed=5),
    lambda: keras.layers.RandomPerspective(seed=5),
    lambda: keras.layers.RandomElasticTransform(seed=5),
    lambda: keras.layers.RandomErasing(seed=5),
    lambda: keras.layers.CutMix(seed=5),
    lambda: keras.layers.MixUp(seed=5),
], ids=["shear", "perspective", "elastic", "erasing", "cutmix", "mixup"])
def test_keras_transformation_api_gives_the_call(make):
    """get_random_transformation + transform_images/labels (Keras's names,
    what RandAugment/AugMix call) give what a call gives."""
    x = _images((4, 9, 8, 3), 3)
    labels = np.eye(4, dtype=np.float32)
    want = make()({"images": x, "labels": labels})
    layer = make()
    t = layer.get_random_transformation(x)
    np.testing.assert_array_equal(layer.transform_images(x, t),
                                  want["images"])
    np.testing.assert_array_equal(layer.transform_labels(labels, t),
                                  want["labels"])
    assert layer.get_random_transformation(x, training=False) is None
    np.testing.assert_array_equal(layer.transform_images(x, t,
                                                         training=False), x)
    # an explicit seed: the same draw every time
    a = layer.get_random_transformation(x, seed=7)
    b = layer.get_random_transformation(x, seed=7)
    np.testing.assert_array_equal(layer.transform_images(x, a),
                                  layer.transform_images(x, b))
