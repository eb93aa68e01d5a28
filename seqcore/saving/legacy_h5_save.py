"""`model.save("model.h5")`: the legacy whole-model HDF5 file Keras 3 still
writes (with a warning) and reads.

Layout, as Keras 3's legacy writer makes it:
- root attributes `keras_version`, `backend`, `model_config` (the model's
  config as JSON) and, for a compiled model, `training_config` (loss,
  metrics, `optimizer_config`);
- group `model_weights`: attribute `layer_names` (the model's layers in
  order); one group per layer (created in name order) whose attribute
  `weight_names` lists its weights' dataset paths, trainable weights then
  non-trainable ones (a nested model: all of its weights); an empty
  `top_level_model_weights` group;
- group `optimizer_weights` (a built optimizer): its variables in Keras's
  order (iterations, learning rate, slots), listed in `weight_names`.

`save_legacy_weights` writes the `model_weights` layout alone at the root
(Keras 2's weights-only `.h5`). The file is written to a temporary path and
moved into place, so an interrupted save never destroys an existing file.
"""
import json
import warnings

import numpy as np


def _names_attribute(group, name, values):
    group.attrs[name] = np.array([v.encode("utf8") for v in values],
                                 dtype=object) if values else \
        np.array([], dtype="S1")


def _write_weights(group, weights):
    """Datasets named by the weights' paths, listed in order (Keras's
    `weight_names`)."""
    names = []
    for w in weights:
        name = w.path
        if name in names:       # two weights with one path: keep both
            name = f"{name}_{len(names)}"
        names.append(name)
        group.create_dataset(name, data=np.asarray(w.numpy()))
    _names_attribute(group, "weight_names", names)


def _training_config(model):
    from seqcore.saving.files import _compile_config
    config = _compile_config(model)
    if config is None:
        return None
    optimizer = config.pop("optimizer")
    config["optimizer_config"] = {"class_name": optimizer["class_name"],
                                  "config": optimizer["config"]}
    return config


def save_legacy_model(model, filepath, include_optimizer=True):
    """Write `model` (built) as a legacy `.h5` file at `filepath`."""
    from seqcore.saving.files import (KERAS_VERSION, _h5py, _json_default,
                                      atomic_path, model_config)
    warnings.warn(
        "Saving to a legacy HDF5 file (.h5): Keras 3 reads and writes it "
        "for old programs, but its native format is `.keras` "
        "(model.save('model.keras')), which keeps more of the model.",
        UserWarning, stacklevel=3)
    model._require_built("weights to save")
    h5py = _h5py()
    config = model_config(model)
    config.pop("compile_config", None)
    training = _training_config(model)
    with atomic_path(filepath) as tmp:
        with h5py.File(tmp, "w") as h5:
            h5.attrs["keras_version"] = KERAS_VERSION
            h5.attrs["backend"] = "seqcore"
            h5.attrs["model_config"] = json.dumps(config,
                                                  default=_json_default)
            if training is not None:
                h5.attrs["training_config"] = json.dumps(
                    training, default=_json_default)
            _write_model_weights(h5.create_group("model_weights"), model)
            optimizer = getattr(model, "optimizer", None)
            if include_optimizer and optimizer is not None and \
                    optimizer.built:
                _write_optimizer(h5.create_group("optimizer_weights"),
                                 optimizer)


def save_legacy_weights(model, filepath):
    """Write `model`'s weights as Keras 2's weights-only `.h5` file (the
    `model_weights` layout at the root), which `load_weights` reads; R
    keras's save_model_weights_hdf5() writes it."""
    from seqcore.saving.files import _h5py, atomic_path
    model._require_built("weights to save")
    with atomic_path(filepath) as tmp:
        with _h5py().File(tmp, "w") as h5:
            _write_model_weights(h5, model)


def _write_model_weights(group, model):
    """The layers' weights: `layer_names`, then one group per layer."""
    from seqcore.saving.files import KERAS_VERSION
    _names_attribute(group, "layer_names", [l.name for l in model.layers])
    group.attrs["backend"] = "seqcore"
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in sorted(model.layers, key=lambda l: l.name):
        _write_weights(group.create_group(layer.name),
                       list(layer.trainable_weights) +
                       list(layer.non_trainable_weights))
    _names_attribute(group.create_group("top_level_model_weights"),
                     "weight_names", [])


def _write_optimizer(group, optimizer):
    """Datasets named by the optimizer variables' paths (as Keras)."""
    names = []
    for variable in optimizer.variables:
        name = variable.path
        if name in names:       # two variables with one path: keep both
            name = f"{name}_{len(names)}"
        group.create_dataset(name, data=variable.numpy())
        names.append(name)
    _names_attribute(group, "weight_names", names)


def read_optimizer_weights(h5):
    """The arrays of a legacy file's `optimizer_weights` group in order, or
    None."""
    if "optimizer_weights" not in h5:
        return None
    group = h5["optimizer_weights"]
    names = [n.decode("utf8") if isinstance(n, bytes) else str(n)
             for n in group.attrs.get("weight_names", [])]
    return [np.asarray(group[n]) for n in names]
