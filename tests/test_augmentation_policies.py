"""RandAugment and AugMix: configs and a saved model from Keras 3.15
(tests/fixtures/make_augmentation_policy_fixtures.py); behaviour by
properties that do not depend on the random draws."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
CONFIGS = json.loads((FIXTURES /
                      "keras_augmentation_policies.json").read_text())
IMAGES = (np.random.default_rng(0).random((4, 12, 12, 3)) *
          255).astype(np.float32)


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_config_matches_keras(case):
    entry = CONFIGS[case]
    layer = getattr(layers, entry["class_name"])(**entry["kwargs"])
    config = json.loads(json.dumps(layer.get_config()))
    want = dict(entry["config"])
    config.pop("name"), want.pop("name")
    assert config == want
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


def test_keras_saved_model_loads():
    model = keras.saving.load_model(FIXTURES / "saved" /
                                    "augmentation_policies.keras")
    assert [type(l).__name__ for l in model.layers[:2]] == \
        ["RandAugment", "AugMix"]
    # predict does not augment: the Dense sees the flattened images
    dense = model.layers[-1]
    kernel, bias = dense.get_weights()
    x = IMAGES[:, :8, :8]
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               x.reshape(4, -1) @ kernel + bias,
                               rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("make", [
    lambda: layers.RandAugment(seed=3),
    lambda: layers.AugMix(seed=3),
    lambda: layers.RandAugment(num_ops=3, factor=0.9, seed=5),
    lambda: layers.AugMix(all_ops=False, chain_depth=2, seed=5)])
def test_seeded_augmenting_and_identity_at_inference(make):
    a, b = make(), make()
    out = a(IMAGES)
    assert out.shape == IMAGES.shape and not np.allclose(out, IMAGES)
    np.testing.assert_array_equal(out, b(IMAGES))
    np.testing.assert_array_equal(a(IMAGES, training=False), IMAGES)
    assert out.min() >= 0.0 and out.max() <= 255.0
    model = keras.Sequential([keras.Input(IMAGES.shape[1:]), make()])
    np.testing.assert_array_equal(model.predict(IMAGES, verbose=0), IMAGES)


def test_empty_policies_are_the_identity():
    # no operation to apply: RandAugment with num_ops=0; AugMix with chains
    # of depth 0 mixes the image with itself
    np.testing.assert_array_equal(layers.RandAugment(num_ops=0)(IMAGES),
                                  IMAGES)
    np.testing.assert_allclose(layers.AugMix(chain_depth=0, seed=1)(IMAGES),
                               IMAGES, rtol=1e-5, atol=1e-3)


def test_dict_inputs_channels_first_and_errors():
    labels = np.arange(4.0)
    out = layers.AugMix(seed=2)({"images": IMAGES, "labels": labels})
    np.testing.assert_array_equal(out["labels"], labels)
    assert out["images"].shape == IMAGES.shape
    first = np.moveaxis(IMAGES, -1, 1) / 255.0
    result = layers.RandAugment(value_range=(0, 1), seed=2,
                                data_format="channels_first")(first)
    assert result.shape == first.shape and result.max() <= 1.0
    with pytest.raises(ValueError, match="factor"):
        layers.RandAugment(factor=1.5)
    with pytest.raises(NotImplementedError, match="bounding"):
        layers.RandAugment()({"images": IMAGES,
                              "bounding_boxes": {"boxes": np.zeros((4, 1, 4)),
                                                 "labels": np.zeros((4, 1))}})
