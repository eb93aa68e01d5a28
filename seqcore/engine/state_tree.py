"""Model.get_state_tree / set_state_tree (Keras 3): every variable of a
model (trainable, non-trainable, the optimizer's, the metrics') as nested
dicts keyed by the parts of its path, and back."""
import numpy as np

GROUPS = ("trainable_variables", "non_trainable_variables",
          "optimizer_variables", "metrics_variables")


def _group_variables(model, group):
    if group == "optimizer_variables":
        optimizer = getattr(model, "optimizer", None)
        return list(optimizer.variables) if optimizer is not None else []
    return list(getattr(model, group))


def get_state_tree(model, value_format="backend_tensor"):
    """{group: nested dict path part -> ... -> value}.

    Args:
        model: a built (for the optimizer's and metrics' groups, trained)
            model.
        value_format: "backend_tensor" or "numpy_array"; both give numpy
            copies of the values (seqcore's tensors are numpy arrays).
    """
    if value_format not in ("backend_tensor", "numpy_array"):
        raise ValueError(
            "Invalid `value_format` argument. Expected one of "
            "{'numpy_array', 'backend_tensor'}. Received: "
            f"value_format={value_format}")
    tree = {}
    for group in GROUPS:
        flat = {}
        for variable in _group_variables(model, group):
            if variable.path in flat:
                raise ValueError(
                    f"The following variable path is found twice in the "
                    f"model: '{variable.path}'. `get_state_tree()` can only "
                    f"be called when all variable paths are unique. Make "
                    f"sure to give unique names to your layers (and other "
                    f"objects).")
            flat[variable.path] = np.array(variable.numpy())
        tree[group] = _nest(flat)
    return tree


def set_state_tree(model, state_tree):
    """Assign the values of a tree from get_state_tree (a subset of groups
    and paths may be given; paths the model lacks are skipped, as Keras
    skips them)."""
    for group, nested in state_tree.items():
        if group not in GROUPS:
            raise ValueError(f"Unknown variable name: {group}")
        flat = _flatten(nested)
        if group == "optimizer_variables":
            _assign_optimizer(model, flat)
            continue
        for variable in _group_variables(model, group):
            if variable.path in flat:
                variable.assign(_shaped(flat[variable.path], variable.shape,
                                        variable.path))


def _assign_optimizer(model, flat):
    """The optimizer's variables are copies of its state: the new values go
    in through load_state_values, in state_values() order."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not optimizer.built:
        return
    values = [_shaped(flat[v.path], v.shape, v.path) if v.path in flat
              else v.numpy() for v in optimizer.variables]
    optimizer.load_state_values(values)


def _shaped(value, shape, path):
    """value as an array of `shape`: the same values in another shape of
    the same size are taken (R, whose arrays are never 0-d, hands a
    scalar as one element); a different size raises."""
    value = np.asarray(value)
    if value.shape != tuple(shape):
        if value.size != int(np.prod(shape)):
            raise ValueError(
                f"set_state_tree: '{path}' has shape {tuple(shape)}, the "
                f"tree gives shape {value.shape}")
        value = value.reshape(shape)
    return value


def _nest(flat):
    nested = {}
    for path, value in flat.items():
        parts = path.split("/")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return nested


def _flatten(nested, prefix=""):
    flat = {}
    for key, value in nested.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
