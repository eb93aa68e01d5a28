"""keras.utils.audio_dataset_from_directory against the batches Keras 3
yields for the same WAV files (fixtures written by
tests/fixtures/make_audio_fixtures.py), its errors, and fit on it."""
import os
import wave

import numpy as np
import pytest

import seqcore as keras
from seqcore.utils.audio_dataset_utils import read_wav

K = np.load(os.path.join(os.path.dirname(__file__), "fixtures",
                         "keras_audio.npz"))
CASES = {
    "padded": dict(batch_size=3, shuffle=False),
    "fixed_length": dict(batch_size=4, shuffle=False,
                         output_sequence_length=20),
    "categorical": dict(batch_size=2, shuffle=False,
                        label_mode="categorical", output_sequence_length=16),
    "validation": dict(batch_size=8, shuffle=False, validation_split=0.25,
                       subset="validation", output_sequence_length=12),
    "no_labels": dict(batch_size=5, shuffle=False, labels=None,
                      output_sequence_length=10),
}


def write_wav(path, samples, rate, width=2):
    with wave.open(str(path), "wb") as f:
        f.setnchannels(samples.shape[1])
        f.setsampwidth(width)
        f.setframerate(rate)
        f.writeframes(samples.tobytes())


@pytest.fixture
def audio_dir(tmp_path):
    for key in K:
        if key.startswith("clip/"):
            _, klass, name = key.split("/")
            (tmp_path / klass).mkdir(exist_ok=True)
            write_wav(tmp_path / klass / name, K[key].astype("<i2"),
                      int(K[f"rate/{klass}/{name}"]))
    return tmp_path


@pytest.mark.parametrize("case", sorted(CASES))
def test_batches_match_keras(audio_dir, case):
    ds = keras.utils.audio_dataset_from_directory(str(audio_dir),
                                                  verbose=False,
                                                  **CASES[case])
    batches = sorted({int(k.split("/")[1]) for k in K
                      if k.startswith(f"{case}/") and k.endswith("/x")})
    assert len(ds) == len(batches)
    if f"{case}/class_names" in K:
        assert ds.class_names == K[f"{case}/class_names"].tolist()
    for i in batches:
        batch = ds[i]
        x = batch[0] if isinstance(batch, tuple) else batch
        expected = K[f"{case}/{i}/x"]
        assert x.dtype == np.float32 and x.shape == expected.shape
        np.testing.assert_array_equal(x, expected)
        if f"{case}/{i}/y" in K:
            y = K[f"{case}/{i}/y"]
            assert batch[1].dtype == y.dtype
            np.testing.assert_array_equal(batch[1], y)
        else:
            assert not isinstance(batch, tuple)


def test_read_wav_widths(tmp_path):
    samples = np.array([[0, 1], [-32768, 32767], [1234, -4321]])
    write_wav(tmp_path / "s16.wav", samples.astype("<i2"), 16000)
    data, rate = read_wav(tmp_path / "s16.wav")
    assert rate == 16000
    np.testing.assert_array_equal(data, samples / 32768.0)
    write_wav(tmp_path / "u8.wav", np.array([[0], [128], [255]], np.uint8),
              8000, width=1)
    np.testing.assert_array_equal(read_wav(tmp_path / "u8.wav")[0][:, 0],
                                  [-1.0, 0.0, 127 / 128])
    padded, _ = read_wav(tmp_path / "s16.wav", output_sequence_length=5)
    assert padded.shape == (5, 2) and not padded[3:].any()
    (tmp_path / "bad.wav").write_bytes(b"RIFF0000WAVEjunk")
    with pytest.raises(ValueError, match="Cannot decode"):
        read_wav(tmp_path / "bad.wav")


def test_fit_consumes_the_dataset(audio_dir):
    train, val = keras.utils.audio_dataset_from_directory(
        str(audio_dir), batch_size=4, output_sequence_length=24, seed=3,
        validation_split=0.3, subset="both", verbose=False)
    assert len(train.file_paths) + len(val.file_paths) == 9
    assert not set(train.file_paths) & set(val.file_paths)
    model = keras.Sequential([keras.Input((24, 2)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert np.isfinite(history.history["loss"]).all()


def test_rebatching_and_map(audio_dir):
    ds = keras.utils.audio_dataset_from_directory(
        str(audio_dir), shuffle=False, batch_size=3, verbose=False)
    again = ds.unbatch().batch(3)
    for i in range(len(ds)):
        np.testing.assert_array_equal(again[i][0], ds[i][0])
    squared = ds.map(lambda x, y: (x * x, y))
    np.testing.assert_array_equal(squared[0][0], ds[0][0] ** 2)
    with pytest.raises(ValueError, match="positive integer"):
        ds.batch(0)


def test_shuffle_is_seeded(audio_dir):
    a = keras.utils.audio_dataset_from_directory(
        str(audio_dir), seed=5, output_sequence_length=8, verbose=False)
    b = keras.utils.audio_dataset_from_directory(
        str(audio_dir), seed=5, output_sequence_length=8, verbose=False)
    assert a.file_paths == b.file_paths
    np.testing.assert_array_equal(a[0][0], b[0][0])


def test_errors(audio_dir):
    make = keras.utils.audio_dataset_from_directory
    with pytest.raises(ValueError, match="list/tuple of integer"):
        make(str(audio_dir), labels="folders")
    with pytest.raises(ValueError, match="only pass `class_names`"):
        make(str(audio_dir), labels=[0] * 9, class_names=["a"])
    with pytest.raises(ValueError, match="`label_mode` argument"):
        make(str(audio_dir), label_mode="sparse")
    with pytest.raises(ValueError, match="both `ragged`"):
        make(str(audio_dir), ragged=True, output_sequence_length=3)
    with pytest.raises(ValueError, match="ragged tensors"):
        make(str(audio_dir), ragged=True)
    with pytest.raises(ValueError, match="integer value"):
        make(str(audio_dir), sampling_rate=8000.0)
    with pytest.raises(ValueError, match="higher than 0"):
        make(str(audio_dir), sampling_rate=0)
    with pytest.raises(ValueError, match="does not resample"):
        make(str(audio_dir), sampling_rate=16000, verbose=False)
    assert len(make(str(audio_dir), sampling_rate=8000, verbose=False,
                    batch_size=None)) == 9
    with pytest.raises(ValueError, match="exactly 2"):
        make(str(audio_dir), label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="provide a `seed`"):
        make(str(audio_dir), validation_split=0.2, subset="training")
