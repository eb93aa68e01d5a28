"""Layer: the base class of every layer and model.

The contract (docs/architecture.md, "The layer contract"): `__init__`
stores and validates hyper-parameters; `build(input_shape)` creates weights
with `add_weight`; `compute_output_shape` infers shapes without data;
`call(x, training)` runs the forward pass on numpy arrays;
`get_config`/`from_config` round-trip.

Calling a layer on numpy data runs it; calling it on a KerasTensor records a
Node (a graph edge) and returns KerasTensors, which is how Sequential and
functional models are wired.
"""
import functools
import math
import warnings

import numpy as np

from seqcore import initializers, regularizers
from seqcore.engine.input_spec import check_input_shape
from seqcore.engine.keras_tensor import KerasTensor, Node
from seqcore.engine.naming import auto_name
from seqcore.engine.variables import Variable

FLOATX = np.dtype("float32")


def standardize_shape(shape):
    """A shape as a tuple of ints and Nones, in Keras's words on failure."""
    if shape is None:
        raise ValueError("Undefined shapes are not supported.")
    if not isinstance(shape, tuple):
        if not hasattr(shape, "__iter__"):
            raise ValueError(f"Cannot convert '{shape}' to a shape.")
        shape = tuple(shape)
    for dim in shape:
        if dim is None:
            continue
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise ValueError(f"Cannot convert '{shape}' to a shape. Found "
                             f"invalid entry '{dim}' of type '{type(dim)}'.")
        if dim < 0:
            raise ValueError(f"Cannot convert '{shape}' to a shape. Negative "
                             f"dimensions are not allowed.")
    return tuple(None if d is None else int(d) for d in shape)


def dtype_policy_config(name="float32"):
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": {"name": name}, "registered_name": None}


class Layer:
    """Base layer. Subclasses override build, call, compute_output_shape and
    get_config; the rest (weights, naming, graph wiring) lives here."""

    def __init_subclass__(cls, **kwargs):
        """Wrap each subclass's build() so that, however it is called, the
        layer ends up marked built with the shape it was built for."""
        super().__init_subclass__(**kwargs)
        original = cls.__dict__.get("build")
        if original is None or getattr(original, "_records_build", False):
            return

        @functools.wraps(original)
        def build(self, input_shape=None, *args, **kw):
            if input_shape is not None and self._build_shape is None:
                self._build_shape = tuple(input_shape)
            original(self, input_shape, *args, **kw)
            self.built = True

        build._records_build = True
        cls.build = build

    def __init__(self, *, activity_regularizer=None, trainable=True,
                 dtype=None, autocast=True, name=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        input_dim = kwargs.pop("input_dim", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to "
                             f"{self.__class__.__name__}: {kwargs}")
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        self._batch_input_shape = None
        if batch_input_shape is not None:
            self._batch_input_shape = standardize_shape(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (batch_size,) + standardize_shape(
                input_shape)
        if self._batch_input_shape is not None:
            warnings.warn(
                "Do not pass an `input_shape`/`input_dim` argument to a "
                "layer. When using Sequential models, prefer using an "
                "`Input(shape)` object as the first layer in the model "
                "instead.", UserWarning, stacklevel=3)

        if name is None:
            name = auto_name(self.__class__.__name__)
        elif not isinstance(name, str) or "/" in name:
            raise ValueError(f"Argument `name` must be a string without '/', "
                             f"received name={name!r}")
        if dtype not in (None, "float32", np.float32, FLOATX) and not (
                isinstance(dtype, dict) and
                dtype.get("config", {}).get("name") == "float32"):
            raise ValueError(f"{self.__class__.__name__}: seqcore computes in "
                             f"float32; received dtype={dtype!r}")
        self.name = name
        self._trainable = bool(trainable)
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._own_weights = []        # Variables this layer created
        self._layers = []             # tracked sub-layers
        self._inbound_nodes = []
        self._build_shape = None      # input shape seen by build()

    # ---- naming and flags ------------------------------------------------

    @property
    def dtype(self):
        return "float32"

    @property
    def compute_dtype(self):
        return "float32"

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    def __repr__(self):
        return f"<{self.__class__.__name__} name={self.name}, built={self.built}>"

    # ---- weights -----------------------------------------------------------

    def add_weight(self, shape=None, initializer=None, dtype=None,
                   trainable=True, autocast=True, regularizer=None,
                   constraint=None, aggregation="none", name=None):
        """Create, track and return a float32 Variable of `shape`."""
        shape = standardize_shape(() if shape is None else shape)
        if initializer is None:
            initializer = "glorot_uniform"
        value = initializers.get(initializer)(shape, dtype="float32")
        # reshape: ascontiguousarray turns a scalar weight into shape (1,).
        value = np.ascontiguousarray(value, dtype=FLOATX).reshape(shape)
        name = name or f"variable_{len(self._own_weights)}"
        variable = Variable(value, name, path=f"{self.name}/{name}",
                            trainable=trainable)
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraint
        self._own_weights.append(variable)
        return variable

    @property
    def weights(self):
        """Own weights (trainable first, in creation order), then sub-layers'."""
        own = [w for w in self._own_weights if w.trainable] + \
              [w for w in self._own_weights if not w.trainable]
        seen = {id(w) for w in own}
        for layer in self._layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    own.append(w)
        return own

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self._collect_weights(trainable=True)

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return self._collect_weights(trainable=False)

    def _collect_weights(self, trainable):
        out = [w for w in self._own_weights if w.trainable == trainable]
        for layer in self._layers:
            out += (layer.trainable_weights if trainable
                    else layer.non_trainable_weights)
        return out

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def get_weights(self):
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        layer_weights = self.weights
        if len(layer_weights) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' "
                f"with a weight list of length {len(weights)}, but the layer "
                f"was expecting {len(layer_weights)} weights.")
        values = [np.asarray(v) for v in weights]
        for variable, value in zip(layer_weights, values):
            if variable.shape != value.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {variable.shape} is not "
                    f"compatible with provided weight shape {value.shape}.")
        for variable, value in zip(layer_weights, values):
            variable.assign(value)

    def count_params(self):
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', "
                f"but the layer isn't built. You can build it manually via: "
                f"`layer.build(input_shape)`.")
        return int(sum(math.prod(w.shape) for w in self.weights))

    # ---- building and shapes ---------------------------------------------

    def build(self, input_shape):
        if input_shape is not None and self._build_shape is None:
            self._build_shape = tuple(input_shape)
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            self._build_shape = tuple(input_shape)
            self.build(input_shape)

    def compute_output_shape(self, input_shape):
        raise NotImplementedError(
            f"Layer {self.__class__.__name__} should implement "
            f"`compute_output_shape`.")

    def _check_input(self, shape):
        check_input_shape(self.input_spec, shape, self.name)

    # ---- calling ----------------------------------------------------------

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, KerasTensor) or (
                isinstance(inputs, (list, tuple)) and inputs and
                all(isinstance(t, KerasTensor) for t in inputs)):
            return self._symbolic_call(inputs, *args, **kwargs)
        x = self._convert_input(inputs)
        self._maybe_build(x.shape)
        self._check_input(x.shape)
        out = self.call(x, *args, **kwargs)
        if self.activity_regularizer is not None:
            self._activity_output = out   # its loss joins the compiled loss
        return out

    def _convert_input(self, inputs):
        """Inputs as a float32 array (layers taking integers override)."""
        if isinstance(inputs, np.ndarray) and inputs.dtype == FLOATX:
            return inputs
        try:
            return np.asarray(inputs, dtype=FLOATX)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Layer '{self.name}' expects numeric array input; received "
                f"{type(inputs).__name__}: {exc}") from None

    def call(self, inputs, training=None):
        return inputs

    def backward(self, dy):
        """Given dy = d loss / d output of the last training call, write the
        weights' gradients (see variables.store_grad) and return d loss /
        d input. Layers without weights that pass data through unchanged
        inherit this identity."""
        if type(self).call is not Layer.call:
            raise NotImplementedError(
                f"Layer {self.__class__.__name__} '{self.name}' cannot be "
                f"trained: it has no backward pass")
        return dy

    # Set by the trainer for the duration of fit/train_on_batch: training
    # calls may then write into arrays kept from the previous step (see
    # _buffer), so that a steady-state step allocates nothing large.
    _reuse_buffers = False

    def _buffer(self, key, shape, dtype=np.float32):
        """An uninitialised array of `shape`: the one this layer used under
        `key` at the previous training step when buffers are reused, else a
        new one."""
        if not self._reuse_buffers:
            return np.empty(shape, dtype)
        buffers = self.__dict__.setdefault("_buffers", {})
        array = buffers.get(key)
        if array is None or array.shape != shape or array.dtype != dtype:
            array = buffers[key] = np.empty(shape, dtype)
        return array

    def _inference_fn(self, input_shape):
        """A lean function x -> y for inference on inputs of exactly
        `input_shape` (already validated), or None: what Sequential's
        inference plan chains to skip per-call checks."""
        return None

    # Layers whose call() takes `mask=` (the recurrent ones) set this.
    _consumes_mask = False

    def compute_mask(self, inputs, mask=None):
        """The mask of this layer's output, given its input's mask."""
        return mask if self.supports_masking else None

    def _call_with_mask(self, x, mask, training):
        """(output, output mask): how models run a layer, passing masks."""
        if mask is not None and self._consumes_mask:
            out = self(x, training=training, mask=mask)
        else:
            out = self(x, training=training)
        return out, self.compute_mask(x, mask)

    def _output_dtype(self, input_dtype):
        return "float32"

    def _symbolic_call(self, inputs, *args, **kwargs):
        shape = inputs.shape
        self._maybe_build(shape)
        self._check_input(shape)
        out_shape = self.compute_output_shape(shape)
        dtype = self._output_dtype(inputs.dtype)
        if isinstance(out_shape, list):
            outputs = [KerasTensor(s, dtype) for s in out_shape]
        else:
            outputs = [KerasTensor(out_shape, dtype)]
        node = Node(self, [inputs], outputs)
        self._inbound_nodes.append(node)
        for i, tensor in enumerate(outputs):
            tensor._keras_history = (self, len(self._inbound_nodes) - 1, i)
        return outputs if isinstance(out_shape, list) else outputs[0]

    # ---- graph attributes -------------------------------------------------

    def _node_attribute(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been "
                                 f"called and thus has no defined {what}.")
        values = getattr(self._inbound_nodes[0], attr)
        return values[0] if len(values) == 1 else values

    @property
    def input(self):
        return self._node_attribute("input_tensors", "input")

    @property
    def output(self):
        return self._node_attribute("output_tensors", "output")

    @property
    def input_shape(self):
        if self._inbound_nodes:
            return self._inbound_nodes[-1].input_tensors[0].shape
        if self._build_shape is not None:
            return self._build_shape
        if self._batch_input_shape is not None:
            return self._batch_input_shape
        raise AttributeError(f"The layer {self.name} has never been called "
                             f"and thus has no defined input shape.")

    @property
    def output_shape(self):
        if self._inbound_nodes:
            outputs = self._inbound_nodes[-1].output_tensors
            return outputs[0].shape if len(outputs) == 1 else \
                [t.shape for t in outputs]
        if self._build_shape is not None:
            return self.compute_output_shape(self._build_shape)
        raise AttributeError(f"The layer {self.name} has never been called "
                             f"and thus has no defined output shape.")

    # ---- config -------------------------------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policy_config()}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(
                self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
