"""Where dataset files are looked for, and idx (MNIST-format) reading.

No network access is assumed: a loader finds its files in SEQCORE_DATA, in
Keras's cache (~/.keras/datasets, or $KERAS_HOME/datasets), or in a system
folder it names, and otherwise raises FileNotFoundError saying where to put
them."""
import gzip
import os
import pathlib

import numpy as np


def search_dirs(subdir=None, extra=()):
    """The folders searched, in order."""
    roots = []
    if os.environ.get("SEQCORE_DATA"):
        roots.append(pathlib.Path(os.environ["SEQCORE_DATA"]))
    keras_home = os.environ.get("KERAS_HOME")
    roots.append(pathlib.Path(keras_home) / "datasets" if keras_home else
                 pathlib.Path.home() / ".keras" / "datasets")
    dirs = []
    for root in roots:
        if subdir:
            dirs.append(root / subdir)
        dirs.append(root)
    return dirs + [pathlib.Path(p) for p in extra]


def find(dataset, names, subdir=None, extra=(), source=""):
    """The folder holding every file of `names`, or FileNotFoundError."""
    dirs = search_dirs(subdir, extra)
    for folder in dirs:
        if all((folder / name).is_file() for name in names):
            return folder
    raise FileNotFoundError(
        f"{dataset}: files {list(names)} not found (seqcore does not "
        f"download). Put them in one of: "
        f"{', '.join(str(d) for d in dirs)} (set SEQCORE_DATA to choose a "
        f"folder).{(' ' + source) if source else ''}")


def read_idx(path):
    """An idx file (MNIST's format), gzipped or not, as a uint8 array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: unreadable idx file ({exc})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise ValueError(f"{path}: not an unsigned-byte idx file")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
                  for i in range(ndim))
    count = int(np.prod(shape)) if shape else 0
    if len(data) != header + count:
        raise ValueError(f"{path}: expected {count} values of shape "
                         f"{shape}, found {len(data) - header}")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape).copy()
