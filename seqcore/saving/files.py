"""Keras 3 `.keras` files and `.weights.h5` files, and Keras 2's legacy
HDF5 files (read only).

Saving writes a temporary file in the target's folder and renames it over
the target, so an interrupted save leaves any existing file intact. Loading
never executes anything from the file (JSON configs name classes that are
looked up in a registry; no pickle, no eval, no Lambda), and a corrupt,
truncated or foreign file raises ValueError.
"""
import contextlib
import datetime
import io
import json
import os
import tempfile
import warnings
import zipfile
import zlib

import numpy as np

from seqcore._version import __version__
from seqcore.saving import weights_h5
from seqcore.saving.serialization import (deserialize_keras_object,
                                          serialize_keras_object)

KERAS_VERSION = "3.15.1"   # the Keras 3 release whose layout we write
MAX_MEMBER_BYTES = 8 << 30
# What reading a damaged zip archive can raise.
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError,
               NotImplementedError, RuntimeError, zlib.error)
# What h5py raises on a damaged HDF5 file.
_H5_ERRORS = (KeyError, OSError, TypeError, AttributeError, RuntimeError,
              OverflowError, MemoryError, IndexError)


def _h5py():
    try:
        import h5py
    except ImportError:   # pragma: no cover - h5py is a dependency
        raise ImportError("Saving and loading Keras files needs h5py: "
                          "pip install h5py") from None
    return h5py


@contextlib.contextmanager
def atomic_path(path):
    """A temporary path in `path`'s folder, renamed to `path` when the block
    succeeds and removed when it fails."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".seqcore-",
                               suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


# ---- the model config, with the compile settings ------------------------------

def _compile_config(model):
    compiled = getattr(model, "_compiled", None)
    if compiled is None:
        return None
    from seqcore import losses, metrics, optimizers

    def plain(value):
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, losses.Loss):
            return losses.serialize(value)
        if isinstance(value, metrics.Metric):
            return metrics.serialize(value)    # its options survive
        return getattr(value, "__name__", None) or \
            getattr(value, "name", None)
    return {"optimizer": optimizers.serialize(model.optimizer),
            "loss": plain(model.loss), "loss_weights": None,
            "metrics": plain(compiled.metric_specs[0]) if len(
                compiled.metric_specs) == 1 else plain(compiled.metric_specs),
            "weighted_metrics": None, "run_eagerly": False,
            "steps_per_execution": 1, "jit_compile": False}


def model_config(model):
    config = serialize_keras_object(model)
    if model.built and getattr(model, "_stack", None):
        config["build_config"] = {"input_shape": list(model.input_shape)}
    compile_config = _compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config


def _compile_from_config(model, compile_config, custom_objects):
    from seqcore.saving.object_registration import CustomObjectScope
    with CustomObjectScope(custom_objects):
        return _compile_in_scope(model, compile_config, custom_objects)


def _metric_objects(specs, custom_objects):
    """Saved metric configs as Metric objects, made now (inside the
    loader's custom-object scope) rather than at the first batch."""
    from seqcore import metrics
    if isinstance(specs, list):
        return [_metric_objects(s, custom_objects) for s in specs]
    if isinstance(specs, dict) and "class_name" in specs:
        return metrics.deserialize(specs, custom_objects)
    if isinstance(specs, dict):
        return {k: _metric_objects(v, custom_objects)
                for k, v in specs.items()}
    return specs


def _compile_in_scope(model, compile_config, custom_objects):
    from seqcore import optimizers
    try:
        optimizer = optimizers.deserialize(compile_config["optimizer"],
                                           custom_objects) \
            if isinstance(compile_config.get("optimizer"), dict) else \
            compile_config.get("optimizer", "rmsprop")
        loss = compile_config.get("loss")
        if isinstance(loss, dict) and "class_name" in loss:
            from seqcore import losses
            loss = losses.deserialize(loss, custom_objects)
        model.compile(optimizer=optimizer, loss=loss,
                      loss_weights=compile_config.get("loss_weights"),
                      metrics=_metric_objects(compile_config.get("metrics"),
                                              custom_objects))
        return True
    except (ValueError, TypeError, KeyError) as exc:
        warnings.warn(f"The model loaded, but its compile settings could not "
                      f"be restored ({exc}); compile it again before "
                      f"training.", stacklevel=3)
        return False


# ---- weights -----------------------------------------------------------------------

def write_weights(model, fileobj, optimizer=None):
    h5py = _h5py()
    with h5py.File(fileobj, "w") as h5:
        weights_h5.write(h5, model, optimizer)


def _open_h5(source, what):
    h5py = _h5py()
    try:
        return h5py.File(source, "r")
    except (OSError, ValueError) as exc:
        raise ValueError(f"{what} is not a readable HDF5 file: {exc}") \
            from None


def _load_weights_h5(model, h5, what, with_optimizer=True):
    """Assign the weights (all checked before any is assigned) and the
    optimizer state when the model has a compiled optimizer."""
    try:
        if "layer_names" in h5.attrs or "model_weights" in h5:
            group = h5["model_weights"] if "model_weights" in h5 else h5
            plan = legacy_values(group, model)
            optimizer_values = None
        else:
            plan = weights_h5.read_values(h5, model)
            optimizer_values = weights_h5.read_optimizer_values(h5)
    except _H5_ERRORS as exc:
        raise ValueError(f"{what}: corrupt or foreign weights file ({exc})") \
            from None
    weights_h5.assign(plan)
    if with_optimizer and optimizer_values and \
            getattr(model, "optimizer", None) is not None:
        model._prepare_variables()
        model.optimizer.load_state_values(optimizer_values)


def save_weights(model, filepath, overwrite=True):
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. "
                         f"Received: filepath={filepath}")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    model._require_built("weights to save")
    with atomic_path(filepath) as tmp:
        write_weights(model, tmp, getattr(model, "optimizer", None))


def load_weights(model, filepath, skip_mismatch=False):
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath}")
    if filepath.endswith(".keras"):
        with _open_zip(filepath) as zf:
            data = _read_member(zf, "model.weights.h5", filepath)
        with _open_h5(io.BytesIO(data), filepath) as h5:
            _load_weights_h5(model, h5, filepath)
        return
    if not filepath.endswith((".h5", ".hdf5")):
        raise ValueError(f"Invalid filepath extension for loading weights: "
                         f"expected `.weights.h5` (or a Keras 2 `.h5`, or a "
                         f"`.keras` file). Received: filepath={filepath}")
    with _open_h5(filepath, filepath) as h5:
        _load_weights_h5(model, h5, filepath)


# ---- .keras files --------------------------------------------------------------------

def save_model(model, filepath, overwrite=True, include_optimizer=True):
    filepath = os.fspath(filepath)
    if filepath.endswith((".h5", ".hdf5")):
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"{filepath} exists and overwrite=False")
        from seqcore.saving.legacy_h5_save import save_legacy_model
        return save_legacy_model(model, filepath, include_optimizer)
    if not filepath.endswith(".keras"):
        raise ValueError(f"Invalid filepath extension for saving. Please add "
                         f"a `.keras` extension for the native Keras format. "
                         f"Received: filepath={filepath}")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    model._require_built("weights to save")
    config = json.dumps(model_config(model), default=_json_default)
    metadata = json.dumps({
        "keras_version": KERAS_VERSION, "seqcore_version": __version__,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    weights = io.BytesIO()
    write_weights(model, weights, getattr(model, "optimizer", None))
    with atomic_path(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr("metadata.json", metadata)
            zf.writestr("config.json", config)
            zf.writestr("model.weights.h5", weights.getvalue())


def _json_default(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot save {type(value).__name__} in a config")


def _open_zip(filepath):
    try:
        return zipfile.ZipFile(filepath, "r")
    except _ZIP_ERRORS as exc:
        raise ValueError(f"{filepath} is not a valid .keras file (a zip "
                         f"archive): {exc}") from None


def _read_member(zf, name, filepath):
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ValueError(f"{filepath} is not a valid .keras file: it has no "
                         f"{name} (members: {zf.namelist()})") from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise ValueError(f"{filepath}: {name} claims {info.file_size} bytes, "
                         f"more than seqcore will read")
    try:
        return zf.read(name)
    except _ZIP_ERRORS as exc:
        raise ValueError(f"{filepath}: {name} is corrupt or truncated "
                         f"({exc})") from None


def _json(data, name, filepath):
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{filepath}: {name} is not valid JSON ({exc})") \
            from None


def _model_from_config(config, custom_objects, filepath, built=True,
                       safe_mode=True):
    """The model of a config, uncompiled (callers compile from the
    'compile_config' entry when asked), with lambdas refused in safe mode."""
    from seqcore.saving.object_registration import (
        CustomObjectScope, SafeModeScope, all_custom_objects)
    config = {k: v for k, v in config.items() if k != "compile_config"}
    try:
        # custom_objects are in scope while layers are rebuilt, so that
        # a layer's own arguments (a custom activation) find them too.
        with SafeModeScope(safe_mode), \
                CustomObjectScope(all_custom_objects(custom_objects)):
            model = deserialize_keras_object(config, custom_objects,
                                             safe_mode=safe_mode)
    except (TypeError, KeyError, AttributeError, IndexError,
            RecursionError) as exc:
        raise ValueError(f"{filepath}: the model config cannot be rebuilt "
                         f"({type(exc).__name__}: {exc})") from None
    if not getattr(model, "_is_model", False):
        raise ValueError(f"{filepath}: the config describes a "
                         f"{type(model).__name__}, not a model")
    if built and not model.built:
        shape = (config.get("build_config") or {}).get("input_shape")
        if shape is None:
            raise ValueError(f"{filepath}: the saved model was never built, "
                             f"so it has no weights to load")
        model.build(tuple(shape))
    return model


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a `.keras` file (seqcore's or Keras 3's) or a Keras 2
    full-model `.h5` file.

    Args:
        filepath: the file.
        custom_objects: {name: class or function} for the custom layers,
            losses, metrics and functions the config names (registered
            objects and an open `custom_object_scope` are found too).
        compile: whether to compile the model with the saved settings (and
            restore the optimizer state).
        safe_mode: when True (the default), a Lambda layer or other object
            holding a Python lambda is refused, since loading it runs code
            from the file; False loads it (trusted files only).
    """
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath}")
    if filepath.endswith((".h5", ".hdf5")):
        return load_legacy_model(filepath, custom_objects, compile,
                                 safe_mode)
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath}. "
                         f"seqcore loads `.keras` files and Keras 2 `.h5` "
                         f"files.")
    with _open_zip(filepath) as zf:
        config = _json(_read_member(zf, "config.json", filepath),
                       "config.json", filepath)
        weights = _read_member(zf, "model.weights.h5", filepath)
    if not isinstance(config, dict):
        raise ValueError(f"{filepath}: config.json does not describe a model")
    from seqcore.utils.feature_space_io import (is_feature_space_config,
                                                load_feature_space)
    if is_feature_space_config(config):   # FeatureSpace.save()'s file
        return load_feature_space(filepath, custom_objects, safe_mode)
    model = _model_from_config(config, custom_objects, filepath,
                               safe_mode=safe_mode)
    if compile and config.get("compile_config"):
        _compile_from_config(model, config["compile_config"], custom_objects)
    with _open_h5(io.BytesIO(weights), filepath) as h5:
        _load_weights_h5(model, h5, filepath, with_optimizer=compile)
    return model


# ---- Keras 2 legacy HDF5 ------------------------------------------------------------

def _text(value):
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def legacy_values(group, model):
    """[(layer, arrays)] from a Keras 2 weights group (attrs 'layer_names',
    each layer's 'weight_names'), matched to the model's layers by name, or
    by order of the layers that have weights when the names differ."""
    names = [_text(n) for n in group.attrs["layer_names"]]
    saved = []
    for name in names:
        layer_group = group[name]
        weight_names = [_text(w) for w in
                        layer_group.attrs.get("weight_names", [])]
        if weight_names:
            saved.append((name, [np.asarray(layer_group[w])
                                 for w in weight_names]))
    layers = [l for l in _flat_layers(model) if weights_h5._own_weights(l)]
    by_name = {name: arrays for name, arrays in saved}
    if all(l.name in by_name for l in layers):
        pairs = [(l, by_name[l.name]) for l in layers]
    elif len(saved) == len(layers):
        pairs = [(l, arrays) for l, (_, arrays) in zip(layers, saved)]
    else:
        raise ValueError(
            f"The weights file has {len(saved)} layers with weights "
            f"({[n for n, _ in saved]}); the model has {len(layers)} "
            f"({[l.name for l in layers]})")
    plan = []
    for layer, arrays in pairs:
        weights = weights_h5._own_weights(layer)
        if len(arrays) != len(weights):
            raise ValueError(f"Layer '{layer.name}' expects {len(weights)} "
                             f"weights, the file has {len(arrays)}")
        for w, a in zip(weights, arrays):
            if a.shape != w.shape:
                raise ValueError(f"Layer '{layer.name}': weight '{w.name}' "
                                 f"has shape {w.shape}, the file has "
                                 f"{a.shape}")
        plan.append((layer, arrays))
    return plan


def _flat_layers(model):
    out = []
    for layer in model.layers:
        out.append(layer)
        if getattr(layer, "_is_model", False):
            out += _flat_layers(layer)
    return out


_LEGACY_CLASSES = {"Model": "Functional"}


def _legacy_config(config):
    """A Keras 2 model config in the form seqcore's deserializer reads."""
    config = dict(config)
    config["class_name"] = _LEGACY_CLASSES.get(config.get("class_name"),
                                               config.get("class_name"))
    inner = config.get("config")
    if isinstance(inner, list):   # very old Sequential: a list of layers
        config["config"] = {"layers": inner}
    elif isinstance(inner, dict) and config["class_name"] == "Functional":
        inner = dict(inner)
        for key in ("input_layers", "output_layers"):
            refs = inner.get(key)
            # Keras 2 wrote one tensor as a one-element list of refs.
            if isinstance(refs, list) and len(refs) == 1 and \
                    isinstance(refs[0], list):
                inner[key] = refs[0]
        config["config"] = inner
    return config


def load_legacy_model(filepath, custom_objects=None, compile=True,
                      safe_mode=True):
    with _open_h5(filepath, filepath) as h5:
        if "model_config" not in h5.attrs:
            raise ValueError(f"{filepath} has no model config: it is a "
                             f"weights-only file; build the model and call "
                             f"model.load_weights() instead")
        config = _json(h5.attrs["model_config"], "model_config", filepath)
        model = _model_from_config(_legacy_config(config), custom_objects,
                                   filepath, safe_mode=safe_mode)
        if "model_weights" not in h5:
            raise ValueError(f"{filepath}: no 'model_weights' group")
        try:
            plan = legacy_values(h5["model_weights"], model)
        except _H5_ERRORS as exc:
            raise ValueError(f"{filepath}: corrupt legacy weights ({exc})") \
                from None
        weights_h5.assign(plan)
        training = h5.attrs.get("training_config")
        keras_3 = _text(h5.attrs.get("keras_version", "")).startswith("3")
        from seqcore.saving.legacy_h5_save import read_optimizer_weights
        optimizer_values = read_optimizer_weights(h5) if keras_3 else None
    if compile and training is not None:
        training = _json(training, "training_config", filepath)
        optimizer = training.get("optimizer_config", {})
        compiled = _compile_from_config(model, {
            "optimizer": {"class_name": optimizer.get("class_name", "RMSprop"),
                          "config": _known_options(optimizer)},
            "loss": training.get("loss"),
            "loss_weights": training.get("loss_weights"),
            "metrics": training.get("metrics")}, custom_objects)
        if compiled and optimizer_values:
            # A Keras 3 (or seqcore) file: the optimizer's variables in
            # Keras's order; Keras 2's own layout is not read.
            model._prepare_variables()
            model.optimizer.load_state_values(optimizer_values)
    return model


def _known_options(optimizer_config):
    """The saved optimizer options its seqcore class takes (Keras 2 files
    carry options Keras 3 dropped, such as `decay`)."""
    import inspect
    from seqcore import optimizers
    options = dict(optimizer_config.get("config", {}))
    # The class, not an instance: wrappers (LossScaleOptimizer,
    # MultiOptimizer) cannot be made without their arguments.
    cls = optimizers._CLASSES.get(
        str(optimizer_config.get("class_name", "RMSprop")).lower())
    if cls is None:
        return {k: v for k, v in options.items()
                if k in ("learning_rate", "name")}
    accepted = inspect.signature(cls.__init__).parameters
    if "lr" in options and "learning_rate" not in options:
        options["learning_rate"] = options.pop("lr")
    return {k: v for k, v in options.items() if k in accepted}


def model_from_json(json_string, custom_objects=None):
    """A model (new weights) from the JSON of `Model.to_json()`, seqcore's
    or Keras's; compiled when the JSON holds compile settings.

    Args:
        json_string: the JSON text.
        custom_objects: {name: class or function} for custom objects.
    """
    config = _json(json_string, "the JSON string", "model_from_json")
    if not isinstance(config, dict):
        raise ValueError("model_from_json: the JSON does not describe a "
                         "model")
    model = _model_from_config(_legacy_config(config), custom_objects,
                               "model_from_json", built=False)
    if config.get("compile_config"):
        _compile_from_config(model, config["compile_config"],
                             custom_objects)
    return model
