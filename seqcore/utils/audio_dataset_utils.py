"""keras.utils.audio_dataset_from_directory without TensorFlow: WAV files
decoded with the standard library's `wave` module into float32 samples in
[-1, 1), served in batches that `fit`, `evaluate` and `predict` consume."""
import numbers
import wave

import numpy as np

from seqcore.utils.dataset_utils import (ArrayDataset, _check_split_arguments,
                                         _encode_labels, _index_directory,
                                         _split)

ALLOWED_FORMATS = (".wav",)


def read_wav(path, output_sequence_length=None):
    """A WAV file's PCM samples as float32 `(samples, channels)` and its
    sampling rate, as TensorFlow's decode_wav gives them (16-bit samples
    divided by 32768; 8-, 24- and 32-bit PCM scaled alike), cut or
    zero-padded to `output_sequence_length` samples when given."""
    try:
        with wave.open(str(path), "rb") as f:
            channels, width = f.getnchannels(), f.getsampwidth()
            rate, count = f.getframerate(), f.getnframes()
            raw = f.readframes(count)
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"Cannot decode {path} as a PCM WAV file: {exc}") \
            from None
    if width == 1:
        data = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / \
            128.0
    elif width == 2:
        data = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif width == 3:
        bytes3 = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        value = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        data = value.astype(np.float32) / float(1 << 23)
    elif width == 4:
        data = (np.frombuffer(raw, "<i4").astype(np.float64) /
                float(1 << 31)).astype(np.float32)
    else:
        raise ValueError(f"{path}: unsupported sample width of {width} "
                         f"bytes")
    data = data.reshape(-1, channels)
    if output_sequence_length is not None:
        data = data[:output_sequence_length]
        if len(data) < output_sequence_length:
            data = np.concatenate([data, np.zeros(
                (output_sequence_length - len(data), channels), np.float32)])
    return data, rate


class AudioDataset(ArrayDataset):
    """Audio clips in batches (x: float32 `(batch, samples, channels)`),
    each batch zero-padded to its longest clip when the clips differ in
    length; with labels, batches are `(audio, labels)`.

    Attributes:
        class_names: the classes, in label order.
        file_paths: the files, in the dataset's order.
    """

    def __getitem__(self, index):
        batch = super().__getitem__(index)
        if self.y is None:
            return _stack(batch, self.batch_size)
        return (_stack(batch[0], self.batch_size),) + tuple(batch[1:])

    def batch(self, batch_size, drop_remainder=False, **kwargs):
        """The same clips in batches of `batch_size`, each padded to its
        longest clip (drop_remainder: as ArrayDataset.batch)."""
        if drop_remainder:
            return super().batch(batch_size, drop_remainder, **kwargs)
        if batch_size is not None and (isinstance(batch_size, bool) or
                                       int(batch_size) < 1):
            raise ValueError(f"batch_size must be a positive integer, "
                             f"received {batch_size}")
        return AudioDataset(self.x, self.y, self.sample_weight, batch_size,
                            self.class_names, self.file_paths)


def _stack(clips, batched):
    if not batched:
        return clips
    longest = max(len(c) for c in clips)
    out = np.zeros((len(clips), longest, clips[0].shape[1]), np.float32)
    for i, clip in enumerate(clips):
        out[i, :len(clip)] = clip
    return out


def audio_dataset_from_directory(directory, labels="inferred",
                                 label_mode="int", class_names=None,
                                 batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False,
                                 shuffle=True, seed=None,
                                 validation_split=None, subset=None,
                                 follow_links=False, verbose=True):
    """A dataset of the `.wav` files under `directory` (one class per
    subfolder when labels='inferred').

    Args:
        directory: the folder of audio files.
        labels: 'inferred' (from the subfolders), None, or a list of
            integer labels in the sorted order of the file paths.
        label_mode: 'int' (int32 `(batch,)`), 'categorical' (float32
            one-hot), 'binary' (float32 `(batch, 1)`, 2 classes) or None.
        class_names: the subfolders to use, in label order.
        batch_size: clips per batch (None: single clips).
        sampling_rate: the expected sampling rate (a positive int): a file
            at another rate is an error (seqcore does not resample).
        output_sequence_length: cut or zero-pad every clip to this many
            samples; None pads each batch to its longest clip.
        ragged: must be False (seqcore has no ragged tensors).
        shuffle, seed: shuffle the files (in a seeded order).
        validation_split, subset: hold out the last fraction of the files;
            subset 'training', 'validation' or 'both' (a list of two).
        follow_links: follow symbolic links to folders.
        verbose: print how many files and classes were found.
    Returns:
        An AudioDataset yielding `audio` `(batch, samples, channels)` or
        `(audio, labels)`; with subset='both', a list of two.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                f"The `labels` argument should be a list/tuple of integer "
                f"labels, of the same size as the number of audio files in "
                f"the target directory. If you wish to infer the labels "
                f"from the subdirectory names in the target directory, "
                f'pass `labels="inferred"`. If you wish to get a dataset '
                f"that only contains audio samples (no labels), pass "
                f"`labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError(
                f'You can only pass `class_names` if `labels="inferred"`. '
                f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError(
            f'`label_mode` argument must be one of "int", "categorical", '
            f'"binary", or None. Received: label_mode={label_mode}')
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and "
                         "`output_sequence_length`")
    if ragged:
        raise ValueError("ragged=True is not supported: seqcore has no "
                         "ragged tensors; pass output_sequence_length, or "
                         "leave it None to pad each batch to its longest "
                         "clip")
    if sampling_rate is not None:
        if isinstance(sampling_rate, bool) or not isinstance(
                sampling_rate, numbers.Integral):
            raise ValueError(f"`sampling_rate` should have an integer "
                             f"value. Received: sampling_rate="
                             f"{sampling_rate}")
        if sampling_rate <= 0:
            raise ValueError(f"`sampling_rate` should be higher than 0. "
                             f"Received: sampling_rate={sampling_rate}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    _check_split_arguments(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, found, names = _index_directory(
        directory, labels, ALLOWED_FORMATS, class_names, shuffle, seed,
        follow_links, verbose)
    if label_mode == "binary" and len(names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must '
                         f"be exactly 2 class_names. Received: "
                         f"class_names={names}")
    split = _split(paths, found, validation_split, subset, verbose)

    def build(part, what):
        part_paths, part_labels = part
        if not part_paths:
            raise ValueError(f"No {what}audio files found in directory "
                             f"{directory}. Allowed format(s): "
                             f"{ALLOWED_FORMATS}")
        clips = np.empty(len(part_paths), dtype=object)
        for i, path in enumerate(part_paths):
            clip, rate = read_wav(path, output_sequence_length)
            if sampling_rate is not None and rate != sampling_rate:
                raise ValueError(
                    f"{path} is sampled at {rate} Hz, not at "
                    f"sampling_rate={sampling_rate}: seqcore does not "
                    f"resample audio (Keras needs tensorflow-io for it)")
            clips[i] = clip
        y = _encode_labels(part_labels, label_mode, names)
        return AudioDataset(clips, y, batch_size=batch_size,
                            class_names=names, file_paths=list(part_paths))
    if isinstance(split, dict):
        return [build(split["training"], "training "),
                build(split["validation"], "validation ")]
    return build(split, "validation " if subset == "validation" else
                 "training " if subset == "training" else "")
