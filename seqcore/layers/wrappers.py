"""Layer wrappers: TimeDistributed and Bidirectional.

A wrapper owns its wrapped layers (they are tracked sub-layers: their
weights are the wrapper's, in Keras's order and under Keras's paths) and
runs their forward and backward passes; what its backward needs, including
the wrapped layers' saved state, it keeps in its own `_saved`, so that a
wrapper used twice in a functional model backpropagates each use.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from seqcore import _kernels
from seqcore.engine import buffers
from seqcore.engine.backprop import layer_backward
from seqcore.engine.layer import Layer
from seqcore.saving.serialization import (deserialize_keras_object,
                                          register_builtin,
                                          serialize_keras_object)


def _child_backward(layer, saved, dy, need_input_grad):
    """dx of one saved call of a wrapped layer."""
    layer._saved = saved
    return layer_backward(layer, dy, need_input_grad)


@register_builtin
class Wrapper(Layer):
    """Keras's base class of layers that wrap another layer (TimeDistributed
    is one; users subclass it and write `call`).

    Args:
        layer: the wrapped layer instance, tracked as a sub-layer (its
            weights are the wrapper's, under `wrapper_name/layer_name/`).

    `build(input_shape)` builds the wrapped layer on the same shape when
    it is not built yet. The config holds the wrapped layer's serialized
    config under "layer"; from_config rebuilds it. A subclass defined
    outside seqcore is differentiated by the tape, like any custom layer.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to Wrapper isn't a supported layer "
                f"type. Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer._maybe_build(input_shape)
            self.layer.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects)
        return cls(layer, **config)


class _Wrapper(Layer):
    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Please initialize `{self.__class__.__name__}` layer with a "
                f"`keras.layers.Layer` instance. Received: {layer!r}")

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("layer", "backward_layer"):
            if config.get(key) is not None:
                config[key] = deserialize_keras_object(config[key],
                                                       custom_objects)
        return cls(**config)


@register_builtin
class TimeDistributed(Wrapper):
    """Applies `layer` to every timestep: (batch, time, *rest) ->
    (batch, time, *layer_output(rest)).

    The wrapped layer runs once on the (batch * time, *rest) merge of the
    two leading axes (the same arithmetic as one call per timestep), except
    BatchNormalization in training, which, as in Keras, normalises each
    timestep over its own batch (one call per timestep). The input mask
    (batch, time) passes through unchanged.

    Args:
        layer: any layer instance (its weights are shared over time).
    """

    _consumes_mask = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Please initialize `TimeDistributed` layer with a "
                f"`keras.layers.Layer` instance. Received: {layer!r}")
        super().__init__(layer, **kwargs)
        self._layers = [layer]
        self.supports_masking = True

    def _saved_children(self):
        return [("layer", self.layer)]

    def _child_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(
                f"`TimeDistributed` Layer should be passed an `input_shape` "
                f"with at least 3 dimensions, received: {input_shape}")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        child = self._child_shape(input_shape)
        if not self.layer.built:
            self.layer._maybe_build(child)

    def _convert_input(self, inputs):
        return self.layer._convert_input(inputs)

    def _output_dtype(self, input_dtype):
        return self.layer._output_dtype(input_dtype)

    def _check_input(self, shape):
        self._child_shape(shape)

    def _per_step(self, training):
        from seqcore.layers.normalization import BatchNormalization
        return bool(training) and isinstance(self.layer, BatchNormalization)

    def call(self, inputs, training=None, mask=None):
        if mask is not None:
            mask = np.asarray(mask)
            if mask.ndim < 2 or mask.shape[:2] != inputs.shape[:2]:
                raise ValueError(
                    f"The `mask` passed to the `TimeDistributed` layer has a "
                    f"shape {mask.shape} that is incompatible with the input "
                    f"shape {inputs.shape}: its first two dimensions (batch "
                    f"size and timesteps) must match the input's.")
        batch, steps = inputs.shape[:2]
        if self._per_step(training):
            outs, saved = [], []
            with buffers.reused(False):   # each step keeps its arrays
                for t in range(steps):
                    outs.append(self.layer(np.ascontiguousarray(
                        inputs[:, t]), training=training))
                    saved.append(self.layer._saved)
            self._saved = ("steps", saved, inputs.shape)
            return np.stack(outs, axis=1)
        flat = inputs.reshape((batch * steps,) + inputs.shape[2:])
        kwargs = {"training": training}
        if mask is not None and mask.ndim > 2 and self.layer._consumes_mask:
            kwargs["mask"] = mask.reshape((batch * steps,) + mask.shape[2:])
        out = self.layer(flat, **kwargs)
        if isinstance(out, (list, tuple)):
            raise ValueError(f"TimeDistributed '{self.name}': the wrapped "
                             f"layer must return one tensor, it returned "
                             f"{len(out)}")
        if training:
            self._saved = ("merged", self.layer._saved, inputs.shape)
        return out.reshape((batch, steps) + out.shape[1:])

    def backward(self, dy, need_input_grad=True):
        how, saved, shape = self._saved
        batch, steps = shape[:2]
        if how == "steps":
            dxs = [_child_backward(self.layer, saved[t],
                                   np.ascontiguousarray(dy[:, t]),
                                   need_input_grad)
                   for t in range(steps)]
            return None if dxs[0] is None else np.stack(dxs, axis=1)
        flat = np.ascontiguousarray(dy).reshape(
            (batch * steps,) + dy.shape[2:])
        dx = _child_backward(self.layer, saved, flat, need_input_grad)
        return None if dx is None else dx.reshape(shape)

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (child[0], input_shape[1]) + tuple(child[1:])

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config


_MERGE_MODES = ("concat", "sum", "mul", "ave", None)

_POOL = {"executor": None}
_POOL_LOCK = threading.Lock()
_KERNEL_THREADS_LOCK = threading.Lock()


def _executor():
    """One worker thread, started on first use, that runs the backward
    direction while the calling thread runs the forward one."""
    with _POOL_LOCK:
        if _POOL["executor"] is None:
            _POOL["executor"] = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="seqcore-bidirectional")
        return _POOL["executor"]


def _both(run_forward, run_backward, parallel):
    """(run_forward(), run_backward()), at once on two threads when
    `parallel`: each direction's kernels then run on one thread (the kernel
    thread count is set to 1 for the duration, and restored), so the two
    directions share the cores instead of oversubscribing them. The
    arithmetic of each direction does not depend on its thread count, so
    the results are the same bits either way."""
    if not parallel or not _KERNEL_THREADS_LOCK.acquire(blocking=False):
        return run_forward(), run_backward()
    before = _kernels.get_num_threads()
    try:
        _kernels.set_num_threads(1)
        future = _executor().submit(run_backward)
        try:
            first = run_forward()
        finally:
            second = future.result()
        return first, second
    finally:
        _kernels.set_num_threads(before)
        _KERNEL_THREADS_LOCK.release()


def _renamed_copy(layer, name, **changes):
    config = serialize_keras_object(layer)
    config["config"]["name"] = name
    config["config"].update(changes)
    return deserialize_keras_object(config)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


@register_builtin
class Bidirectional(_Wrapper):
    """Runs a recurrent layer forwards and a copy of it backwards over the
    sequence and merges the two outputs.

    The wrapper clones `layer` as `forward_<name>` and (unless
    `backward_layer` is given) as `backward_<name>` with
    go_backwards=True; the backward outputs are flipped back to forward
    time order before merging. With return_sequences, both layers zero the
    outputs of masked steps (Keras forces zero_output_for_mask).

    Args:
        layer: an LSTM, GRU or SimpleRNN instance.
        merge_mode: 'concat' (default: (..., 2 * units)), 'sum', 'mul',
            'ave', or None (a list of the two outputs).
        weights: optional initial weights: the forward layer's then the
            backward layer's.
        backward_layer: optional recurrent layer for the backward direction
            (go_backwards must differ from `layer`'s; return_sequences,
            return_state and stateful must match).
    Call arguments: inputs (batch, time, features), mask (batch, time),
    initial_state (the forward states then the backward states).
    Output: the merged output, then with return_state the forward states
    and the backward states.
    """

    _consumes_mask = True

    def __init__(self, layer, merge_mode="concat", weights=None,
                 backward_layer=None, **kwargs):
        super().__init__(layer, **kwargs)
        if backward_layer is not None and \
                not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a "
                             f"`keras.layers.Layer` instance. Received: "
                             f"{backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. "
                             f"Merge mode should be one of "
                             f"{{'sum', 'mul', 'ave', 'concat', None}}")
        for attr in ("go_backwards", "return_sequences", "return_state",
                     "stateful"):
            if not hasattr(layer, attr):
                raise ValueError(f"Bidirectional: the wrapped layer must be a "
                                 f"recurrent layer (LSTM, GRU, SimpleRNN), "
                                 f"received {type(layer).__name__}")
        self.forward_layer = _renamed_copy(
            layer, f"forward_{_strip(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = _renamed_copy(
                layer, f"backward_{_strip(layer.name, 'backward_')}",
                go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        self._verify()
        for child in (self.forward_layer, self.backward_layer):
            if hasattr(child, "zero_output_for_mask"):
                child.zero_output_for_mask = child.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec
        self._layers = [self.forward_layer, self.backward_layer]
        self._initial_weights = weights

    def _verify(self):
        fwd, bwd = self.forward_layer, self.backward_layer
        if not hasattr(bwd, "go_backwards"):
            raise ValueError(f"Bidirectional: backward_layer must be a "
                             f"recurrent layer, received {type(bwd).__name__}")
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                f"Forward layer and backward layer should have different "
                f"`go_backwards` value. Received: forward_layer.go_backwards "
                f"{fwd.go_backwards}, backward_layer.go_backwards="
                f"{bwd.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr) != getattr(bwd, attr):
                raise ValueError(
                    f"Forward layer and backward layer are expected to have "
                    f"the same value for attribute \"{attr}\", got "
                    f"\"{getattr(fwd, attr)}\" for forward layer and "
                    f"\"{getattr(bwd, attr)}\" for backward layer")

    def _saved_children(self):
        return [("forward_layer", self.forward_layer),
                ("backward_layer", self.backward_layer)]

    def build(self, input_shape):
        for child in (self.forward_layer, self.backward_layer):
            if not child.built:
                child._maybe_build(tuple(input_shape))
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _check_input(self, shape):
        self.forward_layer._check_input(shape)

    # ---- states --------------------------------------------------------

    @property
    def states(self):
        fwd, bwd = self.forward_layer.states, self.backward_layer.states
        if fwd and bwd:
            return tuple(fwd) + tuple(bwd)
        return None

    def reset_states(self):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    # ---- forward and backward -----------------------------------------------

    # Inference runs the two directions at once on two threads (see _both)
    # when the kernels may use 2 threads or more and the work is large
    # enough; `Bidirectional.parallel = False` turns it off. Measured on 2
    # cores (docs/layers.md): inference of Bidirectional(LSTM(64)) on
    # (64, 80, 128) 6.5 ms instead of 13 ms; training was slower that way
    # (45-50 ms against 39 ms: its GEMMs over all steps use both threads
    # better), so training runs the directions one after the other.
    parallel = True
    _PARALLEL_MIN_ELEMENTS = 1 << 14

    def _parallel(self, shape):
        from seqcore.layers.recurrent import BaseRNN
        from seqcore.layers.rnn import RNN
        if not self.parallel or _kernels.get_num_threads() < 2:
            return False
        for child in (self.forward_layer, self.backward_layer):
            builtin = isinstance(child, BaseRNN) or (
                isinstance(child, RNN) and not child._uses_tape())
            if not builtin:
                return False
        return int(np.prod([d for d in shape if d])) >= \
            self._PARALLEL_MIN_ELEMENTS

    def call(self, inputs, initial_state=None, mask=None, training=None):
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        fwd_state = bwd_state = None
        if initial_state is not None:
            states = list(initial_state)
            half = len(states) // 2
            fwd_state, bwd_state = states[:half], states[half:]
        y, y_rev = _both(
            lambda: self.forward_layer(inputs, initial_state=fwd_state,
                                       **kwargs),
            lambda: self.backward_layer(inputs, initial_state=bwd_state,
                                        **kwargs),
            not training and self._parallel(inputs.shape))
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = np.ascontiguousarray(y_rev[:, ::-1])
        if training:
            self._saved = (self.forward_layer._saved,
                           self.backward_layer._saved, y, y_rev,
                           len(states) // 2)
        if self.merge_mode == "concat":
            out = [np.concatenate([y, y_rev], axis=-1)]
        elif self.merge_mode == "sum":
            out = [y + y_rev]
        elif self.merge_mode == "ave":
            out = [(y + y_rev) / np.float32(2)]
        elif self.merge_mode == "mul":
            out = [y * y_rev]
        else:
            out = [y, y_rev]
        out += states
        return out if len(out) > 1 else out[0]

    def _split_grad(self, d_out, y, y_rev):
        if d_out is None:
            return np.zeros_like(y), np.zeros_like(y_rev)
        if self.merge_mode == "concat":
            units = y.shape[-1]
            return d_out[..., :units], d_out[..., units:]
        if self.merge_mode == "sum":
            return d_out, d_out
        if self.merge_mode == "ave":
            half = d_out * np.float32(0.5)
            return half, half
        return d_out * y_rev, d_out * y      # mul

    def backward(self, dy, need_input_grad=True):
        fwd_saved, bwd_saved, y, y_rev, n_states = self._saved
        grads = list(dy) if isinstance(dy, (list, tuple)) else [dy]
        if self.merge_mode is None:
            d_y, d_rev = grads[0], grads[1]
            d_y = np.zeros_like(y) if d_y is None else d_y
            d_rev = np.zeros_like(y_rev) if d_rev is None else d_rev
            rest = grads[2:]
        else:
            d_y, d_rev = self._split_grad(grads[0], y, y_rev)
            rest = grads[1:]
        if self.return_sequences:
            d_rev = d_rev[:, ::-1]
        d_y, d_rev = (np.ascontiguousarray(d, dtype=np.float32)
                      for d in (d_y, d_rev))
        if self.return_state:
            rest = rest + [None] * (2 * n_states - len(rest))
            d_y = [d_y] + rest[:n_states]
            d_rev = [d_rev] + rest[n_states:]
        dx = _child_backward(self.forward_layer, fwd_saved, d_y,
                             need_input_grad)
        dx_rev = _child_backward(self.backward_layer, bwd_saved, d_rev,
                                 need_input_grad)
        if dx is None or dx_rev is None:
            return None
        return dx + dx_rev

    # ---- shapes, masks, config ----------------------------------------------

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (None if shape[-1] is None
                                         else 2 * shape[-1],)
            out = [shape]
        elif self.merge_mode is None:
            out = [tuple(shape), tuple(shape)]
        else:
            out = [tuple(shape)]
        out += states + states
        return out if len(out) > 1 else out[0]

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            out = [mask, mask] if self.merge_mode is None else mask
        else:
            out = [None, None] if self.merge_mode is None else None
        if self.return_state:
            n = self.forward_layer.state_count \
                if hasattr(self.forward_layer, "state_count") else 1
            head = out if isinstance(out, list) else [out]
            return head + [None] * (2 * n)
        return out

    def get_config(self):
        config = super().get_config()
        config.update({
            "merge_mode": self.merge_mode,
            "layer": serialize_keras_object(self.forward_layer),
            "backward_layer": serialize_keras_object(self.backward_layer)})
        return config
