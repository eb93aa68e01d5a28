"""keras.datasets boston_housing, california_housing and cifar100 read
local files (no download) and shuffle/split as Keras does."""
import pickle

import numpy as np
import pytest

import seqcore as keras


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQCORE_DATA", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path


def _keras_split(x, y, test_split, seed):
    idx = np.arange(len(x))
    np.random.RandomState(seed).shuffle(idx)
    cut = int(len(x) * (1 - test_split))
    return x[idx][:cut], y[idx][:cut], x[idx][cut:], y[idx][cut:]


def test_boston_housing_shuffle_and_split(data_dir):
    x = np.arange(50 * 13, dtype=np.float64).reshape(50, 13)
    y = np.arange(50, dtype=np.float64)
    np.savez(data_dir / "boston_housing.npz", x=x, y=y)
    (xa, ya), (xb, yb) = keras.datasets.boston_housing.load_data()
    for got, want in zip((xa, ya, xb, yb), _keras_split(x, y, 0.2, 113)):
        np.testing.assert_array_equal(got, want)
    assert len(xa) == 40
    with pytest.raises(ValueError, match="test_split"):
        keras.datasets.boston_housing.load_data(test_split=1.0)


def test_california_housing_versions(data_dir):
    x = np.arange(700 * 8, dtype=np.float32).reshape(700, 8)
    y = np.arange(700, dtype=np.float32)
    np.savez(data_dir / "california_housing.npz", x=x, y=y)
    (xa, ya), (xb, _) = keras.datasets.california_housing.load_data(
        version="small", test_split=0.5, seed=3)
    want = _keras_split(x[:600], y[:600], 0.5, 3)
    np.testing.assert_array_equal(xa, want[0])
    assert len(xa) + len(xb) == 600
    (xa, _), _ = keras.datasets.california_housing.load_data()
    assert len(xa) == 560
    with pytest.raises(ValueError, match="version"):
        keras.datasets.california_housing.load_data(version="medium")


def test_missing_files_name_the_expected_path(data_dir):
    with pytest.raises(FileNotFoundError, match="boston_housing.npz"):
        keras.datasets.boston_housing.load_data()
    with pytest.raises(FileNotFoundError, match="cifar-100-python"):
        keras.datasets.cifar100.load_data()


def test_cifar100_label_modes(data_dir):
    folder = data_dir / "cifar-100-python"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name, n in (("train", 4), ("test", 2)):
        data = rng.integers(0, 255, (n, 3072)).astype(np.uint8)
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": data, b"fine_labels": list(range(n)),
                         b"coarse_labels": [7] * n}, f)
        if name == "train":
            first = data[0].reshape(3, 32, 32).transpose(1, 2, 0)
    (x, y), (xt, yt) = keras.datasets.cifar100.load_data()
    assert x.shape == (4, 32, 32, 3) and xt.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(x[0], first)
    np.testing.assert_array_equal(y[:, 0], [0, 1, 2, 3])
    (_, yc), _ = keras.datasets.cifar100.load_data(label_mode="coarse")
    np.testing.assert_array_equal(yc[:, 0], [7, 7, 7, 7])
    with pytest.raises(ValueError, match="label_mode"):
        keras.datasets.cifar100.load_data(label_mode="medium")
