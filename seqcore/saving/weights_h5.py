"""Keras 3's weights layout in HDF5, both ways.

A model's weights live under `layers/<entry>/vars/<i>`, where <entry> is the
layer's class in snake case made unique within its container (`dense`,
`dense_1`, ...: Keras does not use layer names, which vary between runs);
recurrent layers keep theirs under `layers/<entry>/cell/vars/<i>`, nested
models under `layers/<entry>/layers/...`, wrapped layers under
`layers/<entry>/<key>/...` (key: `layer`, `forward_layer`, ...); the
optimizer's state is `optimizer/vars/<i>` (iterations, learning rate, then
its slots in Keras's order). Every `vars` group carries the object's name
as an attribute.
"""
import numpy as np

from seqcore.engine.naming import to_snake_case


def _entries(model, prefix="layers"):
    """(h5 path of the layer's vars, layer) for every layer, depth first;
    nested models yield their own layers under their path."""
    used = {}
    out = []
    for layer in model.layers:
        base = to_snake_case(type(layer).__name__)
        count = used.get(base, 0)
        used[base] = count + 1
        entry = f"{prefix}/{base}" if count == 0 else \
            f"{prefix}/{base}_{count}"
        if getattr(layer, "_is_model", False):
            out.append((entry, layer))
            out += _entries(layer, f"{entry}/layers")
        else:
            out.append((entry, layer))
            out += _children(entry, layer)
    return out


def _children(entry, layer):
    """Wrapped layers (TimeDistributed's `layer`, Bidirectional's
    `forward_layer` and `backward_layer`) under their keys, as Keras 3
    nests them, from the wrapper's `_saved_children()`."""
    found = []
    children = getattr(layer, "_saved_children", None)
    for key, child in (children() if children else []):
        path = f"{entry}/{key}"
        found.append((path, child))
        found += _children(path, child)
    return found


def _own_weights(layer):
    if getattr(layer, "_is_model", False):
        return []
    return [w for w in layer._own_weights if w._created_trainable] + \
        [w for w in layer._own_weights if not w._created_trainable]


def _vars_path(entry, layer):
    cell = getattr(layer, "kind", None) in ("lstm", "gru", "simple_rnn")
    return f"{entry}/cell/vars" if cell else f"{entry}/vars"


def write(h5, model, optimizer=None):
    """Write `model`'s weights (and the optimizer's state) into the open
    h5py File `h5`."""
    root = h5.create_group("vars")
    root.attrs["name"] = model.name
    for entry, layer in _entries(model):
        h5.require_group(f"{entry}/vars").attrs["name"] = layer.name
        weights = _own_weights(layer)
        path = _vars_path(entry, layer)
        group = h5.require_group(path)
        if path != f"{entry}/vars":
            group.attrs["name"] = f"{layer.kind}_cell"
        if _has_own_hooks(layer):
            store = {}
            layer.save_own_variables(store)
            for key, value in store.items():
                group.create_dataset(str(key), data=np.asarray(value))
            continue
        for i, w in enumerate(weights):
            group.create_dataset(str(i), data=w.numpy())
    if optimizer is not None and optimizer.built:
        group = h5.create_group("optimizer/vars")
        group.attrs["name"] = optimizer.name
        for i, value in enumerate(optimizer.state_values()):
            group.create_dataset(str(i), data=value)
        # Wrappers (LossScaleOptimizer, MultiOptimizer): Keras also writes
        # each inner optimizer's own variables in a group of its own.
        for path, inner in getattr(optimizer, "_nested_state", list)():
            group = h5.create_group(f"optimizer/{path}/vars")
            group.attrs["name"] = inner.name
            for i, value in enumerate(inner.state_values()):
                group.create_dataset(str(i), data=value)


def _group(h5, path, layer):
    try:
        group = h5[path]
    except (KeyError, ValueError):
        return None
    import h5py
    if not isinstance(group, h5py.Group):
        raise ValueError(f"Layer '{layer.name}': '{path}' in the weights file "
                         f"is not a group of variables")
    return group


def read_values(h5, model):
    """[(layer, [arrays])] from the file for every layer with weights,
    checked against the layers' weight shapes (nothing assigned yet)."""
    plan = []
    for entry, layer in _entries(model):
        weights = _own_weights(layer)
        if _has_own_hooks(layer):
            group = _group(h5, _vars_path(entry, layer), layer)
            store = {} if group is None else \
                {key: np.asarray(group[key]) for key in group}
            plan.append((layer, _OwnStore(store)))
            continue
        if not weights:
            continue
        path = _vars_path(entry, layer)
        group = _group(h5, path, layer)
        if group is None:
            raise ValueError(
                f"Layer '{layer.name}' ({type(layer).__name__}) has "
                f"{len(weights)} weights but the file has no '{path}' group: "
                f"the file was saved from a different model")
        if len(group) != len(weights):
            raise ValueError(
                f"Layer '{layer.name}' expects {len(weights)} weights, the "
                f"file has {len(group)} under '{path}'")
        values = []
        for i, w in enumerate(weights):
            if str(i) not in group:
                raise ValueError(f"Layer '{layer.name}': weight {i} "
                                 f"('{w.name}') is missing from '{path}'")
            value = np.asarray(group[str(i)])
            if value.shape != w.shape:
                raise ValueError(
                    f"Layer '{layer.name}': weight '{w.name}' has shape "
                    f"{w.shape}, the file has {value.shape} under "
                    f"'{path}/{i}'")
            if value.dtype.kind not in "fiu":
                raise ValueError(f"Layer '{layer.name}': weight '{w.name}' "
                                 f"in the file is not numeric "
                                 f"({value.dtype})")
            values.append(value)
        plan.append((layer, values))
    return plan


def read_optimizer_values(h5):
    """The optimizer's saved arrays in order, or None when absent."""
    if "optimizer" not in h5 or "vars" not in h5["optimizer"]:
        return None
    group = h5["optimizer/vars"]
    return [np.asarray(group[str(i)]) for i in range(len(group))
            if str(i) in group]


def _has_own_hooks(layer):
    """Whether the layer's class writes its own save/load_own_variables
    (Keras's saving hooks), which then decide what its group holds."""
    from seqcore.engine.layer import Layer
    from seqcore.layers._lora import LoraMixin
    if getattr(layer, "lora_enabled", False):
        return True         # the merged weight in place of the base one
    kind = type(layer)
    return kind.save_own_variables not in (Layer.save_own_variables,
                                           LoraMixin.save_own_variables) or \
        kind.load_own_variables not in (Layer.load_own_variables,
                                        LoraMixin.load_own_variables)


class _OwnStore(dict):
    """A layer's saved group, handed to its load_own_variables."""


def assign(plan):
    for layer, values in plan:
        if isinstance(values, _OwnStore):
            layer.load_own_variables(values)
            continue
        for w, value in zip(_own_weights(layer), values):
            w.assign(value.astype(np.float32))

