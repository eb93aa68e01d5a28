"""keras.utils' dataset helpers without TensorFlow: PyDataset, time-series
windows, split_dataset, text and image folders, get_file (which never
downloads)."""
import hashlib
import os
import tarfile
import threading

import numpy as np
import pytest

import seqcore as keras


# ---- PyDataset -------------------------------------------------------------------

class Squares(keras.utils.PyDataset):
    def __init__(self, n, batch, **kwargs):
        super().__init__(**kwargs)
        self.n, self.batch = n, batch
        self.threads = set()

    def __len__(self):
        return -(-self.n // self.batch)

    def __getitem__(self, index):
        self.threads.add(threading.get_ident())
        x = np.arange(index * self.batch, min((index + 1) * self.batch,
                                              self.n), dtype=np.float32)
        return x[:, None], (x ** 2)[:, None]


@pytest.mark.parametrize("workers", [1, 3])
def test_py_dataset_serves_batches_in_order(workers):
    from seqcore.utils.py_dataset import batches_in_order
    ds = Squares(10, 3, workers=workers, max_queue_size=2)
    batches = list(batches_in_order(ds, len(ds)))
    assert [b[0].ravel().tolist() for b in batches] == [
        [0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    # workers > 1: batches are prepared in the pool, not the caller's thread
    assert (threading.get_ident() in ds.threads) == (workers == 1)
    assert ds.num_batches == 4 and len(list(iter(ds))) == 4
    assert keras.utils.Sequence is keras.utils.PyDataset


def test_py_dataset_without_super_init_and_without_getitem():
    class Lazy(keras.utils.PyDataset):
        def __init__(self):        # forgot super().__init__()
            pass

        def __len__(self):
            return 1
    ds = Lazy()
    assert ds.workers == 1 and ds.max_queue_size == 10
    with pytest.raises(NotImplementedError, match="__getitem__"):
        ds[0]


# ---- time series --------------------------------------------------------------------

def test_timeseries_windows_follow_keras_docstring_example():
    data = np.arange(100)
    ds = keras.utils.timeseries_dataset_from_array(
        data[:-10], data[10:], sequence_length=10)
    inputs, targets = ds[0]
    np.testing.assert_array_equal(inputs[0], data[:10])
    assert targets[0] == data[10]
    assert inputs.shape == (81, 10) and len(ds) == 1


def test_timeseries_stride_rate_bounds_and_batches():
    data = np.arange(50, dtype=np.float32).reshape(25, 2)
    ds = keras.utils.timeseries_dataset_from_array(
        data, np.arange(25), sequence_length=3, sequence_stride=2,
        sampling_rate=2, batch_size=4, start_index=2, end_index=20)
    x = np.concatenate([b[0] for b in ds])
    y = np.concatenate([b[1] for b in ds])
    starts = np.arange(0, 18 - 4, 2)
    np.testing.assert_array_equal(y, np.arange(2, 20)[starts])
    for window, s in zip(x, starts):
        np.testing.assert_array_equal(window, data[2:20][[s, s + 2, s + 4]])
    assert [len(b[0]) for b in ds] == [4, 3]


def test_timeseries_shuffle_is_a_seeded_permutation():
    a = keras.utils.timeseries_dataset_from_array(
        np.arange(30), None, 4, shuffle=True, seed=3, batch_size=None)
    b = keras.utils.timeseries_dataset_from_array(
        np.arange(30), None, 4, shuffle=True, seed=3, batch_size=None)
    firsts = [w[0] for w in a]
    assert firsts == [w[0] for w in b] and sorted(firsts) == list(range(27))
    assert firsts != sorted(firsts)
    with pytest.raises(ValueError, match="sampling_rate"):
        keras.utils.timeseries_dataset_from_array(np.arange(5), None, 2,
                                                  sampling_rate=0)


# ---- split_dataset ----------------------------------------------------------------------

def test_split_dataset_sizes_and_contents():
    x, y = np.arange(10), np.arange(10) * 2
    left, right = keras.utils.split_dataset((x, y), left_size=0.8)
    assert len(left) == 8 and len(right) == 2
    assert [s[0] for s in right] == [8, 9] and right[1][1] == 18
    left, right = keras.utils.split_dataset(x, right_size=3, shuffle=True,
                                            seed=1)
    got = sorted([int(v) for v in left] + [int(v) for v in right])
    assert got == list(range(10)) and len(right) == 3
    assert len(left.batch(4)) == 2
    with pytest.raises(ValueError, match="more than the 10 samples"):
        keras.utils.split_dataset(x, left_size=7, right_size=6)


# ---- folders ----------------------------------------------------------------------------

def _text_tree(root):
    for label, texts in (("neg", ["bad", "awful film", "meh"]),
                         ("pos", ["great", "loved it"])):
        os.makedirs(root / label)
        for i, text in enumerate(texts):
            (root / label / f"{i}.txt").write_text(text)
    (root / "pos" / "notes.md").write_text("ignored")


def test_text_dataset_from_directory(tmp_path, capsys):
    _text_tree(tmp_path)
    ds = keras.utils.text_dataset_from_directory(tmp_path, batch_size=2,
                                                 shuffle=False)
    assert "Found 5 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["neg", "pos"] and len(ds) == 3
    texts = np.concatenate([b[0] for b in ds]).tolist()
    labels = np.concatenate([b[1] for b in ds]).tolist()
    assert texts == ["bad", "awful film", "meh", "great", "loved it"]
    assert labels == [0, 0, 0, 1, 1]
    train, val = keras.utils.text_dataset_from_directory(
        tmp_path, label_mode="categorical", validation_split=0.4,
        subset="both", seed=5, max_length=3, verbose=False)
    assert len(train.file_paths) == 3 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    x, y = val[0]
    assert y.shape == (2, 2) and all(len(t) <= 3 for t in x)
    with pytest.raises(ValueError, match="provide a `seed`"):
        keras.utils.text_dataset_from_directory(
            tmp_path, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        keras.utils.text_dataset_from_directory(
            tmp_path, label_mode="binary", class_names=["neg"])


def test_image_dataset_from_directory(tmp_path):
    Image = pytest.importorskip("PIL.Image",
                                reason="Pillow decodes the images")
    for label in ("cat", "dog"):
        os.makedirs(tmp_path / label)
        for i in range(2):
            pixels = np.full((6, 4, 3), 40 * i + (100 if label == "dog"
                                                  else 0), np.uint8)
            Image.fromarray(pixels).save(tmp_path / label / f"{i}.png")
    ds = keras.utils.image_dataset_from_directory(
        tmp_path, image_size=(3, 2), batch_size=4, shuffle=False,
        label_mode="binary", verbose=False)
    x, y = ds[0]
    assert x.shape == (4, 3, 2, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 0, 0, 0], [0, 40, 100, 140])
    np.testing.assert_array_equal(y.ravel(), [0, 0, 1, 1])


# ---- get_file ---------------------------------------------------------------------------

def test_get_file_finds_cached_files_and_never_downloads(tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    origin = "https://example.com/data/file.csv"
    with pytest.raises(FileNotFoundError,
                       match=r"does not download.*datasets/file\.csv.*"
                             r"https://example\.com/data/file\.csv"):
        keras.utils.get_file(origin=origin)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "file.csv").write_text("a,b\n")
    assert keras.utils.get_file(origin=origin) == str(
        tmp_path / "datasets" / "file.csv")
    sha = hashlib.sha256(b"a,b\n").hexdigest()
    assert keras.utils.get_file("file.csv", origin, file_hash=sha)
    with pytest.raises(FileNotFoundError, match="hash"):
        keras.utils.get_file("file.csv", origin, file_hash="0" * 64)
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        keras.utils.get_file("a/b.csv", origin)


def test_get_file_extracts_a_cached_archive(tmp_path):
    member = tmp_path / "hello.txt"
    member.write_text("hi")
    cache = tmp_path / "cache"
    (cache / "models").mkdir(parents=True)
    with tarfile.open(cache / "models" / "pack.tar.gz", "w:gz") as tar:
        tar.add(member, arcname="pack/hello.txt")
    path = keras.utils.get_file("pack.tar.gz", "https://x/pack.tar.gz",
                                cache_subdir="models", extract=True,
                                cache_dir=str(cache))
    assert path == str(cache / "models" / "pack_extracted")
    assert (cache / "models" / "pack_extracted" / "pack" /
            "hello.txt").read_text() == "hi"


def test_get_file_refuses_archives_escaping_their_folder(tmp_path):
    evil = tmp_path / "evil.txt"
    evil.write_text("x")
    (tmp_path / "datasets").mkdir()
    with tarfile.open(tmp_path / "datasets" / "bad.tar", "w") as tar:
        tar.add(evil, arcname="../../escaped.txt")
    with pytest.raises(ValueError, match="outside"):
        keras.utils.get_file("bad.tar", "https://x/bad.tar", extract=True,
                             cache_dir=str(tmp_path))
    assert not (tmp_path / "escaped.txt").exists()
