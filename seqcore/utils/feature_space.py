"""keras.utils.FeatureSpace: structured-data preprocessing (a dict of
named columns in, one encoded matrix or a dict of encoded columns out),
built on seqcore's preprocessing layers, without TensorFlow.

Flow (as Keras): declare each feature's type, `adapt()` on data (a dict of
arrays, an ArrayDataset/PyDataset of dicts, or any iterable of dict
batches), then call the FeatureSpace on a dict of numpy arrays, or use
`get_inputs()` / `get_encoded_features()` to build a functional model.
Output columns follow Keras: the features sorted by name, then the
crosses sorted by name; one-hot features are multi-hot encoded over their
preprocessor's cardinality.
"""
import numpy as np

from seqcore.engine.input_layer import Input
from seqcore.engine.keras_tensor import KerasTensor
from seqcore.engine.layer import Layer
from seqcore.engine.naming import auto_name
from seqcore.saving.serialization import (deserialize_keras_object,
                                          register_builtin,
                                          serialize_keras_object)
from seqcore.utils._hashed_cross import FeatureCrosser

_FEATURE_MODULE = "keras.src.layers.preprocessing.feature_space"


def _layers():
    from seqcore import layers
    return layers


@register_builtin
class Cross:
    """A feature cross: the named features hashed together into
    `crossing_dim` bins, then one-hot encoded (`output_mode='one_hot'`) or
    left as bin ids (`'int'`)."""

    _keras_module = _FEATURE_MODULE

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ValueError(f"Invalid value for argument `output_mode`. "
                             f"Expected one of {{'int', 'one_hot'}}. "
                             f"Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": self.feature_names,
                "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@register_builtin
class Feature:
    """One feature: its input dtype ('float32', 'int32' or 'string'), the
    preprocessing layer applied to it, and its output_mode ('int',
    'one_hot' or 'float')."""

    _keras_module = _FEATURE_MODULE

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError(f"Invalid value for argument `output_mode`. "
                             f"Expected one of {{'int', 'one_hot', "
                             f"'float'}}. Received: output_mode="
                             f"{output_mode}")
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = deserialize_keras_object(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {"dtype": self.dtype,
                "preprocessor": serialize_keras_object(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@register_builtin
class TFDIdentity(Layer):
    """The preprocessor of plain float features: its input, as float32
    (Keras's class name, so that saved files interchange)."""

    _keras_module = _FEATURE_MODULE

    def call(self, inputs, training=None):
        return np.asarray(inputs, np.float32)

    def backward(self, dy):
        return dy

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


def _as_column(name, value):
    """A feature's values as a numpy array of rank >= 1."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple)):
        array = np.asarray(value)
        if array.dtype.kind in "US":
            array = array.astype(object)
        return array
    if isinstance(value, (str, bytes)):
        return np.asarray(value, dtype=object)
    try:
        return np.asarray(value)
    except Exception:    # noqa: BLE001 - report what the feature received
        raise ValueError(f"FeatureSpace: feature '{name}' must be an array "
                         f"or a list; received {type(value).__name__}") \
            from None


@register_builtin
class FeatureSpace(Layer):
    """Preprocessing and encoding of structured data.

    Args:
        features: {feature name: type}, a type being a string
            ('float', 'float_rescaled', 'float_normalized',
            'float_discretized', 'integer_categorical',
            'string_categorical', 'integer_hashed', 'string_hashed') or a
            Feature from `FeatureSpace.float(...)` etc.
        output_mode: 'concat' (one float32 matrix (batch, total width))
            or 'dict' (one encoded array per feature and cross).
        crosses: tuples of feature names to hash together, or
            `FeatureSpace.cross(...)` objects.
        crossing_dim: bins of crosses given as tuples (default 32).
        hashing_dim: bins of 'integer_hashed' / 'string_hashed' features
            named by string (default 32).
        num_discretization_bins: bins of 'float_discretized' features
            named by string (default 32).
        name: the layer's name.

    Attributes:
        preprocessors: {feature name: preprocessing layer}.
        crossers: {cross name: hashing layer}.
    """

    _keras_module = "keras.utils"

    # ---- feature constructors -----------------------------------------------

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = name or auto_name("float")
        return Feature("float32", TFDIdentity(name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = name or auto_name("float_rescaled")
        layer = _layers().Rescaling(scale=scale, offset=offset,
                                    name=f"{name}_preprocessor")
        return Feature("float32", layer, "float")

    @classmethod
    def float_normalized(cls, name=None):
        name = name or auto_name("float_normalized")
        layer = _layers().Normalization(axis=-1,
                                        name=f"{name}_preprocessor")
        return Feature("float32", layer, "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None,
                          output_mode="one_hot", name=None):
        name = name or auto_name("float_discretized")
        layer = _layers().Discretization(num_bins=num_bins,
                                         bin_boundaries=bin_boundaries,
                                         name=f"{name}_preprocessor")
        return Feature("float32", layer, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1,
                            output_mode="one_hot", name=None):
        name = name or auto_name("integer_categorical")
        layer = _layers().IntegerLookup(name=f"{name}_preprocessor",
                                        max_tokens=max_tokens,
                                        num_oov_indices=num_oov_indices)
        return Feature("int32", layer, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1,
                           output_mode="one_hot", name=None):
        name = name or auto_name("string_categorical")
        layer = _layers().StringLookup(name=f"{name}_preprocessor",
                                       max_tokens=max_tokens,
                                       num_oov_indices=num_oov_indices)
        return Feature("string", layer, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or auto_name("string_hashed")
        layer = _layers().Hashing(name=f"{name}_preprocessor",
                                  num_bins=num_bins)
        return Feature("string", layer, output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or auto_name("integer_hashed")
        layer = _layers().Hashing(name=f"{name}_preprocessor",
                                  num_bins=num_bins)
        return Feature("int32", layer, output_mode)

    # ---- construction -------------------------------------------------------

    def __init__(self, features, output_mode="concat", crosses=None,
                 crossing_dim=32, hashing_dim=32, num_discretization_bins=32,
                 name=None):
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or "
                             "empty.")
        if output_mode not in {"concat", "dict"}:
            raise ValueError(f"Invalid value for argument `output_mode`. "
                             f"Expected one of {{'concat', 'dict'}}. "
                             f"Received: output_mode={output_mode}")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {key: self._standardize_feature(key, value)
                         for key, value in features.items()}
        self.crosses = []
        for cross in crosses or ():
            if isinstance(cross, dict):
                cross = deserialize_keras_object(cross)
            if not isinstance(cross, Cross):
                if not crossing_dim:
                    raise ValueError(
                        "When specifying `crosses`, the argument "
                        "`crossing_dim` (dimensionality of the crossing "
                        "space) should be specified as well.")
                unknown = [k for k in cross if k not in self.features]
                if unknown:
                    raise ValueError(
                        f"All features referenced in the `crosses` "
                        f"argument should be present in the `features` "
                        f"dict. Received unknown features: {cross}")
                cross = Cross(cross, crossing_dim=crossing_dim)
            self.crosses.append(cross)
        self.crosses_by_name = {c.name: c for c in self.crosses}
        self.output_mode = output_mode
        self.inputs = {key: Input(shape=(1,), dtype=f.dtype, name=key)
                       for key, f in self.features.items()}
        self.preprocessors = {key: f.preprocessor
                              for key, f in self.features.items()}
        self.encoded_features = None
        self.crossers = {c.name: FeatureCrosser(c.crossing_dim, name=c.name)
                         for c in self.crosses}
        self.one_hot_encoders = {}
        self._is_adapted = False
        self._sublayers_built = False
        self._feature_order = sorted(self.features)
        self._cross_order = sorted(self.crosses_by_name)

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return deserialize_keras_object(feature)
        makers = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(
                name=name, num_bins=self.num_discretization_bins),
            "integer_categorical": lambda: self.integer_categorical(
                name=name),
            "string_categorical": lambda: self.string_categorical(
                name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim,
                                                          name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim,
                                                        name=name),
        }
        if not isinstance(feature, str) or feature not in makers:
            raise ValueError(f"Invalid feature type: {feature}")
        return makers[feature]()

    # ---- adapt --------------------------------------------------------------

    def _list_adaptable_preprocessors(self):
        layers = _layers()
        names = []
        for key in self.features:
            layer = self.preprocessors[key]
            if isinstance(layer, layers.Normalization) and \
                    layer.input_mean is not None:
                continue
            if isinstance(layer, layers.TextVectorization) and getattr(
                    layer, "_has_input_vocabulary", False):
                continue
            if isinstance(layer, layers.Discretization) and \
                    layer.num_bins is None:
                continue     # fixed boundaries: nothing to learn
            if hasattr(layer, "adapt"):
                names.append(key)
        return names

    def _columns_of(self, dataset):
        """{feature name: all its values} from the accepted data kinds."""
        from seqcore.utils.dataset_utils import ArrayDataset
        if isinstance(dataset, dict):
            return {k: _as_column(k, v) for k, v in dataset.items()}
        if isinstance(dataset, ArrayDataset) and isinstance(dataset.x,
                                                            dict):
            return {k: _as_column(k, v) for k, v in dataset.x.items()}
        if isinstance(dataset, (str, bytes, np.ndarray)) or \
                not hasattr(dataset, "__iter__") and \
                not hasattr(dataset, "__getitem__"):
            raise ValueError(
                f"`adapt()` can only be called on a dataset or a dict of "
                f"arrays/lists. Received instead: {dataset} (of type "
                f"{type(dataset)})")
        parts = {}
        items = iter(dataset) if hasattr(dataset, "__iter__") else \
            (dataset[i] for i in range(len(dataset)))
        for item in items:
            if isinstance(item, tuple):
                item = item[0]     # (x, y) batches: x is the features
            if not isinstance(item, dict):
                raise ValueError(
                    f"`adapt()` needs batches that are dicts of features "
                    f"(or (dict, labels) tuples); received a "
                    f"{type(item).__name__}")
            for k, v in item.items():
                column = _as_column(k, v)
                parts.setdefault(k, []).append(
                    column.reshape(1) if column.ndim == 0 else column)
        return {k: np.concatenate(v) for k, v in parts.items()}

    def adapt(self, dataset):
        """Learn every adaptable preprocessor's state (vocabularies,
        means and variances, bin boundaries) from `dataset`: a dict of
        arrays or lists, an ArrayDataset (its `x` dict is used, labels
        ignored), or an iterable of dict batches / (dict, labels) batches."""
        columns = self._columns_of(dataset)
        for key in self._list_adaptable_preprocessors():
            if key not in columns:
                raise ValueError(f"`adapt()`: the data has no feature "
                                 f"'{key}' (it has {sorted(columns)})")
            values = self._typed(key, columns[key])
            if values.ndim == 1:
                values = values[:, None]
            self.preprocessors[key].adapt(values)
        self._is_adapted = True
        self.get_encoded_features()
        self.built = True
        self._sublayers_built = True

    def _typed(self, key, values):
        """A feature's values in its declared dtype family."""
        dtype = self.features[key].dtype
        if dtype == "string":
            if values.dtype.kind in "US":
                return values.astype(object)
            return values
        if dtype.startswith("float") and values.dtype.kind in "iub":
            return values.astype(np.float32)
        if dtype.startswith("float") and values.dtype.kind == "O":
            return values.astype(np.float32)
        if dtype.startswith("int") and values.dtype.kind in "fO":
            as_int = values.astype(np.int64)
            if not np.array_equal(as_int, values.astype(np.float64)):
                raise ValueError(f"FeatureSpace: feature '{key}' is "
                                 f"declared {dtype} but has non-integer "
                                 f"values")
            return as_int
        return values

    # ---- symbolic graph -----------------------------------------------------

    def get_inputs(self):
        """{feature name: keras.Input(shape=(1,), dtype=its dtype)}."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded KerasTensor(s) computed from `get_inputs()`: one
        (None, width) tensor in 'concat' mode, a dict in 'dict' mode."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = {key: self.preprocessors[key](self.inputs[key])
                            for key in self.features}
            crossed = self._cross_features(preprocessed)
            self.encoded_features = self._merge_features(preprocessed,
                                                         crossed)
        return self.encoded_features

    def _cross_features(self, features):
        return {c.name: self.crossers[c.name](
            [features[k] for k in c.feature_names]) for c in self.crosses}

    def _cardinality(self, name, layer):
        layers = _layers()
        if isinstance(layer, (layers.IntegerLookup, layers.StringLookup)):
            return layer.vocabulary_size()
        if isinstance(layer, layers.CategoryEncoding):
            return layer.num_tokens
        if isinstance(layer, layers.Discretization):
            return layer.num_bins if layer.num_bins is not None else \
                len(layer.bin_boundaries) + 1
        if isinstance(layer, (layers.Hashing, FeatureCrosser)) or \
                type(layer).__name__ == "HashedCrossing":
            return layer.num_bins
        raise ValueError(
            f"Feature '{name}' has `output_mode='one_hot'`. However it "
            f"isn't a standard feature and the dimensionality of its "
            f"output space is not known, thus it cannot be one-hot "
            f"encoded. Try using `output_mode='int'`.")

    def _merge_features(self, preprocessed, crossed):
        names = self._feature_order + self._cross_order
        values = [preprocessed[n] for n in self._feature_order] + \
            [crossed[n] for n in self._cross_order]
        specs = [self.features[n] for n in self._feature_order] + \
            [self.crosses_by_name[n] for n in self._cross_order]
        symbolic = isinstance(values[0], KerasTensor)
        out = {}
        for name, value, spec in zip(names, values, specs):
            dtype = _dtype_name(value)
            if spec.output_mode == "one_hot":
                if not dtype.startswith(("int", "uint")):
                    raise ValueError(
                        f"Feature '{name}' has `output_mode='one_hot'`. "
                        f"Thus its preprocessor should return an integer "
                        f"dtype. Instead it returns a {dtype} dtype.")
                encoder = self.one_hot_encoders.get(name)
                if encoder is None:
                    layer = self.preprocessors.get(name) or \
                        self.crossers.get(name)
                    encoder = _layers().CategoryEncoding(
                        num_tokens=self._cardinality(name, layer),
                        output_mode="multi_hot")
                    self.one_hot_encoders[name] = encoder
                value = encoder(value)
                dtype = _dtype_name(value)
            if self.output_mode == "concat" and (
                    dtype.startswith(("int", "uint")) or
                    dtype in ("string", "object")):
                raise ValueError(
                    f"Cannot concatenate features because feature "
                    f"'{name}' has not been encoded (it has dtype "
                    f"{dtype}). Consider using `output_mode='dict'`.")
            out[name] = value
        if self.output_mode == "dict":
            return out
        parts = list(out.values())
        if symbolic:
            if len(parts) == 1:
                return parts[0]
            return _layers().Concatenate(axis=-1)(parts)
        return np.concatenate([np.asarray(p, np.float32) for p in parts],
                              axis=-1)

    def _check_if_adapted(self):
        if not self._is_adapted:
            if not self._list_adaptable_preprocessors():
                self._is_adapted = True
            else:
                raise ValueError("You need to call `.adapt(dataset)` on the "
                                 "FeatureSpace before you can start using "
                                 "it.")

    def _check_if_built(self):
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # ---- calling ------------------------------------------------------------

    def __call__(self, data):
        """Encode a dict of feature values (numpy arrays or lists; a batch
        (batch,) or (batch, 1), or single scalars, which give unbatched
        outputs)."""
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a "
                             f"dict. Received: data={data} (of type "
                             f"{type(data)})")
        missing = [k for k in self.features if k not in data]
        if missing:
            raise ValueError(f"FeatureSpace: the data has no feature(s) "
                             f"{missing} (it has {sorted(data)})")
        columns, rebatched = {}, False
        for key in self.features:
            x = self._typed(key, _as_column(key, data[key]))
            if x.ndim == 0:
                x = x.reshape(1, 1)
                rebatched = True
            elif x.ndim == 1:
                x = x[:, None]
            columns[key] = x
        preprocessed = {key: self.preprocessors[key](columns[key])
                        for key in self.features}
        crossed = self._cross_features(preprocessed)
        merged = self._merge_features(preprocessed, crossed)
        if rebatched:
            if self.output_mode == "concat":
                if merged.shape[0] != 1:
                    raise ValueError(f"Expected rebatched data to have "
                                     f"batch size 1. Received: shape="
                                     f"{merged.shape}")
                merged = merged[0]
            else:
                merged = {k: (v[0] if np.ndim(v) == 2 and
                              np.shape(v)[0] == 1 else v)
                          for k, v in merged.items()}
        return merged

    # ---- configuration and saving -------------------------------------------

    def get_config(self):
        return {"features": serialize_keras_object(self.features),
                "output_mode": self.output_mode,
                "crosses": serialize_keras_object(self.crosses),
                "crossing_dim": self.crossing_dim,
                "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        return {key: ({"input_shape": list(f.preprocessor._build_shape)}
                      if getattr(f.preprocessor, "_build_shape", None)
                      else {})
                for key, f in self.features.items()}

    def build_from_config(self, config):
        for key, build in (config or {}).items():
            layer = self.features[key].preprocessor
            shape = (build or {}).get("input_shape")
            if shape is not None and not layer.built:
                layer._maybe_build(tuple(shape))
        self._is_adapted = True

    def save(self, filepath):
        """Save the FeatureSpace (config and adapted state) to a `.keras`
        file in Keras 3's layout; `keras.models.load_model` reloads it."""
        from seqcore.utils.feature_space_io import save_feature_space
        save_feature_space(self, filepath)


def _dtype_name(value):
    dtype = value.dtype if isinstance(value, KerasTensor) else \
        np.asarray(value).dtype
    if isinstance(dtype, str):
        return dtype
    return "string" if dtype.kind in "OUS" else dtype.name
