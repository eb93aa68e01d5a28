"""keras.applications EfficientNetV2, InceptionResNetV2 and NASNet against
Keras 3: architecture (layer names, classes, chosen config entries, weight
names, shapes and order, parameter counts), predictions of each family's
smallest member with every weight set by a shared rule, weights="imagenet"
from a file in Keras's published layout under Keras's name,
preprocess_input, Keras's argument errors, and a training step.
Fixtures: tests/fixtures/make_applications_b_fixtures.py.
"""
import gzip
import json
import os
import re

import h5py
import numpy as np
import pytest

import seqcore as keras
from seqcore import applications
from tests.fixtures import application_b_cases as cases
from tests.test_applications import (_normal_name, _weight_name,
                                     assert_close, keras_layers,
                                     set_rule_weights)

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures",
                        "applications")
with gzip.open(os.path.join(FIXTURES, "architectures_b.json.gz"),
               "rt") as _f:
    ARCH = json.load(_f)
with open(os.path.join(FIXTURES, "legacy_b.json")) as _f:
    LEGACY = json.load(_f)
NUMERIC = dict(np.load(os.path.join(FIXTURES, "numeric_b.npz")))


def build(key, case, **extra):
    ctor = getattr(applications, cases.constructor_name(key))
    kwargs = cases.kwargs_for(key, case)
    kwargs.update(extra)
    return ctor(**kwargs)


def _config(layer):
    config = layer.get_config()
    return json.loads(json.dumps(
        {k: config[k] for k in cases.CONFIG_KEYS if k in config},
        default=str))


def _close_config(got, want):
    """Configs equal, floats (and float lists) to float32 precision."""
    assert set(got) == set(want), (got, want)
    for k, w in want.items():
        g = got[k]
        if isinstance(w, float) or (isinstance(w, list) and w and
                                    isinstance(w[0], float)):
            np.testing.assert_allclose(g, w, rtol=1e-6, err_msg=k)
        else:
            assert g == w, (k, g, w)


# ---- architecture -----------------------------------------------------------

@pytest.mark.parametrize("key", list(cases.ARCHITECTURES))
def test_architecture_matches_keras(key):
    expected = ARCH[key]
    model = build(key, cases.ARCHITECTURES[key])
    assert model.name == expected["name"]
    got_layers = keras_layers(model)
    assert len(got_layers) == len(expected["layers"])
    for layer, (name, cls, ws), config in zip(got_layers, expected["layers"],
                                              expected["configs"]):
        assert _normal_name(layer.name, type(layer).__name__) == \
            _normal_name(name, cls)
        assert type(layer).__name__ == cls, layer.name
        assert [[_weight_name(w.name), list(w.shape)]
                for w in layer.weights] == \
            [[_weight_name(w), s] for w, s in ws], layer.name
        _close_config(_config(layer), config)
    assert [[_weight_name(w.name), list(w.shape)] for w in model.weights] == \
        [[_weight_name(w), s] for w, s in expected["weights"]]
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert (trainable, frozen) == (expected["trainable_params"],
                                   expected["non_trainable_params"])
    assert list(model.output_shape) == expected["output_shape"]
    assert list(model.input_shape) == expected["input_shape"]


# ---- predictions -------------------------------------------------------------

@pytest.mark.parametrize("key", list(cases.NUMERIC))
def test_predictions_match_keras(key):
    module = getattr(applications, cases.PREPROCESS[key])
    pixels = NUMERIC[f"{key}/pixels"]
    x = module.preprocess_input(pixels.copy())
    np.testing.assert_allclose(x, NUMERIC[f"{key}/preprocessed"], rtol=1e-6,
                               atol=1e-5)
    model = build(key, cases.NUMERIC[key])
    set_rule_weights(model)
    assert_close(model.predict(x, verbose=0),
                 NUMERIC[f"{key}/predictions"])


# ---- weights="imagenet" from Keras's file, offline ---------------------------

@pytest.fixture
def offline_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    return tmp_path


def write_legacy_file(path, layout, shapes):
    """A weight file in the legacy layout Keras wrote for the model
    (`layout` from the fixture), each dataset weight_value of its index in
    Keras's model.weights."""
    names = {}
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [n.encode() for n, _ in layout]
        f.attrs["backend"] = b"jax"
        f.attrs["keras_version"] = b"3.15.0"
        for layer, entries in layout:
            group = f.create_group(layer)
            group.attrs["weight_names"] = [e.encode() for e, _ in entries]
            for entry, index in entries:
                leaf = entry.split("/")[-1]
                names[index] = leaf
                group.create_dataset(entry, data=cases.weight_value(
                    index, leaf, shapes[index]))


@pytest.mark.parametrize("key", list(cases.LEGACY_FILES))
def test_imagenet_weights_load_keras_layout(key, offline_home, monkeypatch):
    file_name = cases.LEGACY_FILES[key]
    folder = offline_home / "kh" / "models"
    folder.mkdir(parents=True)
    monkeypatch.setenv("KERAS_HOME", str(offline_home / "kh"))
    shapes = [w.shape for w in build(key, cases.NUMERIC[key]).weights]
    write_legacy_file(str(folder / file_name), LEGACY[key], shapes)
    model = build(key, cases.NUMERIC[key], weights="imagenet")
    x = NUMERIC[f"{key}/preprocessed"]
    assert_close(model.predict(x, verbose=0),
                 NUMERIC[f"{key}/predictions"])


URL_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


@pytest.mark.parametrize("ctor, kwargs, file_name, url_dir", [
    ("EfficientNetV2B0", {}, "efficientnetv2-b0.h5", "efficientnet_v2/"),
    ("EfficientNetV2B3", {"include_top": False},
     "efficientnetv2-b3_notop.h5", "efficientnet_v2/"),
    ("EfficientNetV2S", {"include_top": False},
     "efficientnetv2-s_notop.h5", "efficientnet_v2/"),
    ("EfficientNetV2L", {}, "efficientnetv2-l.h5", "efficientnet_v2/"),
    ("InceptionResNetV2", {},
     "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
     "inception_resnet_v2/"),
    ("InceptionResNetV2", {"include_top": False},
     "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "inception_resnet_v2/"),
    ("NASNetMobile", {}, "nasnet_mobile.h5", "nasnet/NASNet-mobile.h5"),
    ("NASNetMobile", {"include_top": False}, "nasnet_mobile_no_top.h5",
     "nasnet/NASNet-mobile-no-top.h5"),
    ("NASNetLarge", {}, "nasnet_large.h5", "nasnet/NASNet-large.h5"),
    ("NASNetLarge", {"include_top": False}, "nasnet_large_no_top.h5",
     "nasnet/NASNet-large-no-top.h5"),
])
def test_missing_imagenet_file_names_keras_file_and_url(
        ctor, kwargs, file_name, url_dir, offline_home):
    with pytest.raises(FileNotFoundError) as err:
        getattr(applications, ctor)(weights="imagenet", **kwargs)
    text = str(err.value)
    assert f"'{file_name}'" in text
    assert str(offline_home / "home" / ".keras" / "models") in text
    # NASNet's local names differ from the published ones: url_dir is
    # then the whole published path
    url = URL_BASE + url_dir
    assert url in text if url.endswith(".h5") else url + file_name in text


# ---- preprocess_input / decode_predictions ----------------------------------

@pytest.mark.parametrize("module", ["efficientnet_v2"])
def test_identity_preprocessing_and_decode(module, tmp_path, monkeypatch):
    mod = getattr(applications, module)
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3))
    assert mod.preprocess_input(x) is x
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (tmp_path / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("SEQCORE_DATA", str(tmp_path))
    monkeypatch.setattr(applications.imagenet_utils, "CLASS_INDEX", None)
    preds = np.zeros((1, 1000), np.float32)
    preds[0, [5, 2]] = [0.7, 0.3]
    out = mod.decode_predictions(preds, top=2)
    assert [r[:2] for r in out[0]] == [("n00000005", "class_5"),
                                       ("n00000002", "class_2")]


@pytest.mark.parametrize("module", ["inception_resnet_v2", "nasnet"])
def test_tf_mode_preprocessing(module):
    mod = getattr(applications, module)
    x = np.random.default_rng(1).uniform(0, 255, (2, 4, 5, 3)).astype(
        np.float32)
    np.testing.assert_allclose(mod.preprocess_input(x.copy()),
                               x / 127.5 - 1.0, rtol=1e-6, atol=1e-6)
    first = mod.preprocess_input(np.moveaxis(x, -1, 1).copy(),
                                 data_format="channels_first")
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), x / 127.5 - 1.0,
                               rtol=1e-6, atol=1e-6)


# ---- Keras's argument errors -------------------------------------------------

@pytest.mark.parametrize("ctor, kwargs, error, message", [
    ("EfficientNetV2B0", {"weights": None, "include_top": False,
                          "input_shape": (31, 64, 3)},
     ValueError, "Input size must be at least 32x32"),
    ("EfficientNetV2S", {"weights": None, "input_shape": (None, None, 3)},
     ValueError, "you should specify a static `input_shape`"),
    ("EfficientNetV2B0", {"weights": "imagenet", "classes": 10},
     ValueError, 'If using `weights="imagenet"` with `include_top` as true, '
                 '`classes` should be 1000'),
    ("EfficientNetV2B1", {"weights": "no/such/file.h5"}, ValueError,
     "The `weights` argument should be either `None` (random "
     "initialization), `imagenet`"),
    ("EfficientNetV2B0", {"weights": "imagenet", "include_top": False,
                          "input_shape": (64, 64, 1)},
     ValueError, "The input must have 3 channels"),
    ("EfficientNetV2B2", {"weights": "imagenet",
                          "classifier_activation": "relu"},
     ValueError, "Only `None` and `softmax` activations are allowed"),
    ("EfficientNetV2B0", {"weights": None, "name": "my_base"}, KeyError,
     "my_base"),
    ("InceptionResNetV2", {"weights": None, "include_top": False,
                           "input_shape": (74, 80, 3)},
     ValueError, "Input size must be at least 75x75"),
    ("InceptionResNetV2", {"weights": "imagenet", "classes": 5}, ValueError,
     'If using `weights="imagenet"` with `include_top=True`, `classes` '
     'should be 1000. Received classes=5'),
    ("InceptionResNetV2", {"weights": "missing.h5"}, ValueError,
     "or the path to the weights file to be loaded."),
    ("InceptionResNetV2", {"weights": "imagenet",
                           "input_shape": (150, 150, 3)},
     ValueError, "`input_shape` should be (299, 299, 3)"),
    ("NASNetMobile", {"weights": None, "input_shape": (31, 40, 3)},
     ValueError, "Input size must be at least 32x32"),
    ("NASNetMobile", {"weights": "imagenet", "classes": 3}, ValueError,
     'If using `weights` as `"imagenet"` with `include_top` as true, '
     '`classes` should be 1000'),
    ("NASNetLarge", {"weights": "imagenet", "include_top": False,
                     "input_shape": (None, None, 3)}, ValueError,
     "the input_shape argument must be static (no None entries)"),
    ("NASNetLarge", {"weights": "nowhere.h5"}, ValueError,
     "or the path to the weights file to be loaded."),
    ("NASNetMobile", {"weights": "imagenet", "input_shape": (96, 96, 3)},
     ValueError, "`input_shape` should be (224, 224, 3)"),
])
def test_constructor_errors(ctor, kwargs, error, message, offline_home):
    with pytest.raises(error, match=re.escape(message)):
        getattr(applications, ctor)(**kwargs)


def test_custom_scale_layer():
    layer = applications.inception_resnet_v2.CustomScaleLayer(0.17)
    assert layer.get_config()["scale"] == 0.17
    x = np.arange(6, dtype=np.float32).reshape(1, 6)
    r = np.ones((1, 6), np.float32)
    np.testing.assert_allclose(layer([x, r]), x + 0.17 * r, rtol=1e-6)


def test_nasnet_rejects_channels_first():
    keras.config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="does not support the "
                                             "`channels_first`"):
            applications.NASNetMobile(weights=None)
    finally:
        keras.config.set_image_data_format("channels_last")


def test_nasnet_mobile_headless_defaults_to_224():
    base = applications.NASNetMobile(weights=None, include_top=False)
    assert base.input_shape == (None, 224, 224, 3)
    assert base.output_shape == (None, 7, 7, 1056)


def test_module_names():
    names = {"efficientnet_v2": [f"EfficientNetV2{v}" for v in
                                 ("B0", "B1", "B2", "B3", "S", "M", "L")],
             "inception_resnet_v2": ["InceptionResNetV2"],
             "nasnet": ["NASNetMobile", "NASNetLarge"]}
    for module, ctors in names.items():
        mod = getattr(keras.applications, module)
        for name in ctors:
            assert getattr(mod, name) is getattr(keras.applications, name)
            assert getattr(mod, name).__name__ == name
        for fn in ("preprocess_input", "decode_predictions"):
            assert callable(getattr(mod, fn))


# ---- training -------------------------------------------------------------

@pytest.mark.parametrize("ctor, kwargs, shape", [
    ("EfficientNetV2B0", {}, (32, 32, 3)),
    ("InceptionResNetV2", {}, (75, 75, 3)),
    ("NASNetMobile", {}, (32, 32, 3)),
])
def test_headless_base_with_head_trains(ctor, kwargs, shape):
    base = getattr(applications, ctor)(weights=None, include_top=False,
                                       pooling="avg", input_shape=shape,
                                       **kwargs)
    model = keras.Sequential([base, keras.layers.Dense(3)])
    model.compile(optimizer="adam", loss=keras.losses.
                  SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 255, (4,) + shape).astype(np.float32)
    y = rng.integers(0, 3, 4)
    kernel = base.weights[0].numpy().copy()
    history = model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not np.array_equal(kernel, base.weights[0].numpy())
