"""Recurrent layers: LSTM, GRU and SimpleRNN. Each call runs the whole
sequence in one C kernel (input projections as one GEMM, then per step the
recurrent GEMM and a fused gate update)."""
import threading

import numpy as np

from seqcore import _kernels, activations, regularizers
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import store_grad
from seqcore.layers import _rnn_dropout, _rnn_lookup, _rnn_train
from seqcore.layers._validation import clipped_rate, positive_int
from seqcore.layers import _validation
from seqcore.saving.serialization import register_builtin


def _kernel_activation(layer, name, activation):
    """The C kernel's name for `activation`, or a clear error."""
    fn = _validation.activation(layer, name, activation)
    kernel_name = activations.KERNEL_NAMES.get(fn, False)
    if kernel_name is False:
        raise ValueError(
            f"{layer}: {name} must be one of seqcore's built-in "
            f"elementwise activations (the recurrent loop runs in C), "
            f"received {name}={activation!r}")
    return fn, kernel_name


class BaseRNN(Layer):
    """What LSTM, GRU and SimpleRNN share: states, masking, options."""

    kind = None          # kernel name: 'lstm', 'gru', 'simple_rnn'
    _consumes_mask = True
    gates = 1            # blocks of `units` in the kernel's columns
    state_count = 1      # h, or h and c

    def __init__(self, units, activation="tanh", recurrent_activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False,
                 zero_output_for_mask=False, **kwargs):
        kwargs.pop("use_cudnn", None)
        kwargs.pop("implementation", None)   # Keras 2's kernel choice
        cls = self.__class__.__name__
        if kwargs.pop("time_major", False):
            # Keras 2 configs hold time_major=False; Keras 3 has no
            # time-major layout
            raise ValueError(f"{cls}: time_major=True is not supported (as "
                             f"in Keras 3): pass (batch, steps, features) "
                             f"inputs")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = positive_int(cls, "units", units)
        self.activation, self._act = _kernel_activation(cls, "activation",
                                                        activation)
        if recurrent_activation is not None or self.gates > 1:
            # LSTM and GRU: None is the linear activation, as in Keras
            self.recurrent_activation, self._ract = _kernel_activation(
                cls, "recurrent_activation", recurrent_activation)
        else:
            self.recurrent_activation, self._ract = None, None
        _validation.weight_options(self, ("kernel", "recurrent", "bias"),
                                   use_bias, locals())
        self.dropout = clipped_rate(cls, "dropout", dropout)
        self.recurrent_dropout = clipped_rate(cls, "recurrent_dropout",
                                      recurrent_dropout)
        self.seed = seed
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None
        self.input_spec = InputSpec(ndim=3)

    # ---- weights --------------------------------------------------------

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        if self.stateful and input_shape[0] is None:
            raise ValueError(
                "If a RNN is stateful, it needs to know its batch size. "
                "Specify the batch size of your input tensors: pass "
                "`batch_size=` to `keras.Input()` (or `batch_input_shape=` "
                "to the first layer of a Sequential model).")
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"{self.__class__.__name__} '{self.name}': the "
                             f"feature axis of the input must be known, "
                             f"received shape {tuple(input_shape)}")
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(features, width), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint, name="recurrent_kernel")
        self.bias = self.add_weight(
            shape=self._bias_shape(), initializer=self._bias_initializer(),
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias") \
            if self.use_bias else None
        # Keras's weights are its cell's, made in the cell's scope inside
        # this layer's; seqcore's layer holds them itself.
        for w in self._own_weights:
            w.path = f"{self.path}/{self.kind}_cell/{w.name}"
        self.input_spec = InputSpec(ndim=3, axes={-1: features})

    # ---- states ---------------------------------------------------------

    def reset_states(self):
        """Forget the states a stateful layer carried between calls."""
        self.states = None

    reset_state = reset_states

    def _initial_states(self, batch, initial_state):
        if initial_state is not None:
            states = initial_state if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            if len(states) != self.state_count:
                raise ValueError(
                    f"{self.__class__.__name__} '{self.name}' expects "
                    f"{self.state_count} initial state(s), received "
                    f"{len(states)}")
            out = []
            for s in states:
                s = np.array(s, dtype=np.float32, order="C")
                if s.shape != (batch, self.units):
                    raise ValueError(
                        f"{self.__class__.__name__} '{self.name}': initial "
                        f"state must have shape {(batch, self.units)}, "
                        f"received {s.shape}")
                out.append(s)
            return out
        if self.stateful and self.states is not None:
            if self.states[0].shape[0] != batch:
                raise ValueError(
                    f"{self.__class__.__name__} '{self.name}' is stateful "
                    f"and holds states for a batch of "
                    f"{self.states[0].shape[0]}, but received a batch of "
                    f"{batch}. A stateful layer needs the same batch size "
                    f"at every call (call reset_states() to start over).")
            return [s.copy() for s in self.states]
        return [np.zeros((batch, self.units), np.float32)
                for _ in range(self.state_count)]

    # ---- forward ----------------------------------------------------------

    def call(self, inputs, initial_state=None, mask=None, training=None):
        x = inputs
        states = self._initial_states(x.shape[0], initial_state)
        if training and 0.0 < self.recurrent_dropout < 1.0:
            seq = self._call_recurrent_dropout(x, states, mask)
        else:
            seq = self._call_kernels(x, states, mask, training)
        if self.stateful:
            self.states = [s.copy() for s in states]
        if seq is not None and mask is not None and self.zero_output_for_mask:
            steps = np.asarray(mask, bool)
            seq[~(steps[:, ::-1] if self.go_backwards else steps)] = 0.0
        output = seq if self.return_sequences else states[0].copy()
        if self.return_state:
            return [output] + states
        return output

    def _argument_grads(self):
        """The gradients of the `initial_state` of the last backward's call
        (engine/call_tensors.py)."""
        return {"initial_state": self.__dict__.get("_state_grads")}

    def _call_kernels(self, x, states, mask, training):
        """The C path: no dropout, or input dropout with one mask for all
        gates (what Keras 3 draws when recurrent_dropout is 0)."""
        dropout_scale = None
        if training and 0.0 < self.dropout < 1.0:
            dropout_scale = _rnn_dropout.draw_masks(
                _rnn_dropout.mask_generator(self), self.dropout, 1, (x.shape[0], x.shape[2]))[0]
            dropout_scale = dropout_scale[:, np.newaxis, :]
            x = x * dropout_scale
        if training:
            seq, record = _rnn_train.forward(self, np.ascontiguousarray(x),
                                             states, mask)
            self._saved = ("kernels", record, dropout_scale)
            if not self.return_sequences:
                seq = None
        else:
            seq = self._inference_sequence(x, states, mask)
        return seq

    def _call_recurrent_dropout(self, x, states, mask):
        """The numpy path with Keras 3's per-gate masks (_rnn_dropout.py)."""
        G = _rnn_dropout.GATES[self.kind]
        n, t, d = x.shape
        rng = _rnn_dropout.mask_generator(self)
        in_masks = _rnn_dropout.draw_masks(rng, self.dropout, G, (n, d))
        rec_masks = _rnn_dropout.draw_masks(rng, self.recurrent_dropout, G,
                                            (n, self.units))
        xs = x[:, ::-1] if self.go_backwards else x
        step_mask = None
        if mask is not None:
            m = np.asarray(mask, bool)
            step_mask = np.ascontiguousarray(
                (m[:, ::-1] if self.go_backwards else m).T)
        seq, cache = _rnn_dropout.forward(
            self.kind, np.ascontiguousarray(xs.transpose(1, 0, 2)),
            self.kernel.value, self.recurrent_kernel.value,
            None if self.bias is None else self.bias.value, states,
            step_mask, in_masks, rec_masks, self._act, self._ract,
            getattr(self, "reset_after", True))
        self._saved = ("numpy", cache, step_mask)
        self._last_dropout_masks = (in_masks, rec_masks)
        return np.ascontiguousarray(seq.transpose(1, 0, 2)) \
            if self.return_sequences else None

    def _split_output_grads(self, dy, step_mask):
        """(d of the sequence (n, t, u) in processing order or None,
        [d of the final states])."""
        grads = list(dy) if self.return_state else [dy]
        grads += [None] * (1 + self.state_count - len(grads))
        d_out, d_states = grads[0], grads[1:]
        d_seq = None
        if self.return_sequences:
            d_seq = d_out
            if d_seq is not None and step_mask is not None and \
                    self.zero_output_for_mask:
                d_seq = d_seq * step_mask.T[:, :, np.newaxis]
        elif d_out is not None:
            d_states[0] = d_out if d_states[0] is None \
                else d_states[0] + d_out
        return d_seq, d_states

    def backward(self, dy, need_input_grad=True):
        how, record, extra = self._saved
        if how == "numpy":
            return self._backward_numpy(record, extra, dy, need_input_grad)
        d_seq, d_states = self._split_output_grads(dy, record.mask)
        dx = _rnn_train.backward(self, record, d_seq, d_states,
                                 need_input_grad)
        if dx is None or extra is None:
            return dx
        return dx * extra

    def _backward_numpy(self, cache, step_mask, dy, need_input_grad=True):
        d_seq, d_states = self._split_output_grads(dy, step_mask)
        if d_seq is not None:
            d_seq = np.asarray(d_seq, np.float32).transpose(1, 0, 2)
        dx, dk, drk, db, d_init = _rnn_dropout.backward(cache, d_seq,
                                                        d_states)
        self._state_grads = [np.asarray(g, np.float32) for g in d_init]
        store_grad(self.kernel, dk)
        store_grad(self.recurrent_kernel, drk)
        if self.bias is not None:
            store_grad(self.bias, db)
        if not need_input_grad:
            return None
        dx = dx.transpose(1, 0, 2)
        if self.go_backwards:
            dx = dx[:, ::-1]
        return np.ascontiguousarray(dx, dtype=np.float32)

    def call_on_ids(self, embedding, ids, mask=None):
        """(output, output mask) of the inference call on embedding(ids):
        the values of `self(embedding(ids), mask=mask, training=False)`,
        with the input projection computed once per distinct id and looked
        up at every step (_rnn_lookup.py). ids: (batch, steps) integers
        the embedding has checked."""
        stand_in = np.broadcast_to(np.zeros((), np.float32),
                                   ids.shape + (embedding.output_dim,))
        local = self._lookup_local()
        local.source = (embedding, ids)
        try:
            return self._call_with_mask(stand_in, mask, False)
        finally:
            local.source = None

    def _lookup_local(self):
        """Per Python thread: the (embedding, ids) call_on_ids is running."""
        return self.__dict__.setdefault("_lookup", threading.local())

    def _inference_sequence(self, x, states, mask):
        source = getattr(self._lookup_local(), "source", None)
        table = rows = None
        if source is not None:
            embedding, ids = source
            cache = self.__dict__.get("_projection_cache")
            if cache is None:
                cache = _rnn_lookup.ProjectionCache(self)
                self.__dict__["_projection_cache"] = cache
            table, rows = cache.lookup(embedding.embeddings.value, ids)
        else:
            x = np.ascontiguousarray(x)
        return _kernels.rnn_forward(
            self.kind, x, self.kernel.value,
            self.recurrent_kernel.value,
            None if self.bias is None else self.bias.value,
            states[0], states[1] if self.state_count == 2 else None,
            mask=mask, return_sequences=self.return_sequences,
            go_backwards=self.go_backwards, activation=self._act,
            recurrent_activation=self._ract,
            workspace=self._workspace(x.shape), table=table, rows=rows,
            **self._kernel_options())

    def _kernel_options(self):
        return {}

    def _workspace(self, input_shape):
        """The gate workspace (one step's gates) for this batch size, kept
        between calls (a fresh one would be page-faulted and zeroed by the
        OS every call), one per Python thread: the kernel runs without the
        GIL, so threads may run this layer at the same time."""
        size = input_shape[0] * self.gates * self.units
        local = self.__dict__.setdefault("_thread_workspaces",
                                         threading.local())
        cached = getattr(local, "gates", None)
        if cached is None or cached.size != size:
            cached = _kernels.aligned_empty((size,))
            local.gates = cached
        return cached

    def compute_mask(self, inputs, mask=None):
        """The output's mask: the input's when returning sequences, else
        None; states never have one. As in Keras, go_backwards does not
        reverse the mask (though it reverses the returned sequence)."""
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * self.state_count
        return out

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences \
            else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self.state_count
        return out

    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful,
            "unroll": self.unroll, "units": self.units,
            "zero_output_for_mask": self.zero_output_for_mask,
            "activation": activations.serialize(self.activation),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
        })
        config.update(_validation.weight_options_config(
            self, ("kernel", "recurrent", "bias")))
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = activations.serialize(
                self.recurrent_activation)
        return config


class _ForgetBiasInitializer:
    """Keras's unit_forget_bias: the forget gate's bias block starts at 1."""

    def __init__(self, base, units):
        self.base, self.units = base, units

    def __call__(self, shape, dtype=None):
        u = self.units
        return np.concatenate([self.base((u,), dtype),
                               np.ones((u,), dtype or "float32"),
                               self.base((2 * u,), dtype)])


@register_builtin
class LSTM(BaseRNN):
    """Long short-term memory. kernel (features, 4u), recurrent_kernel
    (u, 4u), bias (4u), gates ordered i, f, c, o as in Keras."""

    kind, gates, state_count = "lstm", 4, 2

    def __init__(self, units, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer(self):
        if self.unit_forget_bias:
            return _ForgetBiasInitializer(self.bias_initializer, self.units)
        return self.bias_initializer

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


@register_builtin
class GRU(BaseRNN):
    """Gated recurrent unit. kernel (features, 3u), recurrent_kernel
    (u, 3u), gates ordered z, r, h; with reset_after (Keras's default) the
    bias is (2, 3u): input and recurrent biases."""

    kind, gates, state_count = "gru", 3, 1

    def __init__(self, units, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        width = self.gates * self.units
        return (2, width) if self.reset_after else (width,)

    def _kernel_options(self):
        return {"reset_after": self.reset_after}

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config


@register_builtin
class SimpleRNN(BaseRNN):
    """Fully connected recurrence h = act(x W + h R + b). kernel
    (features, u), recurrent_kernel (u, u), bias (u)."""

    kind, gates, state_count = "simple_rnn", 1, 1

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["seed"]  # as Keras: SimpleRNN's config has no seed
        return config
