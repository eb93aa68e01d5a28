"""Weight files of keras.applications, offline: Keras 3 `.weights.h5`
files and the legacy HDF5 layout of Keras's published files (written by
Keras itself, see tests/fixtures/make_application_fixtures.py), loaded by
path, by `weights="imagenet"` from Keras's cache folders, by order and by
name; and the errors when a file is missing or does not fit."""
import os
import shutil

import h5py
import numpy as np
import pytest

from seqcore import applications
from seqcore.saving import legacy_h5
from tests.fixtures import application_cases as cases

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures",
                        "applications")
NUMERIC = dict(np.load(os.path.join(FIXTURES, "numeric.npz")))
FILE_CASES = list(cases.WEIGHT_FILES)


def build(key, weights=None, **extra):
    ctor = getattr(applications, cases.constructor_name(key))
    kwargs = cases.kwargs_for(key, cases.NUMERIC[key])
    kwargs.update(weights=weights, **extra)
    return ctor(**kwargs)


def check_predictions(model, key):
    x = NUMERIC[f"{key}/preprocessed"]
    want = NUMERIC[f"{key}/predictions"]
    got = model.predict(x, verbose=0)
    scale = float(np.max(np.abs(want)))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * scale)


@pytest.fixture
def offline_home(tmp_path, monkeypatch):
    """An empty home and Keras cache: nothing found unless put there."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.delenv("SEQCORE_DATA", raising=False)
    return tmp_path


@pytest.mark.parametrize("key", FILE_CASES)
def test_keras3_weights_file_by_path(key):
    model = build(key, weights=os.path.join(FIXTURES, f"{key}.weights.h5"))
    check_predictions(model, key)


@pytest.mark.parametrize("key", FILE_CASES)
def test_legacy_file_by_path(key):
    path = os.path.join(FIXTURES, cases.WEIGHT_FILES[key])
    model = build(key, weights=path)
    check_predictions(model, key)


@pytest.mark.parametrize("where", ["KERAS_HOME", "home", "SEQCORE_DATA"])
@pytest.mark.parametrize("key", FILE_CASES)
def test_imagenet_weights_found_in_cache_folders(key, where, offline_home,
                                                 monkeypatch):
    name = cases.WEIGHT_FILES[key]
    if where == "KERAS_HOME":
        folder = offline_home / "kh" / "models"
        monkeypatch.setenv("KERAS_HOME", str(offline_home / "kh"))
    elif where == "home":
        folder = offline_home / "home" / ".keras" / "models"
    else:
        folder = offline_home / "data"
        monkeypatch.setenv("SEQCORE_DATA", str(folder))
    folder.mkdir(parents=True)
    shutil.copy(os.path.join(FIXTURES, name), folder / name)
    # 32x32 is not a published size: Keras warns and takes the 224 file
    with pytest.warns(UserWarning, match="224"):
        model = build(key, weights="imagenet")
    check_predictions(model, key)


def test_missing_imagenet_file_names_file_folders_and_url(offline_home):
    with pytest.raises(FileNotFoundError) as err:
        applications.Xception(weights="imagenet", include_top=False)
    text = str(err.value)
    assert "xception_weights_tf_dim_ordering_tf_kernels_notop.h5" in text
    assert str(offline_home / "home" / ".keras" / "models") in text
    assert ("https://storage.googleapis.com/tensorflow/keras-applications/"
            "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5"
            ) in text


@pytest.mark.parametrize("ctor, kwargs, file_name", [
    ("ResNet50", {}, "resnet50_weights_tf_dim_ordering_tf_kernels.h5"),
    ("ResNet152V2", {"include_top": False},
     "resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("VGG19", {"include_top": False},
     "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("MobileNetV2", {"alpha": 0.35, "input_shape": (96, 96, 3)},
     "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5"),
    ("MobileNet", {"alpha": 0.5, "input_shape": (128, 128, 3)},
     "mobilenet_5_0_128_tf.h5"),
    ("MobileNetV3Large", {"include_top": False,
                          "input_shape": (224, 224, 3)},
     "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5"),
    ("EfficientNetB0", {"include_top": False}, "efficientnetb0_notop.h5"),
    ("DenseNet169", {},
     "densenet169_weights_tf_dim_ordering_tf_kernels.h5"),
    ("InceptionV3", {"include_top": False},
     "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ("ConvNeXtTiny", {}, "convnext_tiny.h5"),
])
def test_imagenet_file_names_are_keras_names(ctor, kwargs, file_name,
                                             offline_home):
    with pytest.raises(FileNotFoundError, match=file_name.replace(".", r"\.")):
        getattr(applications, ctor)(weights="imagenet", **kwargs)


def test_legacy_by_name_ignores_layer_order():
    path = os.path.join(FIXTURES, cases.WEIGHT_FILES["MobileNet"])
    model = build("MobileNet")
    legacy_h5.load_weights(model, path, by_name=True)
    check_predictions(model, "MobileNet")


def _rewrite_keras2_style(src, dst, rename=None):
    """The same weights as Keras 2 wrote them: under `model_weights`,
    weight names ending in ':0', layers optionally renamed."""
    rename = rename or {}
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        root = g.create_group("model_weights")
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in f.attrs["layer_names"]]
        root.attrs["layer_names"] = [rename.get(n, n).encode()
                                     for n in names]
        for n in names:
            new = rename.get(n, n)
            group = root.create_group(new)
            weight_names = [w.decode() if isinstance(w, bytes) else w
                            for w in f[n].attrs["weight_names"]]
            out = []
            for w in weight_names:
                leaf = w.split("/")[-1]
                out.append(f"{new}/{leaf}:0".encode())
                group.create_dataset(f"{new}/{leaf}:0", data=f[n][w][()])
            group.attrs["weight_names"] = out


def test_keras2_style_file_loads_by_order_even_when_names_differ(tmp_path):
    src = os.path.join(FIXTURES, cases.WEIGHT_FILES["MobileNet"])
    dst = str(tmp_path / "keras2.h5")
    _rewrite_keras2_style(src, dst, rename={"conv1": "old_conv1",
                                            "conv_dw_1": "old_dw"})
    model = build("MobileNet", weights=dst)
    check_predictions(model, "MobileNet")
    # by name, the renamed layers keep their own (other) values
    other = build("MobileNet")
    before = other.get_layer("conv1").weights[0].numpy().copy()
    legacy_h5.load_weights(other, dst, by_name=True)
    np.testing.assert_array_equal(other.get_layer("conv1").weights[0].numpy(),
                                  before)


def test_legacy_layer_count_mismatch():
    path = os.path.join(FIXTURES, cases.WEIGHT_FILES["MobileNet"])
    with pytest.raises(ValueError, match="Layer count mismatch"):
        build("MobileNetV3Small_min", weights=path)


def test_legacy_shape_mismatch_names_layer_and_shapes():
    path = os.path.join(FIXTURES, cases.WEIGHT_FILES["MobileNet"])
    with pytest.raises(ValueError, match=r"conv1.*\(3, 3, 3, 16\).*"
                                         r"\(3, 3, 3, 8\)"):
        applications.MobileNet(weights=path, alpha=0.5, include_top=False,
                               input_shape=(32, 32, 3))


def test_nothing_assigned_when_a_later_layer_mismatches(tmp_path):
    src = os.path.join(FIXTURES, cases.WEIGHT_FILES["MobileNet"])
    dst = str(tmp_path / "bad.h5")
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in f.attrs["layer_names"]]
        last = [n for n in names if len(f[n].attrs["weight_names"])][-1]
        w = f[last].attrs["weight_names"][0]
        w = w.decode() if isinstance(w, bytes) else w
        del f[last][w]
        f[last].create_dataset(w, data=np.zeros((5,), np.float32))
    model = build("MobileNet")
    before = [w.numpy().copy() for w in model.weights]
    with pytest.raises(ValueError, match="Shape mismatch"):
        legacy_h5.load_weights(model, dst)
    for b, w in zip(before, model.weights):
        np.testing.assert_array_equal(b, w.numpy())


def test_not_a_weights_file(tmp_path):
    bad = tmp_path / "junk.h5"
    bad.write_bytes(b"not hdf5 at all")
    with pytest.raises(ValueError, match="not a readable HDF5"):
        build("MobileNet", weights=str(bad))
    empty = tmp_path / "empty.h5"
    with h5py.File(empty, "w"):
        pass
    with pytest.raises(ValueError, match="not a legacy Keras weights file"):
        legacy_h5.load_weights(build("MobileNet"), str(empty))
