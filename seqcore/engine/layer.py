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

from seqcore import constraints, dtype_policies, initializers, regularizers
from seqcore import random as random_module
from seqcore import scopes
from seqcore.engine.input_spec import check_input_shape
from seqcore.engine.keras_tensor import KerasTensor, Node
from seqcore.engine.naming import auto_name
from seqcore.engine.operation import Operation
from seqcore.engine import auto_config, call_tensors, custom_call
from seqcore.engine import buffers as buffers_module
from seqcore.engine import tape as tape_module
from seqcore.engine.traced import Traced
from seqcore.engine.variables import Variable

FLOATX = np.dtype("float32")

# Attributes that refer to a layer without owning it.
_UNTRACKED = frozenset(("_parent", "_outer"))


def _is_symbolic(inputs):
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, (list, tuple)) and inputs:
        return all(isinstance(t, KerasTensor) for t in inputs)
    if isinstance(inputs, dict) and inputs:
        return all(isinstance(t, KerasTensor) for t in inputs.values())
    return False


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


class Layer(Operation):
    """Base layer (an Operation, as in Keras 3). Subclasses override build,
    call, compute_output_shape and get_config; the rest (weights, naming,
    graph wiring) lives here."""

    def __init_subclass__(cls, **kwargs):
        """Wrap each subclass's build() so that, however it is called, the
        layer ends up marked built with the shape it was built for, and
        builds inside its name scope (the weights and sub-layers it makes
        get paths under its own)."""
        super().__init_subclass__(**kwargs)
        original = cls.__dict__.get("build")
        if original is None or getattr(original, "_scoped_build", False):
            return
        if getattr(original, "_records_build", False):
            # A build that records its own shapes (several inputs): only
            # the name scope.
            @functools.wraps(original)
            def build(self, *args, **kw):
                with self._open_name_scope():
                    return original(self, *args, **kw)
        else:
            @functools.wraps(original)
            def build(self, input_shape=None, *args, **kw):
                if input_shape is not None and self._build_shape is None:
                    self._build_shape = tuple(input_shape)
                with self._open_name_scope():
                    original(self, input_shape, *args, **kw)
                self.built = True

        build._records_build = True
        build._scoped_build = True
        cls.build = build

    def __new__(cls, *args, **kwargs):
        instance = object.__new__(cls)
        if not cls.__module__.startswith("seqcore."):
            instance.__dict__["_auto_config"] = auto_config.capture(
                cls, args, kwargs)
        return instance

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
        self._dtype_policy = dtype_policies.layer_policy(
            self.__class__.__name__, dtype)
        self.name = name
        self._trainable = bool(trainable)
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._own_weights = []        # Variables this layer created
        self.__dict__.setdefault("_layers", [])    # tracked sub-layers
        self._inbound_nodes = []
        self._build_shape = None      # input shape seen by build()
        # The name-scope path around the layer's first scope (build or
        # call), where its later scopes open: see _open_name_scope.
        self.__dict__.setdefault("_parent_path", None)

    # ---- naming and flags ------------------------------------------------

    @property
    def dtype(self):
        return "float32"

    @property
    def dtype_policy(self):
        """The layer's DTypePolicy (as given; mixed policies run in
        float32: see seqcore.dtype_policies)."""
        policy = self.__dict__.get("_dtype_policy")
        return policy if policy is not None else \
            dtype_policies.DTypePolicy("float32")

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._dtype_policy = dtype_policies.layer_policy(
            self.__class__.__name__, value)

    @property
    def compute_dtype(self):
        """Always "float32": what seqcore's layers compute in."""
        return "float32"

    @property
    def variable_dtype(self):
        """Always "float32": the dtype of seqcore's variables."""
        return "float32"

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        # As Keras 3: the variables made trainable follow the layer's flag
        for w in self.__dict__.get("_own_weights", ()):
            if w._created_trainable:
                w.trainable = bool(value)
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
        with scopes.name_scope(self.name, caller=self):
            variable = Variable(value, name, trainable=trainable)
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        if not self.trainable:
            variable.trainable = False     # a frozen layer's, as in Keras
        self._own_weights.append(variable)
        return variable

    def add_variable(self, shape, initializer, dtype=None, trainable=True,
                     autocast=True, regularizer=None, constraint=None,
                     name=None):
        """Keras's other spelling of add_weight (shape and initializer
        first)."""
        return self.add_weight(shape=shape, initializer=initializer,
                               dtype=dtype, trainable=trainable,
                               autocast=autocast, regularizer=regularizer,
                               constraint=constraint, name=name)

    @property
    def path(self):
        """The layer's name path (Keras's `path`): the scopes around its
        first build or call, then its name (`sequential/dense`)."""
        parent = self.__dict__.get("_parent_path")
        return f"{parent}/{self.name}" if parent else self.name

    def _open_name_scope(self):
        """The layer's name scope, opened around its build and its calls
        (Keras 3's rule): the first one fixes where the layer sits
        (`_parent_path`, the path open at that moment); every later one
        opens there, so a layer's weights get the same prefix however and
        wherever it is built or called again."""
        if self.__dict__.get("_parent_path") is None:
            self.__dict__["_parent_path"] = scopes.current_path()
        return scopes.name_scope(self.name, caller=self)

    @property
    def input_dtype(self):
        return self.dtype_policy.compute_dtype \
            if hasattr(self.dtype_policy, "compute_dtype") else "float32"

    @property
    def metrics(self):
        """The Metric objects the layer tracks (Keras's attribute; a plain
        layer has none)."""
        return []

    @property
    def metrics_variables(self):
        return [v for m in self.metrics for v in m.variables]

    def get_build_config(self):
        """{"input_shape": ...} once built from a known shape, as Keras."""
        shape = self.__dict__.get("_build_shape")
        return {"input_shape": shape} if self.built and shape is not None \
            else None

    def build_from_config(self, config):
        if config and config.get("input_shape") is not None:
            self._maybe_build(tuple(config["input_shape"]))

    def save_own_variables(self, store):
        """Write the layer's own weights into `store` ({"0": array, ...}),
        Keras's hook for what `.keras` files hold."""
        for i, w in enumerate(self._own_weights):
            store[str(i)] = w.numpy()

    def load_own_variables(self, store):
        """Assign the layer's own weights from `store` (the form
        save_own_variables writes), checking count and shapes."""
        if len(store.keys()) != len(self._own_weights):
            raise ValueError(
                f"Layer '{self.name}' expected {len(self._own_weights)} "
                f"variables, but received {len(store.keys())} variables "
                f"during loading.")
        for i, w in enumerate(self._own_weights):
            w.assign(np.asarray(store[str(i)]))

    @property
    def weights(self):
        """Own weights (trainable first, in creation order), then sub-layers'."""
        own = [w for w in self._own_weights if w._created_trainable] + \
              [w for w in self._own_weights if not w._created_trainable]
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

    def stateless_call(self, trainable_variables, non_trainable_variables,
                       *args, return_losses=False, **kwargs):
        """`call(*args, **kwargs)` with the layer's variables reading the
        given values and none of them changing (Keras 3): returns
        (outputs, non-trainable variables' new values), and the losses
        too with `return_losses` (engine/stateless.py)."""
        from seqcore.engine import stateless
        return stateless.layer_stateless_call(
            self, trainable_variables, non_trainable_variables, args, kwargs,
            return_losses)

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
        # Built and called inside its name scope: what it builds or makes
        # in call (sub-layers, variables) gets a path under its own. (The
        # scope entry is kept, the stack pushed by hand: this runs for
        # every layer of every step.)
        scope = self.__dict__.get("_call_scope")
        if scope is None or scope.name != self.name:
            scope = self.__dict__["_call_scope"] = self._open_name_scope()
        stack = scopes._STACK
        if stack and stack[-1].caller is self and \
                stack[-1].name == scope.name:
            return self._scoped_call(inputs, args, kwargs)
        stack.append(scope)
        try:
            return self._scoped_call(inputs, args, kwargs)
        finally:
            stack.pop()

    def _scoped_call(self, inputs, args, kwargs):
        if _is_symbolic(inputs):
            return self._symbolic_call(inputs, *args, **kwargs)
        tape = tape_module.active()
        if tape is not None:
            return custom_call.call_on_tape(self, tape, inputs, args, kwargs)
        if kwargs.get("training"):
            self._step_calls = self.__dict__.get("_step_calls", 0) + 1
        if self._uses_tape():
            if kwargs.get("training"):
                return custom_call.call_recorded(self, inputs, args, kwargs)
            return custom_call.call_plain(self, inputs, args, kwargs)
        x = self._convert_input(inputs)
        if isinstance(x, np.ndarray):
            self._maybe_build(x.shape)
            self._check_input(x.shape)
        out = self.call(x, *args, **kwargs)
        if self.activity_regularizer is not None:
            self._activity_output = out   # its loss joins the compiled loss
        return out

    # Whether this layer's gradient comes from the tape: None decides by
    # class (a layer defined outside seqcore whose call is its own and that
    # writes no backward); Lambda sets True.
    _differentiated_by_tape = None

    @classmethod
    def _uses_tape(cls):
        flag = cls._differentiated_by_tape
        if flag is None:
            flag = cls.backward is Layer.backward and \
                cls.call is not Layer.call and \
                not cls.__module__.startswith("seqcore.")
            cls._differentiated_by_tape = flag
        return flag

    # ---- losses added in call ------------------------------------------------

    def add_loss(self, loss):
        """Add a scalar loss computed in `call` (Keras's `add_loss`): `fit`
        adds it to the compiled loss, and trains on it."""
        tape = tape_module.active()
        if type(loss) is Traced and tape is not None and \
                loss.tape is tape:
            tape.added_losses.append(loss.node)
            value = loss.value
        else:
            value = tape_module.plain(loss)
        value = np.asarray(value, np.float32)
        if value.ndim:
            value = np.sum(value)
        self.__dict__.setdefault("_losses", []).append(value)

    def _clear_losses(self):
        self.__dict__["_losses"] = []
        for layer in self._layers:
            layer._clear_losses()

    def _activity_loss(self):
        """Keras's activity regularization loss of the last call: the
        regularizer of each output divided by that output's batch size
        (0.0 without a regularizer or a recorded output)."""
        reg = self.activity_regularizer
        out = self.__dict__.get("_activity_output")
        if reg is None or out is None:
            return 0.0
        total = 0.0
        for o in (out if isinstance(out, (list, tuple)) else [out]):
            value = float(reg(o))
            total += value / o.shape[0] if np.ndim(o) and o.shape[0] \
                else value
        return total

    def _own_losses(self):
        """The add_loss values of the last call, then its activity
        regularization loss (as Keras adds it after the call)."""
        found = list(self.__dict__.get("_losses", []))
        if self.activity_regularizer is not None and \
                self.__dict__.get("_activity_output") is not None:
            found.append(np.float32(self._activity_loss()))
        return found

    @property
    def losses(self):
        """The add_loss and activity regularization losses of the last call
        (this layer's and its sub-layers'), then the weight regularization
        losses."""
        found = self._own_losses()
        for layer in self._nested_layers():
            found += layer._own_losses()
        for w in self.trainable_weights:
            if w.regularizer is not None:
                found.append(np.float32(w.regularizer(w.value)))
        return found

    def _nested_layers(self):
        """Every layer under this one, depth first, each once (Keras's
        `_flatten_layers(include_self=False)`)."""
        found, seen = [], {id(self)}
        stack = list(reversed(self.__dict__.get("_layers", [])))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            found.append(layer)
            stack.extend(reversed(layer.__dict__.get("_layers", [])))
        return found

    def _added_losses_total(self):
        """Sum of the add_loss values of this layer and all sub-layers."""
        total = float(sum(float(v) for v in self.__dict__.get("_losses", [])))
        for layer in self._layers:
            total += layer._added_losses_total()
        return total

    # ---- attribute tracking ------------------------------------------------

    def __setattr__(self, name, value):
        if isinstance(value, Layer) and value is not self and \
                name not in _UNTRACKED:
            self._track(value)
        elif isinstance(value, (list, tuple)) and value and \
                not name.startswith("_") and \
                all(isinstance(v, Layer) for v in value):
            for v in value:
                self._track(v)
        object.__setattr__(self, name, value)

    def _track(self, layer):
        layers = self.__dict__.get("_layers")
        if layers is None:
            layers = self.__dict__["_layers"] = []
        if not any(layer is known for known in layers):
            layers.append(layer)

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

    def backward(self, dy, need_input_grad=True):
        """Given dy = d loss / d output of the last training call, write the
        weights' gradients (see variables.store_grad) and return d loss /
        d input (None allowed when need_input_grad is False: nothing uses
        it). Custom layers replay their call's tape; layers without
        weights that pass data through unchanged inherit this identity."""
        if self._uses_tape():
            record = self.__dict__.get("_saved")
            if record is None:
                raise RuntimeError(
                    f"Layer '{self.name}': backward() needs a training call "
                    f"first (call it with training=True)")
            return custom_call.backward_recorded(self, record, dy,
                                                need_input_grad)
        if type(self).call is not Layer.call:
            raise NotImplementedError(
                f"Layer {self.__class__.__name__} '{self.name}' cannot be "
                f"trained: it has no backward pass")
        return dy

    def _buffer(self, key, shape, dtype=np.float32):
        """An uninitialised array of `shape`: the one this layer used under
        `key` at the previous training step when buffers are reused (inside
        a fit step: engine/buffers.py), else a new one."""
        if not buffers_module.reusing():
            return np.empty(shape, dtype)
        buffers = self.__dict__.setdefault("_buffers", {})
        # A layer called twice in a step (shared) keeps each call's arrays.
        key = (key, self.__dict__.get("_step_calls", 0))
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

    def _call_with_mask(self, x, mask, training, args=(), kwargs=None):
        """(output, output mask): how models run a layer, passing masks.

        A layer that does not support masking drops the mask it receives,
        with a warning (as Keras warns): nothing after it is masked. A
        layer whose `call` takes `mask=` consumes it. args/kwargs: the
        node's other call arguments (engine/call_tensors.py)."""
        consumes = self._consumes_mask or (
            self._uses_tape() and custom_call.call_parameters(type(self))[1])
        kwargs = dict(kwargs or {})
        # As Keras 3.15: the model's training value, when given, replaces
        # the one a graph call was made with (`base(x, training=False)`
        # trains in fit); without one, the graph call's value holds.
        if training is not None or "training" not in kwargs:
            kwargs["training"] = training
        if mask is not None and consumes:
            kwargs["mask"] = mask
        else:
            kwargs.pop("mask", None)
        out = self(x, *args, **kwargs)
        if mask is not None and not self.supports_masking and \
                not consumes:
            warnings.warn(
                f"Layer '{self.name}' (of type {self.__class__.__name__}) "
                f"was passed an input with a mask attached to it. However, "
                f"this layer does not support masking and will therefore "
                f"destroy the mask information. Downstream layers will not "
                f"see the mask.", UserWarning, stacklevel=2)
        return out, self.compute_mask(x, mask)

    def _output_dtype(self, input_dtype):
        return "float32"

    def _symbolic_call(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            flat = list(inputs.values())
        elif isinstance(inputs, (list, tuple)):
            flat = list(inputs)
        else:
            flat = [inputs]
        if self._runs_for_shape():
            out_shape, dtype = self._shape_by_running(inputs, args, kwargs)
        else:
            shape = inputs.shape if len(flat) == 1 and \
                not isinstance(inputs, (list, tuple, dict)) else \
                custom_call.shapes_of(inputs)
            if isinstance(shape, tuple):
                self._maybe_build(shape)
                self._check_input(shape)
            elif not self.built:
                self.build(shape)
                self.built = True
            out_shape = self.compute_output_shape(shape)
            dtype = self._output_dtype(flat[0].dtype)
        if isinstance(out_shape, list):
            outputs = [KerasTensor(s, d) for s, d in zip(
                out_shape, dtype if isinstance(dtype, list)
                else [dtype] * len(out_shape))]
        else:
            outputs = [KerasTensor(out_shape, dtype)]
        self._mark_symbolic_masks(inputs, flat, outputs)
        node = Node(self, flat, outputs)
        node.arguments = (inputs, args, kwargs)
        argument_tensors = call_tensors.find(args, kwargs)
        if argument_tensors:
            node.tensor_slots = tuple(slot for slot, _ in argument_tensors)
            node.input_tensors += [t for _, t in argument_tensors]
        self._inbound_nodes.append(node)
        for i, tensor in enumerate(outputs):
            tensor._keras_history = (self, len(self._inbound_nodes) - 1, i)
        return outputs if isinstance(out_shape, list) else outputs[0]

    def _runs_for_shape(self):
        """Whether symbolic calls infer the output shape by running call
        on zeros: when the class has no compute_output_shape."""
        return type(self).compute_output_shape is Layer.compute_output_shape

    def _shape_by_running(self, inputs, args, kwargs):
        """(output shape(s), dtype(s)) of a layer whose shapes only its
        call knows (custom layers, Lambda): run it on zeros, with 2 for
        each unknown dimension, and report the batch axis as unknown.
        When an input has other unknown dimensions, run it again with 3
        for them: an output dimension that follows is unknown too."""
        shapes, dtypes = self._run_on_zeros(inputs, args, kwargs, 2)
        tensors = _flat_tensors(inputs) + [t for _, t in
                                           call_tensors.find(args, kwargs)]
        if not any(None in tuple(t.shape)[1:] for t in tensors):
            return shapes, dtypes
        again, _ = self._run_on_zeros(inputs, args, kwargs, 3)

        def merge(a, b):
            if len(a) != len(b):
                return a
            return tuple(None if x != y else x for x, y in zip(a, b))
        if isinstance(shapes, list):
            return [merge(a, b) for a, b in zip(shapes, again)], dtypes
        return merge(shapes, again), dtypes

    def _run_on_zeros(self, inputs, args, kwargs, unknown):
        def sample(t):
            shape = tuple(unknown if d is None else d for d in t.shape)
            return np.zeros(shape, np.dtype(t.dtype))
        if isinstance(inputs, dict):
            data = {k: sample(t) for k, t in inputs.items()}
        elif isinstance(inputs, (list, tuple)):
            data = [sample(t) for t in inputs]
        else:
            data = sample(inputs)
        found = call_tensors.find(args, kwargs)
        args, kwargs = call_tensors.substitute(
            args, kwargs, [slot for slot, _ in found],
            [sample(t) for _, t in found])
        kwargs.pop("mask", None)
        masks = _sample_masks(inputs, unknown)
        if masks is not None and custom_call.call_parameters(type(self))[1]:
            kwargs["mask"] = masks     # as Keras hands call the input mask
        with random_module.held_streams():
            out = self(data, *args, **kwargs)
        self._clear_losses()

        def spec(o):
            o = np.asarray(o)
            shape = tuple(o.shape)
            if shape:
                shape = (None,) + shape[1:]
            return shape, o.dtype.name
        if isinstance(out, (list, tuple)):
            specs = [spec(o) for o in out]
            return [s for s, _ in specs], [d for _, d in specs]
        return spec(out)

    def _mark_symbolic_masks(self, inputs, flat, outputs):
        """Note on the output KerasTensors whether they carry a mask (and
        its shape), as Keras's symbolic masks do, so that a custom layer's
        call receives `mask=` when its shape is inferred by running it.
        Decided by compute_mask on zeros; models are skipped."""
        has_mask = any(getattr(t, "_mask_shape", None) is not None
                       for t in flat)
        overrides = type(self).compute_mask is not Layer.compute_mask
        from seqcore.engine.model import Model
        if not (has_mask or overrides) or isinstance(self, Model):
            return

        def sample(t):
            dtype = object if t.dtype == "string" else np.dtype(t.dtype)
            return np.zeros(tuple(2 if d is None else d for d in t.shape),
                            dtype)
        if isinstance(inputs, dict):
            data = {k: sample(t) for k, t in inputs.items()}
        elif isinstance(inputs, (list, tuple)):
            data = type(inputs)(sample(t) for t in inputs)
        else:
            data = sample(inputs)
        try:
            mask = self.compute_mask(data, _sample_masks(inputs))
        except Exception:   # a mask this layer cannot give without a call
            return
        masks = mask if isinstance(mask, (list, tuple)) else \
            [mask] * len(outputs)
        for tensor, m in zip(outputs, masks):
            if m is not None and hasattr(m, "shape"):
                # unknown where the output's own axis is unknown
                tensor._mask_shape = (None,) + tuple(
                    None if i < len(tensor.shape) and tensor.shape[i] is None
                    else d for i, d in enumerate(m.shape))[1:]

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
                  "dtype": dtype_policy_config(self.dtype_policy.name)}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(
                self.activity_regularizer)
        auto = self.__dict__.get("_auto_config")
        if auto is not None and type(self).get_config is Layer.get_config:
            # A user's layer without get_config: its constructor arguments.
            values, reason = auto
            if values is None:
                raise auto_config.missing_config_error(type(self), reason)
            config.update(values)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _flat_tensors(inputs):
    if isinstance(inputs, dict):
        return list(inputs.values())
    if isinstance(inputs, (list, tuple)):
        return list(inputs)
    return [inputs]


def _sample_masks(inputs, unknown=2):
    """All-True boolean masks standing for the symbolic masks of `inputs`
    (KerasTensors, or a list/dict of them): None where a tensor has none,
    None in all when none has one. `unknown`: the size of unknown axes."""
    def one(t):
        shape = getattr(t, "_mask_shape", None)
        if shape is None:
            return None
        return np.ones(tuple(unknown if d is None else d for d in shape),
                       bool)
    if isinstance(inputs, dict):
        masks = [one(t) for t in inputs.values()]
        return None if all(m is None for m in masks) else masks
    if isinstance(inputs, (list, tuple)):
        masks = [one(t) for t in inputs]
        return None if all(m is None for m in masks) else masks
    return one(inputs)
