"""keras.applications against Keras 3: architecture (layer names and
classes, weight names, shapes and order, parameter counts) of every
constructor, predictions of each family's smallest member with every
weight set by a shared rule, preprocess_input, and the constructors'
argument checks. Fixtures: tests/fixtures/make_application_fixtures.py.
"""
import gzip
import json
import os
import re

import numpy as np
import pytest

import seqcore as keras
from seqcore import applications
from seqcore.engine.op_layer import OpLayer
from tests.fixtures import application_cases as cases

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures",
                        "applications")


def _arch():
    with gzip.open(os.path.join(FIXTURES, "architectures.json.gz"),
                   "rt") as f:
        return json.load(f)


ARCH = _arch()
NUMERIC = dict(np.load(os.path.join(FIXTURES, "numeric.npz")))


def _snake(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _normal_name(name, class_name):
    """Auto-generated names (`conv2d_7`) depend on what was built before:
    compare them as '<auto Conv2D>'."""
    base = re.sub(r"_\d+$", "", name)
    return f"<auto {class_name}>" if base == _snake(class_name) else name


def _weight_name(name):
    """Unnamed variables are `variable`, `variable_1`, ... in Keras (a
    session-wide count): compared as `variable`."""
    return re.sub(r"^variable_\d+$", "variable", name)


def build(key, case):
    ctor = getattr(applications, cases.constructor_name(key))
    return ctor(**cases.kwargs_for(key, case))


def keras_layers(model):
    """The model's layers as Keras lists them (symbolic ops are not
    layers there)."""
    return [l for l in model.layers if not isinstance(l, OpLayer)]


# ---- architecture -----------------------------------------------------------

@pytest.mark.parametrize("key", list(cases.ARCHITECTURES))
def test_architecture_matches_keras(key):
    expected = ARCH[key]
    model = build(key, cases.ARCHITECTURES[key])
    assert model.name == expected["name"]
    got_layers = [[_normal_name(l.name, type(l).__name__), type(l).__name__,
                   [[_weight_name(w.name), list(w.shape)] for w in l.weights]]
                  for l in keras_layers(model)]
    want_layers = [[_normal_name(n, c), c,
                    [[_weight_name(w), s] for w, s in ws]]
                   for n, c, ws in expected["layers"]]
    assert len(got_layers) == len(want_layers)
    for got, want in zip(got_layers, want_layers):
        assert got == want
    assert [[_weight_name(w.name), list(w.shape)] for w in model.weights] == \
        [[_weight_name(w), s] for w, s in expected["weights"]]
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert (trainable, frozen) == (expected["trainable_params"],
                                   expected["non_trainable_params"])
    assert list(model.output_shape) == expected["output_shape"]
    assert list(model.input_shape) == expected["input_shape"]


# ---- predictions -------------------------------------------------------------

def set_rule_weights(model):
    for i, w in enumerate(model.weights):
        w.assign(cases.weight_value(i, w.name, w.shape))


def assert_close(got, want, rtol=1e-4):
    scale = float(np.max(np.abs(want)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("key", list(cases.NUMERIC))
def test_predictions_match_keras(key):
    case = cases.NUMERIC[key]
    module = getattr(applications, cases.PREPROCESS[key])
    pixels = NUMERIC[f"{key}/pixels"]
    x = module.preprocess_input(pixels.copy())
    np.testing.assert_allclose(x, NUMERIC[f"{key}/preprocessed"], rtol=1e-6,
                               atol=1e-5)
    model = build(key, case)
    set_rule_weights(model)
    got = model.predict(x, verbose=0)
    assert_close(got, NUMERIC[f"{key}/predictions"])


def test_input_tensor_is_used_and_inputs_traced_to_its_source():
    inp = keras.Input((32, 32, 3))
    x = keras.layers.Rescaling(1.0)(inp)
    model = applications.MobileNetV2(input_tensor=x, weights=None,
                                     alpha=0.35, include_top=False)
    assert model.inputs[0] is inp
    assert model.output_shape == (None, 1, 1, 1280)


def test_headless_pooling_shapes():
    base = applications.ResNet50V2(include_top=False, weights=None,
                                   input_shape=(64, 48, 3))
    assert base.output_shape == (None, 2, 2, 2048)
    pooled = applications.ResNet50V2(include_top=False, weights=None,
                                     pooling="max")
    assert pooled.output_shape == (None, 2048)
    assert pooled.layers[-1].name == "max_pool"


# ---- preprocess_input and decode_predictions ---------------------------------

def test_preprocess_modes_against_numpy():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (2, 4, 5, 3)).astype(np.float32)
    tf = applications.xception.preprocess_input(x.copy())
    np.testing.assert_allclose(tf, x / 127.5 - 1.0, rtol=1e-6)
    caffe = applications.resnet50.preprocess_input(x.copy())
    want = x[..., ::-1] - np.array([103.939, 116.779, 123.68], np.float32)
    np.testing.assert_allclose(caffe, want, rtol=1e-6, atol=1e-4)
    torch = applications.densenet.preprocess_input(x.copy())
    want = (x / 255.0 - np.array([0.485, 0.456, 0.406])) / \
        np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(torch, want, rtol=1e-5, atol=1e-5)
    first = applications.vgg16.preprocess_input(
        np.moveaxis(x, -1, 1).copy(), data_format="channels_first")
    np.testing.assert_allclose(np.moveaxis(first, 1, -1), caffe, rtol=1e-6,
                               atol=1e-4)
    ints = applications.mobilenet.preprocess_input(
        np.full((1, 2, 2, 3), 255, np.uint8))
    assert ints.dtype == np.float32 and np.all(ints == 1.0)
    for identity in (applications.efficientnet, applications.mobilenet_v3,
                     applications.convnext):
        assert identity.preprocess_input(x) is x


def test_preprocess_errors():
    x = np.zeros((1, 2, 2, 3), np.float32)
    with pytest.raises(ValueError, match="Expected mode to be one of"):
        applications.imagenet_utils.preprocess_input(x, mode="bgr")
    with pytest.raises(ValueError, match="Expected data_format"):
        applications.resnet.preprocess_input(x, data_format="nhwc")


def test_decode_predictions_reads_class_index_offline(tmp_path, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (tmp_path / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("SEQCORE_DATA", str(tmp_path))
    monkeypatch.setattr(applications.imagenet_utils, "CLASS_INDEX", None)
    preds = np.zeros((2, 1000), np.float32)
    preds[0, [3, 7, 1]] = [0.5, 0.3, 0.2]
    preds[1, 999] = 1.0
    out = applications.resnet50.decode_predictions(preds, top=3)
    assert [r[:2] for r in out[0]] == [("n00000003", "class_3"),
                                       ("n00000007", "class_7"),
                                       ("n00000001", "class_1")]
    assert out[0][0][2] == pytest.approx(0.5)
    assert out[1][0][:2] == ("n00000999", "class_999")
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        applications.vgg16.decode_predictions(np.zeros((2, 10)))


def test_decode_predictions_without_class_index(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    monkeypatch.setattr(applications.imagenet_utils, "CLASS_INDEX", None)
    with pytest.raises(FileNotFoundError) as err:
        applications.xception.decode_predictions(np.zeros((1, 1000)))
    assert "imagenet_class_index.json" in str(err.value)
    assert "download.tensorflow.org/data/imagenet_class_index.json" in \
        str(err.value)


# ---- constructor argument checks (Keras's errors) ----------------------------

@pytest.mark.parametrize("ctor, kwargs, message", [
    ("Xception", {"include_top": False, "input_shape": (70, 70, 3)},
     "Input size must be at least 71x71"),
    ("InceptionV3", {"include_top": False, "input_shape": (74, 80, 3)},
     "Input size must be at least 75x75"),
    ("ResNet50", {"include_top": False, "input_shape": (31, 64, 3)},
     "Input size must be at least 32x32"),
    ("VGG16", {"input_shape": (None, None, 3)},
     "you should specify a static `input_shape`"),
    ("VGG19", {"include_top": False, "input_shape": (64, 64)},
     "must be a tuple of three integers"),
    ("MobileNetV3Small", {"input_shape": (16, 16, 3)},
     "Input size must be at least 32x32"),
    ("DenseNet121", {"weights": "no/such/file.h5"},
     "The `weights` argument should be either"),
])
def test_constructor_errors(ctor, kwargs, message):
    kwargs = {"weights": None, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(applications, ctor)(**kwargs)


@pytest.mark.parametrize("ctor, kwargs, message", [
    ("ResNet50", {"input_shape": (100, 100, 3)},
     "`input_shape` should be (224, 224, 3)"),
    ("EfficientNetB0", {"classes": 10}, "`classes` should be 1000"),
    ("MobileNetV2", {"classifier_activation": "relu"},
     "Only `None` and `softmax` activations are allowed"),
    ("MobileNet", {"alpha": 0.3}, "alpha can be one of"),
    ("MobileNetV2", {"alpha": 0.6}, "alpha must be one of"),
    ("MobileNetV3Large", {"alpha": 0.75, "minimalistic": True},
     "alpha can be one of `0.75`, `1.0` for non minimalistic"),
    ("Xception", {"include_top": False, "input_shape": (99, 99, 1)},
     "The input must have 3 channels"),
])
def test_imagenet_argument_errors(ctor, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(applications, ctor)(weights="imagenet", **kwargs)


def test_unusual_channel_count_warns():
    with pytest.warns(UserWarning, match="1 or 3 input channels"):
        model = applications.VGG16(weights=None, include_top=False,
                                   input_shape=(32, 32, 5))
    assert model.layers[1].weights[0].shape == (3, 3, 5, 64)


def test_module_aliases_have_keras_names():
    for module, names in [
            ("resnet50", ["ResNet50"]),
            ("resnet", ["ResNet50", "ResNet101", "ResNet152"]),
            ("resnet_v2", ["ResNet50V2", "ResNet101V2", "ResNet152V2"]),
            ("mobilenet", ["MobileNet"]), ("mobilenet_v2", ["MobileNetV2"]),
            ("mobilenet_v3", ["MobileNetV3Small", "MobileNetV3Large"]),
            ("efficientnet", [f"EfficientNetB{i}" for i in range(8)]),
            ("densenet", ["DenseNet121", "DenseNet169", "DenseNet201"]),
            ("inception_v3", ["InceptionV3"]), ("vgg16", ["VGG16"]),
            ("vgg19", ["VGG19"]), ("xception", ["Xception"]),
            ("convnext", ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase",
                          "ConvNeXtLarge", "ConvNeXtXLarge"])]:
        mod = getattr(keras.applications, module)
        for name in names + ["preprocess_input", "decode_predictions"]:
            assert callable(getattr(mod, name)), (module, name)
