"""Recurrent cells: SimpleRNNCell, LSTMCell, GRUCell and StackedRNNCells.

A cell holds the weights of one recurrent step (Keras's names, shapes and
order) and computes one step, `call(inputs, states, training)` ->
`(output, new_states)`, with seqcore.ops, so that a cell called on its own
in training, or inside `RNN` next to a user-written cell, is differentiated
by the tape. `RNN` runs a built-in cell (or a stack of them) over whole
sequences on the C kernels of LSTM/GRU/SimpleRNN instead (rnn.py).
"""
import numpy as np

from seqcore import activations, ops
from seqcore import random as sc_random
from seqcore.engine.layer import Layer
from seqcore.engine.naming import to_snake_case
from seqcore.layers import _validation
from seqcore.layers._rnn_dropout import draw_masks
from seqcore.layers._validation import clipped_rate, positive_int
from seqcore.layers.recurrent import _ForgetBiasInitializer, \
    _kernel_activation
from seqcore.saving.serialization import (deserialize_keras_object,
                                          register_builtin,
                                          serialize_keras_object)

# The op computing each kernel activation on (possibly traced) values.
_OPS = {"relu": ops.relu, "sigmoid": ops.sigmoid, "tanh": ops.tanh,
        "elu": ops.elu, "selu": ops.selu, "softplus": ops.softplus,
        "softsign": ops.softsign, "swish": ops.silu, "gelu": ops.gelu,
        "leaky_relu": ops.leaky_relu, "hard_sigmoid": ops.hard_sigmoid,
        "exponential": ops.exp, "relu6": ops.relu6}


def _apply(name, x):
    return x if name is None else _OPS[name](x)


class _Cell(Layer):
    """What the three built-in cells share: arguments, weights, dropout."""

    gates = 1
    state_count = 1
    # A step is differentiated by the tape (RNN runs whole sequences on
    # the C kernels instead).
    _differentiated_by_tape = True

    def __init__(self, units, activation="tanh", recurrent_activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        cls = self.__class__.__name__
        self.units = positive_int(cls, "units", units)
        self.activation, self._act = _kernel_activation(cls, "activation",
                                                        activation)
        self.recurrent_activation, self._ract = None, None
        if recurrent_activation is not None or self.gates > 1:
            # LSTMCell and GRUCell: None is linear, as in Keras
            self.recurrent_activation, self._ract = _kernel_activation(
                cls, "recurrent_activation", recurrent_activation)
        _validation.weight_options(self, ("kernel", "recurrent", "bias"),
                                   use_bias, locals())
        self.dropout = clipped_rate(cls, "dropout", dropout)
        self.recurrent_dropout = clipped_rate(cls, "recurrent_dropout",
                                      recurrent_dropout)
        self.seed = seed
        self._step_masks = None      # set by RNN's step loop

    @property
    def state_size(self):
        return self.units if self.state_count == 1 else \
            [self.units] * self.state_count

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape):
        features = input_shape[-1]
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
            shape=self._bias_shape(), initializer=self._bias_init(),
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint, name="bias") \
            if self.use_bias else None

    def get_initial_state(self, batch_size=None):
        return [np.zeros((batch_size, self.units), np.float32)
                for _ in range(self.state_count)]

    def _masks(self, inputs, h, training):
        """(input masks, recurrent masks) for this step: RNN's masks fixed
        over the sequence, else fresh ones (a cell called on its own)."""
        if not training:
            return None, None
        if self._step_masks is not None:
            return self._step_masks
        return self.draw_step_masks(np.shape(inputs)[0], np.shape(inputs)[-1])

    def draw_step_masks(self, batch, features):
        """Keras 3's masks: one per gate when recurrent_dropout > 0 (or for
        SimpleRNN), else one input mask shared by the gates."""
        rng = seeded_rng(self)
        per_gate = self.gates if (self.recurrent_dropout > 0.0 or
                                  self.gates == 1) else 1
        inp = draw_masks(rng, self.dropout, per_gate, (batch, features))
        rec = draw_masks(rng, self.recurrent_dropout, self.gates,
                         (batch, self.units))
        if inp is not None and per_gate == 1:
            inp = np.repeat(inp, self.gates, axis=0)
        return inp, rec

    def _projections(self, inputs, h, training):
        """Per gate: (x * m_k) W_k (+ input bias) and (h * r_k) R_k."""
        u, G = self.units, self.gates
        in_m, rec_m = self._masks(inputs, h, training)
        xs, hs = [], []
        for k in range(G):
            xk = inputs if in_m is None else inputs * in_m[k]
            hk = h if rec_m is None else h * rec_m[k]
            xs.append(ops.matmul(xk, self.kernel[:, k * u:(k + 1) * u]))
            hs.append(hk)
        return xs, hs

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
        })
        config.update(_validation.weight_options_config(
            self, ("kernel", "recurrent", "bias")))
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = activations.serialize(
                self.recurrent_activation)
        return config


def seeded_rng(layer):
    """The generator of one call's dropout masks: the layer's own stream
    when it has a seed (new masks each call, reproducible), else seqcore's
    global generator."""
    if layer.seed is None:
        return sc_random.generator(None)
    stream = layer.__dict__.get("_seed_stream")
    if stream is None:
        stream = layer.__dict__["_seed_stream"] = \
            sc_random.SeedGenerator(layer.seed)
    return stream.next()


def _states_list(states):
    return list(states) if isinstance(states, (list, tuple)) else [states]


@register_builtin
class SimpleRNNCell(_Cell):
    """One step of SimpleRNN: h = act((x * m) W + b + (h * r) R).
    kernel (features, units), recurrent_kernel (units, units), bias (units).

    Args:
        units: positive int. activation: default 'tanh'. use_bias, the
        initializers/regularizers/constraints, dropout, recurrent_dropout,
        seed: as Keras's SimpleRNNCell.
    Call: (inputs (batch, features), [h (batch, units)], training) ->
        (h, [h]).
    """

    _cell_kind, gates, state_count = "simple_rnn", 1, 1

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         **kwargs)

    def call(self, inputs, states, training=False):
        h = _states_list(states)[0]
        xs, hs = self._projections(inputs, h, training)
        z = xs[0] + ops.matmul(hs[0], self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        out = _apply(self._act, z)
        return out, ([out] if isinstance(states, (list, tuple)) else out)

    def get_initial_state(self, batch_size=None):
        return [np.zeros((batch_size, self.units), np.float32)]


@register_builtin
class LSTMCell(_Cell):
    """One step of LSTM, gates i, f, c, o: kernel (features, 4u),
    recurrent_kernel (u, 4u), bias (4u) (`unit_forget_bias` starts the
    forget block at 1).

    Args:
        units: positive int. activation ('tanh'), recurrent_activation
        ('sigmoid'), use_bias, unit_forget_bias, initializers,
        regularizers, constraints, dropout, recurrent_dropout, seed: as
        Keras's LSTMCell.
    Call: (inputs (batch, features), [h, c] each (batch, units), training)
        -> (h, [h, c]).
    """

    _cell_kind, gates, state_count = "lstm", 4, 2

    def __init__(self, units, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_init(self):
        if self.unit_forget_bias:
            return _ForgetBiasInitializer(self.bias_initializer, self.units)
        return self.bias_initializer

    def call(self, inputs, states, training=False):
        h, c = _states_list(states)[:2]
        u = self.units
        xs, hs = self._projections(inputs, h, training)
        z = [xs[k] + ops.matmul(hs[k],
                                self.recurrent_kernel[:, k * u:(k + 1) * u])
             for k in range(4)]
        if self.bias is not None:
            z = [z[k] + self.bias[k * u:(k + 1) * u] for k in range(4)]
        i, f = _apply(self._ract, z[0]), _apply(self._ract, z[1])
        g, o = _apply(self._act, z[2]), _apply(self._ract, z[3])
        c_new = f * c + i * g
        h_new = o * _apply(self._act, c_new)
        return h_new, [h_new, c_new]

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


@register_builtin
class GRUCell(_Cell):
    """One step of GRU, gates z, r, h: kernel (features, 3u),
    recurrent_kernel (u, 3u), bias (2, 3u) with reset_after (Keras's
    default: input and recurrent biases) else (3u).

    Args:
        units: positive int. activation ('tanh'), recurrent_activation
        ('sigmoid'), use_bias, reset_after, initializers, regularizers,
        constraints, dropout, recurrent_dropout, seed: as Keras's GRUCell.
    Call: (inputs (batch, features), h (batch, units) or [h], training) ->
        (h, [h]).
    """

    _cell_kind, gates, state_count = "gru", 3, 1

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

    def call(self, inputs, states, training=False):
        h = _states_list(states)[0]
        u = self.units
        xs, hs = self._projections(inputs, h, training)
        R = self.recurrent_kernel
        in_b = rec_b = None
        if self.bias is not None:
            in_b, rec_b = (self.bias[0], self.bias[1]) if self.reset_after \
                else (self.bias, None)
        if in_b is not None:
            xs = [xs[k] + in_b[k * u:(k + 1) * u] for k in range(3)]
        rz = ops.matmul(hs[0], R[:, :u])
        rr = ops.matmul(hs[1], R[:, u:2 * u])
        if rec_b is not None:
            rz, rr = rz + rec_b[:u], rr + rec_b[u:2 * u]
        z = _apply(self._ract, xs[0] + rz)
        r = _apply(self._ract, xs[1] + rr)
        if self.reset_after:
            rh = ops.matmul(hs[2], R[:, 2 * u:])
            if rec_b is not None:
                rh = rh + rec_b[2 * u:]
            hh = _apply(self._act, xs[2] + r * rh)
        else:
            hh = _apply(self._act, xs[2] + ops.matmul(r * hs[2], R[:, 2 * u:]))
        h_new = z * h + (1 - z) * hh
        return h_new, ([h_new] if isinstance(states, (list, tuple))
                       else h_new)

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config


@register_builtin
class StackedRNNCells(Layer):
    """A stack of cells run as one cell: each step feeds the output of cell
    k to cell k + 1; the states are the cells' states, cell by cell.

    Args:
        cells: a list of cells (objects with `call(inputs, states)` and
            `state_size`).
    """

    _differentiated_by_tape = True

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(f"All cells must have a `call` method. "
                                 f"Received cell without a `call` method: "
                                 f"{cell}")
            if "state_size" not in dir(cell):
                raise ValueError(f"All cells must have a `state_size` "
                                 f"attribute. Received cell without a "
                                 f"`state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None):
        return [cell_initial_state(c, batch_size) for c in self.cells]

    def _saved_children(self):
        """The cells under `cells/<class in snake case>[_k]`, as Keras's
        .keras files keep them."""
        used, out = {}, []
        for cell in self.cells:
            base = to_snake_case(type(cell).__name__)
            count = used.get(base, 0)
            used[base] = count + 1
            out.append((f"cells/{base}" if count == 0 else
                        f"cells/{base}_{count}", cell))
        return out

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(shape)
            out = getattr(cell, "output_size", None)
            if out is None:
                size = cell.state_size
                out = size[0] if isinstance(size, (list, tuple)) else size
            shape = (shape[0], out)

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, s in zip(self.cells, states):
            nested = isinstance(s, (list, tuple))
            out = call_cell(cell, inputs, list(s) if nested else [s],
                            training)
            inputs, cs = out
            cs = list(cs) if isinstance(cs, (list, tuple)) else [cs]
            new_states.append(cs if nested or len(cs) > 1 else cs[0])
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_keras_object(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **config)


def cell_initial_state(cell, batch_size):
    """The cell's zero states: a list (one array per state)."""
    fn = getattr(cell, "get_initial_state", None)
    if fn is not None:
        init = fn(batch_size=batch_size)
        return list(init) if isinstance(init, (list, tuple)) else [init]
    size = cell.state_size
    sizes = list(size) if isinstance(size, (list, tuple)) else [size]
    return [np.zeros((batch_size, s), np.float32) for s in sizes]


def call_cell(cell, inputs, states, training):
    """cell(inputs, states) with `training=` when its call takes it."""
    from seqcore.engine.custom_call import call_parameters
    if isinstance(cell, Layer):
        takes_training = call_parameters(type(cell))[0]
        if takes_training:
            return cell(inputs, states, training=training)
        return cell(inputs, states)
    return cell.call(inputs, states)
