"""keras.saving.KerasFileEditor: inspect and edit the weights of a `.keras`
or `.weights.h5` file (rename, delete or add objects and weights), then
write them as a `.weights.h5` file, as Keras 3.15's editor does.

The weights are read into nested dicts mirroring the file: a group with a
`vars` subgroup becomes {weight name: array} (its `vars` level folded
away), so `editor.weights_dict["layers"]["dense"]["0"]` is a Dense kernel.
"""
import io
import json
import math
import os
import zipfile
from collections import OrderedDict

import numpy as np

_MAX_BYTES = 1 << 32


def _h5py():
    import h5py
    return h5py


def _read_tree(group, metadata, inner_path=""):
    """(weights dict, metadata) of an open h5py group; refuses links and
    datasets that are external, virtual or absurdly large."""
    h5py = _h5py()
    if group.attrs:
        metadata[inner_path] = dict(group.attrs)
    result = OrderedDict()
    for key in group.keys():
        path = f"{inner_path}/{key}"
        link = group.get(key, getclass=True, getlink=True)
        if link in (h5py.ExternalLink, h5py.SoftLink):
            raise ValueError(f"Not allowed: H5 file with {link.__name__}")
        value = group[key]
        if isinstance(value, h5py.Group):
            if len(value) == 0:
                continue
            if "vars" in value:
                if len(value["vars"]) == 0:
                    continue
                result[key] = _read_tree(value["vars"], metadata, path)
            else:
                result[key] = _read_tree(value, metadata, path)
            continue
        if not isinstance(value, h5py.Dataset):
            continue
        if value.external:
            raise ValueError(f"Not allowed: H5 file Dataset with external "
                             f"links: {value.external}")
        if value.is_virtual:
            raise ValueError(f"Not allowed: H5 file with virtual Dataset at "
                             f"{path}")
        if len(value.shape) > 64:
            raise ValueError("Malformed HDF5 dataset shape encountered in "
                             ".keras file; tensor rank exceeds safety limit.")
        size = math.prod(value.shape) * value.dtype.itemsize
        if size > _MAX_BYTES:
            raise ValueError(f"HDF5 dataset too large to load safely "
                             f"({size} bytes; limit is {_MAX_BYTES}).")
        result[key] = value[()]
    return result


def _read_file(h5file):
    metadata = {}
    weights = _read_tree(h5file, metadata)
    return weights, metadata


def _count(tree, name):
    count = sum(_count(v, name) for v in tree.values() if isinstance(v, dict))
    return count + (1 if name in tree else 0)


class KerasFileEditor:
    """Inspect, edit and resave the weights of a Keras file.

    Args:
        filepath: a `.keras` or `.weights.h5` file.

    Attributes:
        weights_dict: nested dicts of the file's weights (see the module).
        object_metadata: {"/layers/dense": {"name": "dense"}, ...}, the
            groups' attributes.
        config, metadata: the `.keras` file's config.json and
            metadata.json (None for a `.weights.h5` file).

    Raises:
        ValueError: another extension, or a corrupt file.
    """

    def __init__(self, filepath):
        filepath = os.fspath(filepath)
        self.filepath = filepath
        self.metadata = None
        self.config = None
        self.model = None
        h5py = _h5py()
        try:
            if filepath.endswith(".keras"):
                with zipfile.ZipFile(filepath, "r") as zf:
                    self.config = json.loads(zf.read("config.json"))
                    self.metadata = json.loads(zf.read("metadata.json"))
                    data = zf.read("model.weights.h5")
                with h5py.File(io.BytesIO(data), "r") as h5:
                    weights, metadata = _read_file(h5)
            elif filepath.endswith(".weights.h5"):
                with h5py.File(filepath, "r") as h5:
                    weights, metadata = _read_file(h5)
            else:
                raise ValueError(f"Invalid filename: expected a `.keras` "
                                 f"`.weights.h5` extension. Received: "
                                 f"filepath={filepath}")
        except (OSError, KeyError, zipfile.BadZipFile,
                json.JSONDecodeError) as exc:
            raise ValueError(f"KerasFileEditor: cannot read {filepath!r} "
                             f"as a Keras file ({exc})") from None
        self.weights_dict = weights
        self.object_metadata = metadata
        print(self._filepath_info())
        if self.metadata is not None:
            print(self._metadata_info())

    def _filepath_info(self):
        return f"Keras model file '{self.filepath}'"

    def _metadata_info(self):
        return (f"Saved with Keras {self.metadata.get('keras_version')} - "
                f"date: {self.metadata.get('date_saved')}")

    # ---- printing ----------------------------------------------------------------

    def summary(self):
        """Print the tree of objects and weights (shape and dtype)."""
        print("Weights structure")
        self._print_tree(self.weights_dict, "  ", "")

    def _print_tree(self, tree, prefix, inner_path):
        items = list(tree.items())
        for i, (key, value) in enumerate(items):
            path = f"{inner_path}/{key}"
            last = i == len(items) - 1
            connector = "└─ " if last else "├─ "
            if isinstance(value, dict):
                label = f"{prefix}{connector}{key}"
                name = self.object_metadata.get(path, {}).get("name")
                if name is not None:
                    label += f" ('{name}')"
                print(label)
                self._print_tree(value, prefix + ("    " if last else "│   "),
                                 path)
            else:
                print(f"{prefix}{connector}{key}: shape={value.shape}, "
                      f"dtype={value.dtype}")

    # ---- comparing with a model ------------------------------------------------

    def compare(self, reference_model):
        """List every difference between the file's weights and those
        `reference_model` would save (missing objects or weights, other
        shapes).

        Returns:
            {"status": "success" or "error", "error_count": int,
             "match_count": int}.
        """
        from seqcore.saving import weights_h5
        h5py = _h5py()
        print("Running comparison")
        buffer = io.BytesIO()
        with h5py.File(buffer, "w") as h5:
            weights_h5.write(h5, reference_model,
                             getattr(reference_model, "optimizer", None))
            reference, _ = _read_file(h5)
        errors, matches, checked = 0, 0, set()
        for target, spec, target_name, ref_name in (
                (self.weights_dict, reference, "saved file",
                 "reference model"),
                (reference, self.weights_dict, "reference model",
                 "saved file")):
            e, m = self._compare(target, spec, "", target_name, ref_name,
                                 checked)
            errors += e
            if target is self.weights_dict:
                matches = m
        print("─────────────────────")
        if errors == 0:
            print("Comparison successful: saved file is compatible with the "
                  "reference model")
            print(f"    Found {matches} matching weight"
                  f"{'' if matches == 1 else 's'}")
        else:
            print(f"Found {errors} error{'' if errors == 1 else 's'}: saved "
                  f"file is not compatible with the reference model")
        return {"status": "success" if errors == 0 else "error",
                "error_count": errors, "match_count": matches}

    def _compare(self, target, spec, base, target_name, ref_name, checked):
        errors = matches = 0
        for key, value in spec.items():
            path = f"{base}/{key}"
            if path in checked:
                continue
            if key not in target:
                errors += 1
                checked.add(path)
                kind = "Object" if isinstance(value, dict) else "Weight"
                print(f"...{kind} {path} present in {ref_name}, missing "
                      f"from {target_name}")
                if isinstance(value, dict):
                    print(f"    In {ref_name}, {path} contains the "
                          f"following keys: {list(value)}")
            elif isinstance(value, dict):
                e, m = self._compare(target[key], value, path, target_name,
                                     ref_name, checked)
                errors, matches = errors + e, matches + m
            elif np.shape(target[key]) != np.shape(value):
                errors += 1
                checked.add(path)
                print(f"...Weight shape mismatch for {path}\n"
                      f"    In {ref_name}: shape={np.shape(value)}\n"
                      f"    In {target_name}: shape={np.shape(target[key])}")
            else:
                matches += 1
        return errors, matches

    # ---- editing ---------------------------------------------------------------

    def _edit_object(self, edit_fn, source_name, target_name=None):
        if target_name is not None and "/" in target_name:
            raise ValueError(f"Argument `target_name` should be a leaf name, "
                             f"not a full path name. Received: "
                             f"target_name='{target_name}'")
        if "/" in source_name:
            elements = source_name.split("/")
            tree = self.weights_dict
            for e in elements[:-1]:
                if not isinstance(tree, dict) or e not in tree:
                    raise ValueError(f"Path '{source_name}' not found in "
                                     f"model.")
                tree = tree[e]
            if not isinstance(tree, dict) or elements[-1] not in tree:
                raise ValueError(f"Path '{source_name}' not found in model.")
            edit_fn(tree, elements[-1], target_name)
            return
        occurrences = _count(self.weights_dict, source_name)
        if occurrences > 1:
            raise ValueError(f"Name '{source_name}' occurs more than once in "
                             f"the model; try passing a complete path")
        if occurrences == 0:
            raise ValueError(f"Source name '{source_name}' does not appear in "
                             f"the model. Use `editor.summary()` to list all "
                             f"objects.")

        def visit(tree):
            for value in list(tree.values()):
                if isinstance(value, dict):
                    visit(value)
            if source_name in tree:
                edit_fn(tree, source_name, target_name)
        visit(self.weights_dict)

    def rename_object(self, object_name, new_name):
        """Rename an object (e.g. a layer).

        Args:
            object_name: its name or path ("dense_2", "layers/dense_2").
            new_name: the new leaf name.
        """
        def rename(tree, source, target):
            tree[target] = tree.pop(source)
        self._edit_object(rename, object_name, new_name)

    def delete_object(self, object_name):
        """Remove an object (e.g. a layer), by name or path."""
        def delete(tree, source, target=None):
            tree.pop(source)
        self._edit_object(delete, object_name)

    def add_object(self, object_path, weights):
        """Add an object at `object_path` ("layers/dense_2") with
        `weights`, a dict {"0": kernel, "1": bias, ...}."""
        _check_weights(weights)
        if "/" in object_path:
            elements = object_path.split("/")
            tree = self.weights_dict
            for e in elements[:-1]:
                if e not in tree:
                    raise ValueError(f"Path '{'/'.join(elements[:-1])}' not "
                                     f"found in model.")
                tree = tree[e]
            tree[elements[-1]] = dict(weights)
        else:
            self.weights_dict[object_path] = dict(weights)

    def delete_weight(self, object_name, weight_name):
        """Remove the weight `weight_name` ("0") of an object."""
        def delete(tree, source, target=None):
            if weight_name not in tree[source]:
                raise ValueError(f"Weight {weight_name} not found in object "
                                 f"{object_name}. Weights found: "
                                 f"{list(tree[source].keys())}")
            tree[source].pop(weight_name)
        self._edit_object(delete, object_name)

    def add_weights(self, object_name, weights):
        """Add weights (a dict {"2": array, ...}) to an existing object."""
        _check_weights(weights)

        def add(tree, source, target=None):
            tree[source].update(weights)
        self._edit_object(add, object_name)

    # ---- writing -----------------------------------------------------------------

    def save(self, filepath):
        """Write the (edited) weights as a `.weights.h5` file, written to a
        temporary file then renamed."""
        filepath = os.fspath(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(f"Invalid `filepath` argument: expected a "
                             f"`.weights.h5` extension. Received: "
                             f"filepath={filepath}")
        h5py = _h5py()
        tmp = filepath + ".tmp"
        with h5py.File(tmp, "w") as h5:
            _write_tree(h5, self.weights_dict, "")
        os.replace(tmp, filepath)

    def resave_weights(self, filepath):
        """Same as `save`."""
        self.save(filepath)


def _check_weights(weights):
    if not isinstance(weights, dict):
        raise ValueError(f"Argument `weights` should be a dict where keys "
                         f"are weight names (usually '0', '1', etc.) and "
                         f"values are NumPy arrays. Received: "
                         f"type(weights)={type(weights)}")


def _write_tree(h5, tree, inner_path):
    leaves = {}
    for name, value in tree.items():
        if isinstance(value, dict):
            if value:
                _write_tree(h5, value, f"{inner_path}/{name}".lstrip("/"))
        else:
            leaves[name] = value
    if leaves:
        group = h5.create_group(f"{inner_path}/vars" if inner_path
                                else "vars")
        for name, value in leaves.items():
            group[name] = np.asarray(value)
