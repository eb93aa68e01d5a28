"""Dataset loaders on small files in Keras's formats, made here: shapes,
dtypes, Keras's preprocessing of token ids, and hostile pickles."""
import os
import pickle

import numpy as np
import pytest

import seqcore as keras


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQCORE_DATA", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path


def _ragged(lists):
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def test_mnist(data_dir):
    x = np.arange(6 * 28 * 28, dtype=np.uint8).reshape(6, 28, 28)
    np.savez(data_dir / "mnist.npz", x_train=x[:4], y_train=np.arange(4,
             dtype=np.uint8), x_test=x[4:], y_test=np.arange(2,
             dtype=np.uint8))
    (a, b), (c, d) = keras.datasets.mnist.load_data()
    assert a.shape == (4, 28, 28) and a.dtype == np.uint8 and d.shape == (2,)


def test_imdb_preprocessing(data_dir):
    train = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [10]]
    np.savez(data_dir / "imdb.npz", x_train=_ragged(train),
             y_train=np.array([0, 1, 0, 1]), x_test=_ragged([[1, 1], [2]]),
             y_test=np.array([1, 0]))
    (x, y), (xt, yt) = keras.datasets.imdb.load_data(num_words=8)
    assert x.dtype == object and len(x) == 4 and len(xt) == 2
    order = np.arange(4)
    np.random.RandomState(113).shuffle(order)
    for seq, label, i in zip(x, y, order):
        want = [1] + [w + 3 if w + 3 < 8 else 2 for w in train[i]]
        assert seq == want and label == [0, 1, 0, 1][i]
    (x, _), _ = keras.datasets.imdb.load_data(maxlen=3)
    assert all(len(s) < 3 for s in x)


def test_reuters_split(data_dir):
    xs = [[i, i + 1] for i in range(10)]
    np.savez(data_dir / "reuters.npz", x=_ragged(xs), y=np.arange(10))
    (x, y), (xt, yt) = keras.datasets.reuters.load_data(test_split=0.2)
    assert len(x) == 8 and len(xt) == 2
    assert sorted(np.concatenate([y, yt]).tolist()) == list(range(10))
    assert all(s[0] == 1 for s in x)


def test_cifar10(data_dir):
    folder = data_dir / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": rng.integers(0, 255, (3, 3072),
                                               dtype=np.uint8),
                         b"labels": [1, 2, 3]}, f, protocol=2)
    (x, y), (xt, yt) = keras.datasets.cifar10.load_data()
    assert x.shape == (15, 32, 32, 3) and y.shape == (15, 1)
    assert xt.shape == (3, 32, 32, 3) and x.dtype == np.uint8


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_pickled_code_is_refused(data_dir):
    folder = data_dir / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": _Evil(), b"labels": []}, f)
    with pytest.raises(ValueError, match="refusing to load"):
        keras.datasets.cifar10.load_data()
    np.savez(data_dir / "reuters.npz", x=_ragged([_Evil()]), y=np.arange(1))
    with pytest.raises(ValueError, match="refusing to load"):
        keras.datasets.reuters.load_data()


def test_digits_bundled():
    (x, y), (xt, yt) = keras.datasets.load_digits()
    assert x.shape[1:] == (8, 8) and len(x) + len(xt) == 1797
    assert x.max() == 16 and set(y.tolist()) == set(range(10))
