"""Keras 3.15's colour/intensity image layers (AutoContrast, Equalization,
CLAHE, RandomColorDegeneration, RandomColorJitter, RandomGrayscale,
RandomHue, RandomInvert, RandomPosterization, RandomSaturation,
RandomSharpness, Solarization, RandomGaussianBlur): outputs against Keras
fixtures (tests/fixtures/make_augmentation_color_fixtures.py), random
draws, inference behaviour, configs, saving, bad arguments."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests.conftest import same_bits_with_threads

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
ARRAYS = np.load(FIXTURES / "augmentation_color.npz")
CASES = json.loads((FIXTURES / "augmentation_color.json").read_text())[
    "cases"]
# layers that quantize to 8-bit levels: within one level of Keras
HISTOGRAM = {"Equalization", "ContrastLimitedAdaptiveHistogramEqualization",
             "RandomPosterization"}

RNG = np.random.RandomState(3)
RGB = RNG.uniform(0, 255, (4, 6, 5, 3)).astype(np.float32)


def as_json(value):
    return json.loads(json.dumps(value))


def make(case):
    return getattr(layers, case["layer"])(**case["kwargs"])


def tolerance(case):
    scale = max(abs(v) for v in case["config"].get("value_range", (0, 255)))
    if case["layer"] in HISTOGRAM:
        return scale / 255.0 + 1e-5 * scale
    return 1e-5 * max(scale, 1.0)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items()
                                        if c["call"] != "transform"))
def test_call_matches_keras(name):
    case = CASES[name]
    layer = make(case)
    x = ARRAYS[f"images/{case['images']}"]
    if case["call"] == "default":
        out = layer(x)
    else:
        out = layer(x, training=case["call"] == "train")
    expected = ARRAYS[f"{name}/output"]
    assert out.shape == expected.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=0, atol=tolerance(case))


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items()
                                        if c["call"] == "transform"))
def test_transform_matches_keras(name):
    """Keras's transform_images with given parameters == our _apply."""
    case = CASES[name]
    layer = make(case)
    x = ARRAYS[f"images/{case['images']}"]
    params = {k: ARRAYS[f"{name}/param/{k}"] for k in case["params"]}
    if case["layer"] == "RandomGrayscale":
        params = {"apply": params["should_apply"]}
    batch = np.moveaxis(x, 1, -1) if layer.data_format == "channels_first" \
        else x
    out = layer._apply(np.ascontiguousarray(batch), params)
    if layer.data_format == "channels_first":
        out = np.moveaxis(out, -1, 1)
    np.testing.assert_allclose(out, ARRAYS[f"{name}/output"], rtol=0,
                               atol=tolerance(case))


def test_equalization_levels_on_8bit_images():
    """Whole levels; the same as Keras's except where a level is an exact
    half (Keras on JAX divides through a float32 reciprocal, 127.49999
    rounds down; we divide exactly, 127.5 rounds to even)."""
    case = CASES["equalization"]
    out = make(case)(ARRAYS["images/i255"], training=True)
    expected = ARRAYS["equalization/output"]
    np.testing.assert_array_equal(out, np.round(out))
    differ = out != expected
    assert differ.mean() < 0.02
    np.testing.assert_array_equal(np.abs(out - expected)[differ], 1.0)
    assert set(out[differ].tolist()) <= {128.0}


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras(name):
    case = CASES[name]
    ours = as_json(make(case).get_config())
    theirs = dict(case["config"])
    assert sorted(ours) == sorted(theirs)
    for key in ("name", "dtype"):
        ours.pop(key), theirs.pop(key)
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_config_loads(name):
    """A layer made from Keras's config writes Keras's config back."""
    case = CASES[name]
    cls = getattr(layers, case["layer"])
    layer = cls.from_config(dict(case["config"]))
    ours = as_json(layer.get_config())
    assert ours == case["config"]


@pytest.mark.parametrize("name", ["hue", "solarization_mixed", "clahe_grid_01",
                                  "gaussian_blur_mixed", "color_jitter",
                                  "posterization", "grayscale_cf"])
def test_config_round_trip(name):
    layer = make(CASES[name])
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    restored = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(restored) is type(layer)
    assert restored.get_config()["data_format"] == layer.data_format


def test_keras_saved_model_loads_and_predicts():
    data = np.load(FIXTURES / "saved" / "augmentation_color.npz")
    model = keras.saving.load_model(FIXTURES / "saved" /
                                    "augmentation_color.keras")
    names = [type(layer).__name__ for layer in model.layers]
    assert names[0] == "AutoContrast" and "RandomColorJitter" in names
    out = model.predict(data["x"], verbose=0)
    np.testing.assert_allclose(out, data["y"], rtol=0, atol=1e-5 * 255)
    assert np.abs(out - data["x"]).max() > 10     # the model did transform


ALL_RANDOM = [
    lambda: layers.RandomColorDegeneration(0.8, seed=7),
    lambda: layers.RandomColorJitter(brightness_factor=0.3,
                                     contrast_factor=0.4,
                                     saturation_factor=(0.2, 0.9),
                                     hue_factor=0.4, seed=7),
    lambda: layers.RandomGrayscale(seed=7),
    lambda: layers.RandomHue(0.7, seed=7),
    lambda: layers.RandomInvert(seed=7),
    lambda: layers.RandomPosterization(6, seed=7),
    # (value_range clips the HSV saturation: (0, 1) keeps it a saturation)
    lambda: layers.RandomSaturation(0.9, value_range=(0, 1), seed=7),
    lambda: layers.RandomSharpness(0.9, seed=7),
    lambda: layers.Solarization(0.5, 0.5, seed=7),
    lambda: layers.RandomGaussianBlur(seed=7),
]


@pytest.mark.parametrize("build", ALL_RANDOM)
def test_int_seed_reproduces_and_draws_change(build):
    first, second = build(), build()
    a1, a2 = first(RGB, training=True), first(RGB, training=True)
    b1, b2 = second(RGB, training=True), second(RGB, training=True)
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert a1.shape == RGB.shape and a1.dtype == np.float32
    assert not np.array_equal(a1, a2)     # a new draw each call
    assert a1.min() >= -1e-3 and a1.max() <= 255 + 1e-3


@pytest.mark.parametrize("build", ALL_RANDOM)
def test_identity_at_inference_and_in_predict(build):
    layer = build()
    np.testing.assert_array_equal(layer(RGB, training=False), RGB)
    model = keras.Sequential([keras.Input((6, 5, 3)), layer])
    np.testing.assert_array_equal(model.predict(RGB, verbose=0), RGB)


def test_call_without_training_augments_as_keras():
    """As Keras 3.15, a call with no training argument transforms, on the
    layer and on a model holding it (every call, not only the first);
    predict and training=False do not."""
    out = layers.RandomInvert((1.0, 1.0))(RGB)
    np.testing.assert_allclose(out, 255 - RGB, atol=1e-4)
    model = keras.Sequential([keras.Input((6, 5, 3)),
                              layers.RandomInvert((1.0, 1.0)),
                              layers.Rescaling(1.0)])
    for _ in range(3):
        np.testing.assert_allclose(model(RGB), 255 - RGB, atol=1e-4)
        np.testing.assert_allclose(model(RGB, training=False), RGB)
        np.testing.assert_allclose(model.predict(RGB, verbose=0), RGB)


def test_always_active_layers_transform_in_predict():
    x = ARRAYS["images/dull"]
    for layer in (layers.AutoContrast(),
                  layers.ContrastLimitedAdaptiveHistogramEqualization(
                      tile_grid_size=(2, 2))):
        model = keras.Sequential([keras.Input(x.shape[1:]), layer])
        np.testing.assert_allclose(model.predict(x, verbose=0),
                                   layer(x, training=True), atol=1e-5)
    equalize = layers.Equalization()
    np.testing.assert_array_equal(equalize(x, training=False), x)


def test_each_image_gets_its_own_draw():
    x = np.repeat(RGB[:1], 64, axis=0)
    out = layers.RandomHue(0.8, seed=1)(x, training=True)
    means = out.reshape(64, -1).mean(axis=1)
    assert len(np.unique(np.round(means, 3))) > 50
    gray = layers.RandomGrayscale(0.5, seed=2)(x, training=True)
    is_gray = np.all(np.ptp(gray, axis=-1) < 1e-4, axis=(1, 2))
    assert 16 <= is_gray.sum() <= 48


def test_draws_follow_keras_distributions():
    rng = np.random.default_rng(0)
    batch = np.zeros((4000, 1, 1, 3), np.float32)
    hue = layers.RandomHue((0.2, 0.6))._draw(rng, batch)["factor"]
    assert np.all(np.abs(hue) >= 0.1 - 1e-9) and np.all(np.abs(hue) <= 0.3)
    assert 0.45 < np.mean(hue > 0) < 0.55
    sat = layers.RandomSaturation((0.5, 0.5))._draw(rng, batch)["factor"]
    np.testing.assert_allclose(sat, 1.0, rtol=1e-6)
    bits = 8 - layers.RandomPosterization(4)._draw(
        rng, batch)["shift_factor"].astype(int)
    assert set(np.unique(bits)) == {1, 2, 3}      # randint excludes 4
    sol = layers.Solarization((0.1, 0.2), (0.3, 0.4))._draw(rng, batch)
    assert sol["additions"].min() >= 0.1 and sol["additions"].max() <= 51
    assert sol["thresholds"].min() >= 0.3 and sol["thresholds"].max() <= 102
    inv = layers.RandomInvert(0.5)._draw(rng, batch)["apply_inversion"]
    assert 0.2 < inv.mean() < 0.3                  # E[p] = 0.25
    blur = layers.RandomGaussianBlur(sigma=(0.3, 0.6))._draw(rng, batch)
    assert blur["blur_factor"].shape == (2,)
    assert np.all((blur["blur_factor"] > 0.3) & (blur["blur_factor"] < 0.6))
    deg = layers.RandomColorDegeneration(0.5)._draw(rng, batch)["factor"]
    assert deg.min() < -0.45 and deg.max() > 0.45  # a number f: (-f, f)


def test_seedless_layers_follow_the_global_seed():
    keras.utils.set_random_seed(11)
    a = layers.RandomHue(0.5)(RGB, training=True)
    keras.utils.set_random_seed(11)
    b = layers.RandomHue(0.5)(RGB, training=True)
    np.testing.assert_array_equal(a, b)


def test_single_image_and_channels_first_agree_with_batch():
    layer = layers.RandomSharpness((0.9, 0.9))
    batch = layer(RGB, training=True)
    np.testing.assert_allclose(layer(RGB[2], training=True), batch[2],
                               atol=1e-4)
    first = layers.RandomSharpness((0.9, 0.9), data_format="channels_first")
    out = first(np.moveaxis(RGB, -1, 1), training=True)
    np.testing.assert_allclose(np.moveaxis(out, 1, -1), batch, atol=1e-4)


def test_dict_inputs_transform_images_and_pass_the_rest():
    labels = np.eye(4, dtype=np.float32)
    masks = np.ones((4, 6, 5, 1), np.float32)
    out = layers.RandomInvert((1.0, 1.0))(
        {"images": RGB, "labels": labels, "segmentation_masks": masks},
        training=True)
    np.testing.assert_allclose(out["images"], 255 - RGB, atol=1e-4)
    assert out["labels"] is labels and out["segmentation_masks"] is masks
    boxes = {"boxes": np.zeros((4, 2, 4), np.float32),
             "labels": np.zeros((4, 2), np.int32)}
    with pytest.raises(ValueError, match="bounding box format"):
        layers.RandomGrayscale()({"images": RGB, "bounding_boxes": boxes})
    layer = layers.AutoContrast(bounding_box_format="xyxy")
    out = layer({"images": RGB, "bounding_boxes": boxes})
    assert out["bounding_boxes"] is boxes
    assert layer.get_config()["bounding_box_format"] == "xyxy"
    with pytest.raises(ValueError, match="'images'"):
        layers.AutoContrast()({"labels": labels})


def test_sub_layer_use_on_a_batch():
    """What RandAugment-style composites call: _augment(batch, rng)."""
    rng = np.random.default_rng(5)
    for build in ALL_RANDOM:
        out = build()._augment(RGB.copy(), rng)
        assert out.shape == RGB.shape and np.all(np.isfinite(out))


def test_saved_model_round_trip(tmp_path):
    model = keras.Sequential([
        keras.Input((6, 5, 3)), layers.AutoContrast(),
        layers.RandomColorJitter(brightness_factor=0.2, hue_factor=0.2,
                                 seed=3),
        layers.Solarization(0.2, seed=4), layers.Equalization(bins=64),
        layers.RandomPosterization((2, 6), seed=5),
        layers.ContrastLimitedAdaptiveHistogramEqualization(
            tile_grid_size=(2, 2)),
        layers.RandomGaussianBlur(kernel_size=(3, 5), sigma=(0.2, 0.9))])
    path = tmp_path / "color.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert [as_json(l.get_config()) for l in loaded.layers] == \
        [as_json(l.get_config()) for l in model.layers]
    np.testing.assert_allclose(loaded.predict(RGB, verbose=0),
                               model.predict(RGB, verbose=0), atol=1e-5)


def test_training_in_fit_augments_before_a_trainable_layer():
    model = keras.Sequential([
        keras.Input((6, 5, 3)), layers.RandomHue(0.3, seed=1),
        layers.RandomSharpness(0.5, seed=2), layers.Flatten(),
        layers.Dense(2)])
    model.compile("sgd", "mse")
    history = model.fit(RGB / 255, np.zeros((4, 2), np.float32), epochs=2,
                        verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_compute_output_shape():
    assert layers.AutoContrast().compute_output_shape((None, 8, 8, 3)) == \
        (None, 8, 8, 3)
    assert layers.RandomColorDegeneration(0.2).compute_output_shape(
        (2, 8, 8, 3)) == (2, 8, 8, 3)
    with pytest.raises(ValueError, match="3 channels"):
        layers.RandomColorDegeneration(0.2).compute_output_shape((2, 8, 8, 4))


@pytest.mark.parametrize("build, exception, words", [
    (lambda: layers.RandomHue(1.5), ValueError, "factor"),
    (lambda: layers.RandomHue("big"), ValueError, "factor"),
    (lambda: layers.RandomSaturation((0.1, 0.2, 0.3)), ValueError, "factor"),
    (lambda: layers.RandomInvert(-0.5), ValueError, "factor"),
    (lambda: layers.RandomSharpness(2.0), ValueError, "factor"),
    (lambda: layers.RandomColorDegeneration(1.5), ValueError, "factor"),
    (lambda: layers.RandomPosterization(9), ValueError, "factor"),
    (lambda: layers.RandomPosterization(2.5), ValueError, "whole"),
    (lambda: layers.RandomGrayscale(1.5), ValueError, "between 0 and 1"),
    (lambda: layers.RandomGrayscale((0.1, 0.2)), TypeError, "factor"),
    (lambda: layers.Solarization(1.5), ValueError, "addition_factor"),
    (lambda: layers.Solarization(threshold_factor=(0.1, 2.0)), ValueError,
     "threshold_factor"),
    (lambda: layers.RandomGaussianBlur(kernel_size=4), ValueError, "odd"),
    (lambda: layers.RandomGaussianBlur(sigma=2.0), ValueError, "sigma"),
    (lambda: layers.AutoContrast(value_range=5), ValueError, "value_range"),
    (lambda: layers.Equalization(value_range=(0, 1, 2)), ValueError,
     "value_range"),
    (lambda: layers.Equalization(bins=0), ValueError, "bins"),
    (lambda: layers.AutoContrast(seed=1), ValueError, "seed"),
    (lambda: layers.Equalization(foo=1), ValueError, "foo"),
    (lambda: layers.ContrastLimitedAdaptiveHistogramEqualization(
        tile_grid_size=(0, 2)), ValueError, "tile_grid_size"),
    (lambda: layers.RandomColorJitter(hue_factor=3.0), ValueError, "factor"),
    (lambda: layers.RandomHue(0.1, data_format="nhwc"), ValueError,
     "data_format"),
])
def test_bad_arguments(build, exception, words):
    with pytest.raises(exception, match=words):
        build()


def test_bad_inputs():
    with pytest.raises(ValueError, match="rank 4"):
        layers.RandomHue(0.2)(np.zeros((2, 3), np.float32), training=True)
    with pytest.raises(ValueError, match="3 \\(RGB\\) channels"):
        layers.RandomSaturation(0.2)(np.zeros((1, 4, 4, 2), np.float32),
                                     training=True)


def test_auto_contrast_channels_first_is_per_channel():
    x = ARRAYS["images/dull"]
    last = layers.AutoContrast()(x)
    first = layers.AutoContrast(data_format="channels_first")(
        np.moveaxis(x, -1, 1))
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), last, atol=1e-4)
    np.testing.assert_allclose(last.min(axis=(1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(last.max(axis=(1, 2)), 255, atol=1e-3)


def test_gaussian_blur_every_isa_and_same_bits_with_threads(isa, threads):
    """The blur runs on the depthwise-convolution kernel."""
    case = CASES["gaussian_blur"]
    x = ARRAYS["images/f255"]
    out = same_bits_with_threads(
        threads, lambda: make(case)(x, training=True))
    np.testing.assert_allclose(out, ARRAYS["gaussian_blur/output"], rtol=0,
                               atol=1e-3)
