"""A FeatureSpace in a `.keras` file, in Keras 3's layout, both ways.

The zip holds `metadata.json`, `config.json` (the FeatureSpace's config
and, as `build_config`, each preprocessor's input shape),
`model.weights.h5` (each stateful preprocessor's variables under
`preprocessors/<entry>/vars/<i>`, <entry> being the layer's class in snake
case made unique: `normalization`, `normalization_1`, ...) and the
vocabularies of lookup layers as
`assets/preprocessors/<entry>/vocabulary.txt` (one token a line, special
tokens first), which is where Keras keeps them.
"""
import datetime
import io
import json
import os
import zipfile

import numpy as np

from seqcore.engine.naming import to_snake_case

_KERAS_VERSION = "3.15.1"
_MAX_MEMBER_BYTES = 1 << 30


def _entries(feature_space):
    """[(entry, feature name, layer)] in the features' order."""
    used, out = {}, []
    for key, layer in feature_space.preprocessors.items():
        cls = type(layer).__name__
        base = to_snake_case(cls)
        count = used.get(base, 0)
        used[base] = count + 1
        out.append((base if count == 0 else f"{base}_{count}", key, layer))
    return out


def _is_lookup(layer):
    from seqcore.layers.preprocessing.lookup import IndexLookup
    return isinstance(layer, IndexLookup)


def _state_weights(layer):
    """The layer's variables as Keras saves them (trainable first)."""
    weights = list(getattr(layer, "_own_weights", []))
    return [w for w in weights if w._created_trainable] + \
        [w for w in weights if not w._created_trainable]


def save_feature_space(feature_space, filepath):
    """Write `feature_space` (adapted or not) to `filepath` (.keras)."""
    import h5py
    from seqcore.saving.files import atomic_path
    from seqcore.saving.serialization import serialize_keras_object
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError(f"Invalid filepath extension for saving. Please "
                         f"add a `.keras` extension for the native Keras "
                         f"format. Received: filepath={filepath}")
    config = serialize_keras_object(feature_space)
    config["build_config"] = feature_space.get_build_config()
    buffer = io.BytesIO()
    assets = {}
    with h5py.File(buffer, "w") as h5:
        h5.create_group("vars").attrs["name"] = feature_space.name
        for entry, _, layer in _entries(feature_space):
            group = h5.require_group(f"preprocessors/{entry}/vars")
            group.attrs["name"] = layer.name
            for i, w in enumerate(_state_weights(layer)):
                group.create_dataset(str(i), data=np.asarray(w.numpy()))
            if _is_lookup(layer) and layer.vocabulary_size():
                tokens = [str(t) for t in layer.get_vocabulary()]
                assets[f"assets/preprocessors/{entry}/vocabulary.txt"] = \
                    "\n".join(tokens)
    metadata = {"keras_version": _KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime(
                    "%Y-%m-%d@%H:%M:%S")}
    with atomic_path(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr("metadata.json", json.dumps(metadata))
            zf.writestr("config.json", json.dumps(config, default=_plain))
            zf.writestr("model.weights.h5", buffer.getvalue())
            for name, text in assets.items():
                zf.writestr(name, text)


def _plain(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot save {type(value).__name__} in a config")


def is_feature_space_config(config):
    return isinstance(config, dict) and \
        config.get("class_name") == "FeatureSpace"


def _read(zf, name, filepath):
    info = zf.getinfo(name)
    if info.file_size > _MAX_MEMBER_BYTES:
        raise ValueError(f"{filepath}: {name} claims {info.file_size} "
                         f"bytes, more than seqcore will read")
    return zf.read(name)


def load_feature_space(filepath, custom_objects=None, safe_mode=True):
    """The FeatureSpace saved in `filepath` (by seqcore or by Keras 3),
    with its preprocessors' adapted state restored."""
    import h5py
    from seqcore.saving.object_registration import SafeModeScope
    from seqcore.saving.serialization import deserialize_keras_object
    filepath = os.fspath(filepath)
    try:
        zf = zipfile.ZipFile(filepath, "r")
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{filepath} is not a valid .keras file: {exc}") \
            from None
    with zf:
        names = set(zf.namelist())
        for needed in ("config.json", "model.weights.h5"):
            if needed not in names:
                raise ValueError(f"{filepath} is not a valid .keras file: "
                                 f"it has no {needed}")
        config = json.loads(_read(zf, "config.json", filepath))
        weights = _read(zf, "model.weights.h5", filepath)
        assets = {n: _read(zf, n, filepath).decode("utf-8")
                  for n in names if n.startswith("assets/")}
    if not is_feature_space_config(config):
        raise ValueError(f"{filepath} does not hold a FeatureSpace "
                         f"(class_name={config.get('class_name')!r})")
    with SafeModeScope(safe_mode):
        fs = deserialize_keras_object(
            {k: v for k, v in config.items() if k != "build_config"},
            custom_objects)
    fs.build_from_config(config.get("build_config") or {})
    with h5py.File(io.BytesIO(weights), "r") as h5:
        for entry, key, layer in _entries(fs):
            vocab = assets.get(f"assets/preprocessors/{entry}/vocabulary.txt")
            if vocab is not None and _is_lookup(layer):
                layer.set_vocabulary(vocab.split("\n"))
            weights_of = _state_weights(layer)
            path = f"preprocessors/{entry}/vars"
            if not weights_of:
                continue
            if path not in h5 or len(h5[path]) != len(weights_of):
                raise ValueError(f"{filepath}: preprocessor '{layer.name}' "
                                 f"of feature '{key}' expects "
                                 f"{len(weights_of)} variables under "
                                 f"'{path}'")
            layer.set_weights([np.asarray(h5[path][str(i)])
                               for i in range(len(weights_of))])
    fs._is_adapted = True
    fs.get_encoded_features()
    fs.built = True
    fs._sublayers_built = True
    return fs
