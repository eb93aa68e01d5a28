"""Finding and loading the weight files of keras.applications, offline.

`weights="imagenet"` looks for the file Keras itself would download, under
Keras's own file name, in `$KERAS_HOME/models`, `~/.keras/models`,
`$SEQCORE_DATA/models` and `$SEQCORE_DATA`; nothing is downloaded. A path
given as `weights=` may be Keras's legacy HDF5 layout (the published
files) or a Keras 3 `.weights.h5` file.
"""
import os
import pathlib


def search_dirs():
    """The folders searched for weight files, in order."""
    dirs = []
    keras_home = os.environ.get("KERAS_HOME")
    if keras_home:
        dirs.append(pathlib.Path(keras_home) / "models")
    dirs.append(pathlib.Path.home() / ".keras" / "models")
    data = os.environ.get("SEQCORE_DATA")
    if data:
        dirs += [pathlib.Path(data) / "models", pathlib.Path(data)]
    return dirs


def find_file(file_name, url):
    """The path of `file_name` in the first folder holding it, or a
    FileNotFoundError naming the file, the folders and Keras's URL."""
    dirs = search_dirs()
    for folder in dirs:
        path = folder / file_name
        if path.is_file():
            return str(path)
    raise FileNotFoundError(
        f"Weight file '{file_name}' not found; seqcore does not download. "
        f"Folders searched: {', '.join(str(d) for d in dirs)}. Keras "
        f"publishes it at {url} : download it into one of these folders "
        f"(or set KERAS_HOME or SEQCORE_DATA).")


def check_weights_argument(weights):
    """Keras's check of `weights`: None, "imagenet" or an existing file."""
    if weights in ("imagenet", None):
        return
    if isinstance(weights, (str, os.PathLike)) and \
            os.path.exists(os.fspath(weights)):
        return
    raise ValueError(
        f"The `weights` argument should be either `None` (random "
        f"initialization), 'imagenet' (pre-training on ImageNet), or the "
        f"path to the weights file to be loaded.  Received: "
        f"weights={weights}")


CLASSES_MESSAGE = ("If using `weights='imagenet'` with `include_top=True`, "
                   "`classes` should be 1000.  Received classes={classes}")


def check_classes(weights, include_top, classes, message=CLASSES_MESSAGE):
    """Keras's check that the ImageNet top has 1000 classes.

    Args:
        weights, include_top, classes: the constructor's arguments.
        message: the family's error text ({classes} is filled in).
    """
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(message.format(classes=classes))


def load_into(model, path):
    """Load a weight file into `model`: Keras's legacy HDF5 layout by
    topological order (as Keras's `load_weights` does for `.h5`), a Keras 3
    `.weights.h5` or `.keras` file by its own layout."""
    path = os.fspath(path)
    if path.endswith((".weights.h5", ".keras")):
        model.load_weights(path)
        return
    import h5py
    from seqcore.saving import legacy_h5
    try:
        with h5py.File(path, "r") as f:
            group = f["model_weights"] if "model_weights" in f else f
            legacy = legacy_h5.is_legacy_group(group)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable HDF5 weights file: "
                         f"{exc}") from None
    if legacy:
        legacy_h5.load_weights(model, path)
    else:
        model.load_weights(path)


def load_weights(model, weights, file_name=None, url=None):
    """`weights="imagenet"`: find `file_name` and load it; a path: load
    it; None: nothing."""
    if weights == "imagenet":
        load_into(model, find_file(file_name, url))
    elif weights is not None:
        load_into(model, weights)
