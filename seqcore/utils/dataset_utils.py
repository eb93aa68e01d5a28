"""Datasets built from arrays, time series and folders of files, as
`keras.utils`'s dataset functions build them, without TensorFlow: each is
an ArrayDataset (a PyDataset of batches) that `fit`, `evaluate` and
`predict` consume and Python can iterate over."""
import os

import numpy as np

from seqcore.utils.dataset_pipeline import DatasetOps
from seqcore.utils.py_dataset import PyDataset


def _first_array(x):
    """The first array of x (an array, a tuple or a dict of arrays)."""
    if isinstance(x, tuple):
        return _first_array(x[0])
    if isinstance(x, dict):
        return _first_array(next(iter(x.values())))
    return x


class ArrayDataset(DatasetOps, PyDataset):
    """Arrays served in batches: each batch is `x`, `(x, y)` or
    `(x, y, sample_weight)`, in order; tf.data's methods (`map`,
    `shuffle`, `take`, ...: dataset_pipeline.py) chain on it.

    Args:
        x: an array, a tuple of arrays or a dict of arrays by input name
            (a model's several inputs).
        y: targets, or None.
        sample_weight: per-sample weights, or None.
        batch_size: samples per batch; None serves single samples.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None,
                 class_names=None, file_paths=None):
        super().__init__()
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size = batch_size
        self.class_names = class_names
        self.file_paths = file_paths
        self._n = len(_first_array(x))

    def __len__(self):
        size = self.batch_size or 1
        return -(-self._n // size)

    def _slice(self, data, index):
        if data is None:
            return None
        if isinstance(data, tuple):
            return tuple(self._slice(part, index) for part in data)
        if isinstance(data, dict):
            return {k: self._slice(v, index) for k, v in data.items()}
        return data[index]

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} out of range for a dataset of "
                             f"{len(self)} batches")
        size = self.batch_size or 1
        part = slice(index * size, (index + 1) * size) if self.batch_size \
            else index
        x = self._slice(self.x, part)
        if self.y is None:
            return x
        y = self._slice(self.y, part)
        if self.sample_weight is None:
            return x, y
        return x, y, self._slice(self.sample_weight, part)

    def batch(self, batch_size, drop_remainder=False, **kwargs):
        """The same samples in batches of `batch_size` (a batched dataset
        is batched anew, not nested)."""
        if batch_size is not None and (isinstance(batch_size, bool) or
                                       int(batch_size) < 1):
            raise ValueError(f"batch_size must be a positive integer, "
                             f"received {batch_size}")
        if drop_remainder:
            return DatasetOps.batch(self.unbatch(), batch_size, True)
        return ArrayDataset(self.x, self.y, self.sample_weight, batch_size,
                            self.class_names, self.file_paths)

    def unbatch(self, name=None):
        return self.batch(None)


def timeseries_dataset_from_array(data, targets, sequence_length,
                                  sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """Sliding windows over a time series, in batches.

    Window k holds data[s, s + r, ..., s + (sequence_length - 1) r] for the
    k-th start s (starts 0, sequence_stride, ... within [start_index,
    end_index)), r = sampling_rate; its target is targets[s].

    Returns:
        An ArrayDataset of (windows, targets) batches (windows only when
        `targets` is None); windows have shape (batch, sequence_length) +
        data.shape[1:].
    """
    data = np.asarray(data)
    for name, value in (("sampling_rate", sampling_rate),
                        ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: "
                             f"{name}={value}")
        if value >= len(data):
            raise ValueError(f"`{name}` must be lower than the length of the "
                             f"data. Received: {name}={value}, for data of "
                             f"length {len(data)}")
    start = 0 if start_index is None else int(start_index)
    end = len(data) if end_index is None else int(end_index)
    if not 0 <= start < end <= len(data):
        raise ValueError(f"start_index and end_index must satisfy 0 <= "
                         f"start_index < end_index <= {len(data)}; received "
                         f"start_index={start_index}, end_index={end_index}")
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = np.arange(0, max(count, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(starts)
    offsets = np.arange(sequence_length, dtype=np.int64) * sampling_rate
    windows = data[start:end][starts[:, None] + offsets[None, :]]
    y = None if targets is None else np.asarray(targets)[start:end][starts]
    return ArrayDataset(windows, y, batch_size=batch_size)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False,
                  seed=None):
    """Two unbatched datasets holding complementary parts of `dataset` (an
    array, a tuple of arrays or an ArrayDataset).

    Args:
        left_size, right_size: a fraction in (0, 1) or a sample count; one
            may be None (the rest). Both None: left_size = 0.5.
    """
    if isinstance(dataset, ArrayDataset):
        parts = (dataset.x,) if dataset.y is None else (dataset.x, dataset.y)
    elif isinstance(dataset, tuple):
        parts = tuple(np.asarray(p) for p in dataset)
    else:
        parts = (np.asarray(dataset),)
    n = len(parts[0])

    def count(size, name):
        if size is None:
            return None
        if isinstance(size, float):
            if not 0.0 < size < 1.0:
                raise ValueError(f"`{name}` as a float must be in (0, 1), "
                                 f"received {size}")
            return int(size * n)
        if not 0 < size <= n:
            raise ValueError(f"`{name}` must be in (0, {n}] samples, "
                             f"received {size}")
        return int(size)

    left, right = count(left_size, "left_size"), count(right_size,
                                                       "right_size")
    if left is None and right is None:
        left = n // 2
    left = n - right if left is None else left
    right = n - left if right is None else right
    if left + right > n:
        raise ValueError(f"The sizes add up to {left + right}, more than "
                         f"the {n} samples of the dataset")
    order = np.arange(n)
    if shuffle:
        np.random.default_rng(seed).shuffle(order)
    picks = order[:left], order[left:left + right]

    def subset(index):
        taken = tuple(p[index] for p in parts)
        return ArrayDataset(taken[0], taken[1] if len(taken) > 1 else None)
    return subset(picks[0]), subset(picks[1])


def _index_directory(directory, labels, formats, class_names, shuffle, seed,
                     follow_links, verbose):
    """(file paths, integer labels or None, class names) of the files of
    `directory` with one of `formats`, one class per subfolder."""
    if not os.path.isdir(directory):
        raise ValueError(f"Directory {directory!r} does not exist")
    if labels == "inferred":
        folders = sorted(d for d in os.listdir(directory)
                         if os.path.isdir(os.path.join(directory, d)))
        if class_names is not None:
            missing = set(class_names) - set(folders)
            if missing:
                raise ValueError(f"The `class_names` passed did not match "
                                 f"the names of the subdirectories of the "
                                 f"target directory. Expected: {folders}, but "
                                 f"received: class_names={class_names}")
            folders = list(class_names)
        roots = [(os.path.join(directory, d), i) for i, d in
                 enumerate(folders)]
    else:
        if class_names is not None:
            raise ValueError("`class_names` is only valid with "
                             "labels='inferred'")
        roots, folders = [(directory, None)], None
    paths, found = [], []
    for root, label in roots:
        walk = os.walk(root, followlinks=follow_links)
        for folder, _, files in sorted(walk, key=lambda item: item[0]):
            for name in sorted(files):
                if name.lower().endswith(formats):
                    paths.append(os.path.join(folder, name))
                    found.append(label)
    if labels == "inferred":
        label_array = np.array(found, np.int32)
    elif labels is None:
        label_array = None
    else:
        label_array = np.asarray(labels)
        if len(label_array) != len(paths):
            raise ValueError(f"Expected the lengths of `labels` to match the "
                             f"number of files in the target directory. "
                             f"len(labels) is {len(label_array)} while we "
                             f"found {len(paths)} files in directory "
                             f"{directory}.")
        folders = [str(v) for v in sorted(set(label_array.tolist()))]
    if verbose:
        print(f"Found {len(paths)} files." if label_array is None else
              f"Found {len(paths)} files belonging to {len(folders)} "
              f"classes.")
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(paths)
        if label_array is not None:
            np.random.RandomState(seed).shuffle(label_array)
    return paths, label_array, folders


def _check_split_arguments(validation_split, subset, shuffle, seed):
    if validation_split is None:
        if subset is not None:
            raise ValueError("`subset` needs `validation_split`")
        return
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, "
                         f"received: {validation_split}")
    if subset not in ("training", "validation", "both"):
        raise ValueError(f'`subset` must be "training", "validation" or '
                         f'"both", received: {subset}')
    if shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the "
                         "data, you must provide a `seed` argument, to make "
                         "sure that there is no overlap between the training "
                         "and validation subset.")


def _split(paths, labels, validation_split, subset, verbose):
    if validation_split is None:
        return paths, labels
    cut = len(paths) - int(validation_split * len(paths))
    parts = {"training": slice(0, cut), "validation": slice(cut, None)}
    chosen = {}
    for name, part in parts.items():
        chosen[name] = (paths[part], None if labels is None else labels[part])
        if verbose and subset in (name, "both"):
            print(f"Using {len(chosen[name][0])} files for {name}.")
    return chosen if subset == "both" else chosen[subset]


def _encode_labels(labels, label_mode, class_names):
    if labels is None or label_mode is None:
        return None
    if label_mode == "int":
        return labels.astype(np.int32)
    if label_mode == "categorical":
        return np.eye(len(class_names), dtype=np.float32)[labels]
    if label_mode == "binary":
        if len(class_names) != 2:
            raise ValueError(f'When passing `label_mode="binary"`, there '
                             f"must be exactly 2 class_names. Received: "
                             f"class_names={class_names}")
        return labels.astype(np.float32).reshape(-1, 1)
    raise ValueError(f'`label_mode` argument must be one of "int", '
                     f'"categorical", "binary", or None. Received: '
                     f"label_mode={label_mode}")


def _from_directory(directory, labels, label_mode, class_names, batch_size,
                    shuffle, seed, validation_split, subset, follow_links,
                    verbose, formats, load):
    if labels not in ("inferred", None) and not isinstance(
            labels, (list, tuple, np.ndarray)):
        raise ValueError(f"`labels` argument should be a list/tuple of "
                         f"integer labels, of the same size as the number of "
                         f"files in the target directory. If you wish to "
                         f"infer the labels from the subdirectory names in "
                         f"the target directory, pass `labels=\"inferred\"`. "
                         f"If you wish to get a dataset that only contains "
                         f"data (no labels), pass `labels=None`. Received: "
                         f"labels={labels}")
    _check_split_arguments(validation_split, subset, shuffle, seed)
    paths, found, names = _index_directory(
        directory, labels, formats, class_names, shuffle, seed, follow_links,
        verbose)
    split = _split(paths, found, validation_split, subset, verbose)

    def build(part):
        part_paths, part_labels = part
        x = load(part_paths)
        y = _encode_labels(part_labels, label_mode if labels is not None
                           else None, names)
        return ArrayDataset(x, y, batch_size=batch_size, class_names=names,
                            file_paths=list(part_paths))
    if isinstance(split, dict):
        return [build(split["training"]), build(split["validation"])]
    return build(split)


def text_dataset_from_directory(directory, labels="inferred",
                                label_mode="int", class_names=None,
                                batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A dataset of the `.txt` files under `directory` (one class per
    subfolder): batches of (strings, labels), strings as an object array,
    cut to `max_length` characters if given."""
    def load(paths):
        texts = []
        for path in paths:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            texts.append(text[:max_length] if max_length else text)
        return np.array(texts, dtype=object)
    return _from_directory(directory, labels, label_mode, class_names,
                           batch_size, shuffle, seed, validation_split,
                           subset, follow_links, verbose, (".txt",), load)


_IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def image_dataset_from_directory(directory, labels="inferred",
                                 label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True,
                                 seed=None, validation_split=None,
                                 subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None,
                                 verbose=True):
    """A dataset of the images under `directory` (one class per subfolder),
    decoded with Pillow and resized to `image_size`: batches of float32
    (batch, height, width, channels) images and labels.

    Pillow is needed (`pip install pillow`); its resampling differs from
    TensorFlow's by a few units of the 0-255 scale at the edges."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("image_dataset_from_directory needs Pillow to "
                          "decode images: pip install pillow") from None
    modes = {"rgb": ("RGB", 3), "rgba": ("RGBA", 4), "grayscale": ("L", 1)}
    if color_mode not in modes:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", '
                         f'"grayscale"}}. Received: color_mode={color_mode}')
    filters = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST,
               "bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS}
    if interpolation not in filters:
        raise ValueError(f"`interpolation` must be one of "
                         f"{sorted(filters)}, received {interpolation!r}")
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise ValueError("crop_to_aspect_ratio and pad_to_aspect_ratio are "
                         "not supported by seqcore's image loader")
    mode, channels = modes[color_mode]
    height, width = image_size

    def load(paths):
        images = np.empty((len(paths), height, width, channels), np.float32)
        for i, path in enumerate(paths):
            with Image.open(path) as image:
                image = image.convert(mode).resize((width, height),
                                                   filters[interpolation])
                images[i] = np.asarray(image, np.float32).reshape(
                    height, width, channels)
        if data_format == "channels_first":
            return images.transpose(0, 3, 1, 2).copy()
        return images
    return _from_directory(directory, labels, label_mode, class_names,
                           batch_size, shuffle, seed, validation_split,
                           subset, follow_links, verbose, _IMAGE_FORMATS,
                           load)
