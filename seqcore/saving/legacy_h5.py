"""Keras's legacy HDF5 weight files (the layout of the published
keras.applications weights and of Keras 2's `model.save_weights("x.h5")`).

Layout: the root (or its `model_weights` group) has the attribute
`layer_names`, the layers in the order of `model.layers`; each layer's
group has the attribute `weight_names` (`"conv1/kernel:0"` in Keras 2,
`"conv1/kernel"` from Keras 3's legacy writer), each the path of a dataset
under that group; its weights are in the layer's legacy order, trainable
weights then non-trainable ones (a nested model: all of its weights).

Two ways to match, as Keras: by topological order (the saved layers that
have weights, in order, against the model's layers that have weights) or
by name. Every value is checked against its weight's shape before any is
assigned.
"""
import os

import numpy as np


def _text(value):
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _attr_list(group, name):
    """A string-list attribute, also when h5py split it into
    `name0`, `name1`, ... (Keras does this for very long lists)."""
    if name in group.attrs:
        return [_text(v) for v in group.attrs[name]]
    out, chunk = [], 0
    while f"{name}{chunk}" in group.attrs:
        out += [_text(v) for v in group.attrs[f"{name}{chunk}"]]
        chunk += 1
    return out


def is_legacy_group(group):
    """True for a group holding legacy layer weights."""
    return bool(_attr_list(group, "layer_names"))


def read_saved_layers(group):
    """[(layer name, [arrays])] for the saved layers that have weights, in
    the file's `layer_names` order."""
    layer_names = _attr_list(group, "layer_names")
    if not layer_names:
        raise ValueError("Not a legacy Keras weights group: no "
                         "'layer_names' attribute")
    saved = []
    for name in layer_names:
        if name not in group:
            raise ValueError(f"The weights file lists layer '{name}' but "
                             f"has no group for it")
        layer_group = group[name]
        weight_names = _attr_list(layer_group, "weight_names")
        if not weight_names:
            continue
        arrays = []
        for weight_name in weight_names:
            if weight_name not in layer_group:
                raise ValueError(f"Layer '{name}': weight '{weight_name}' "
                                 f"is listed but missing from the file")
            arrays.append(np.asarray(layer_group[weight_name]))
        saved.append((name, arrays))
    return saved


def legacy_weights(layer):
    """A layer's weights in legacy order: trainable, then non-trainable."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _check(layer, weights, arrays, what, skip_mismatch):
    if len(arrays) != len(weights):
        if skip_mismatch:
            return False
        raise ValueError(
            f"Weight count mismatch for {what}: layer '{layer.name}' expects "
            f"{len(weights)} weight(s), the file has {len(arrays)}")
    for w, a in zip(weights, arrays):
        if tuple(a.shape) != tuple(w.shape):
            if skip_mismatch:
                return False
            raise ValueError(
                f"Shape mismatch for {what}: weight '{w.name}' of layer "
                f"'{layer.name}' has shape {tuple(w.shape)}, the file has "
                f"{tuple(a.shape)}")
    return True


def plan_by_order(group, model, skip_mismatch=False):
    """[(weights, arrays)] matching saved layers to the model's layers
    that have weights, in order (Keras's default for `.h5` files)."""
    saved = read_saved_layers(group)
    layers = [l for l in model.layers if legacy_weights(l)]
    if len(saved) != len(layers):
        raise ValueError(
            f"Layer count mismatch when loading weights from file. Model "
            f"expected {len(layers)} layers, found {len(saved)} saved "
            f"layers.")
    plan = []
    for k, (layer, (name, arrays)) in enumerate(zip(layers, saved)):
        weights = legacy_weights(layer)
        what = f"layer #{k} (named {layer.name} in the current model, " \
               f"{name} in the save file)"
        if _check(layer, weights, arrays, what, skip_mismatch):
            plan.append((weights, arrays))
    return plan


def plan_by_name(group, model, skip_mismatch=False):
    """[(weights, arrays)] matching saved layers to the model's layers of
    the same name; layers absent from the file are left alone."""
    saved = dict(read_saved_layers(group))
    plan = []
    for layer in _all_layers(model):
        weights = legacy_weights(layer)
        if not weights or layer.name not in saved:
            continue
        what = f"layer '{layer.name}'"
        if _check(layer, weights, saved[layer.name], what, skip_mismatch):
            plan.append((weights, saved[layer.name]))
    return plan


def _all_layers(model):
    out = []
    for layer in model.layers:
        if getattr(layer, "_is_model", False):
            out += _all_layers(layer)
        else:
            out.append(layer)
    return out


def assign(plan):
    for weights, arrays in plan:
        for w, a in zip(weights, arrays):
            w.assign(np.asarray(a).astype(np.float32))


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Load a legacy HDF5 weight file into `model`.

    Args:
        model: a built seqcore model.
        filepath: path of the `.h5` file.
        by_name: match layers by name instead of by order.
        skip_mismatch: skip layers whose weight count or shapes differ
            instead of raising.
    """
    import h5py
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such weights file: {filepath}")
    try:
        f = h5py.File(filepath, "r")
    except (OSError, ValueError) as exc:
        raise ValueError(f"{filepath} is not a readable HDF5 file: {exc}") \
            from None
    with f:
        group = f["model_weights"] if "model_weights" in f else f
        if not is_legacy_group(group):
            raise ValueError(
                f"{filepath} is not a legacy Keras weights file (no "
                f"'layer_names' attribute); Keras 3 files end in "
                f"`.weights.h5`")
        try:
            plan = plan_by_name(group, model, skip_mismatch) if by_name \
                else plan_by_order(group, model, skip_mismatch)
        except (KeyError, OSError) as exc:
            raise ValueError(f"{filepath}: corrupt legacy weights file "
                             f"({exc})") from None
    assign(plan)
