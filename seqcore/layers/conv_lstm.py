"""ConvLSTM1D, ConvLSTM2D and ConvLSTM3D on the project's convolution GEMM.

All three run on a 3-D view (ConvLSTM2D: depth 1, ConvLSTM1D: depth and
height 1) whose convolutions are sums over depth taps of conv2d calls
(_conv_taps.py; one call when the depth is 1). The input convolution of
every step is one convolution over the (time * batch) inputs; per step,
the recurrent convolution ('same' padding, stride 1) of the state h, then
the LSTM gate update (gates i, f, c, o, Keras's order). Backward: per step
(in reverse) the recurrent convolution's kernel and input gradients, then
one convolution backward for the input kernel and the inputs over all
steps. Weights live in a `cell` sub-layer, as Keras's
(`conv_lstm2d/conv_lstm_cell/kernel`; `.keras` files under `cell/vars`).
"""
import numpy as np

from seqcore import activations, regularizers
from seqcore.config import standardize_data_format
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import store_grad
from seqcore.layers import _rnn_dropout, _validation
from seqcore.layers._conv_taps import conv3d_backward, conv3d_forward
from seqcore.layers._validation import clipped_rate, positive_int
from seqcore.layers._windows import output_length, padding_before
from seqcore.layers.recurrent import _ForgetBiasInitializer, \
    _kernel_activation
from seqcore.saving.serialization import register_builtin


def _tuple(layer, name, value, rank):
    if isinstance(value, int):
        value = (value,) * rank
    value = tuple(value)
    if len(value) != rank or not all(isinstance(v, int) and v > 0
                                     for v in value):
        raise ValueError(f"{layer}: {name} must be a positive int or a tuple "
                         f"of {rank} positive ints, received {name}={value!r}")
    return value


def _gate(kernel, g, filters):
    """Gate g's (i, f, c, o) slice of a kernel (..., 4 * filters)."""
    return np.ascontiguousarray(kernel[..., g * filters:(g + 1) * filters])


def _masked_rows(rows, mask):
    """rows (steps * n, ...) times a mask (n, ...) fixed over the steps."""
    n = mask.shape[0]
    return (rows.reshape((-1, n) + rows.shape[1:]) * mask).reshape(
        rows.shape)


def _gates_backward(x, masks, kernel, dz, filters, strides, dilation, pads,
                    dk, input_grad):
    """Backward of the four per-gate convolutions of masked copies of x
    (rows (steps * n, ...), masks (4, n, ...)): adds each gate's kernel
    gradient into its slice of dk (in place) and returns the input
    gradient (each gate's, through its mask, summed) when input_grad."""
    dx = None
    for g in range(4):
        cols = slice(g * filters, (g + 1) * filters)
        dk_g = np.ascontiguousarray(dk[..., cols])
        dx_g = conv3d_backward(_masked_rows(x, masks[g]),
                               _gate(kernel, g, filters),
                               np.ascontiguousarray(dz[..., cols]), strides,
                               dilation, pads, dk_g, 1.0, input_grad)
        dk[..., cols] = dk_g
        if input_grad:
            dx_g = _masked_rows(dx_g, masks[g])
            dx = dx_g if dx is None else dx + dx_g
    return dx


class _ConvLSTMCell(Layer):
    """The weights of a ConvLSTM: kernel (*kernel_size, channels, 4F),
    recurrent_kernel (*kernel_size, F, 4F), bias (4F)."""

    def __init__(self, owner, **kwargs):
        super().__init__(**kwargs)
        self.__dict__["_owner"] = owner     # not tracked: no cycle

    def build(self, input_shape):
        o = self._owner
        channels = input_shape[-1]
        self.kernel = self.add_weight(
            shape=o.kernel_size + (channels, 4 * o.filters),
            initializer=o.kernel_initializer,
            regularizer=o.kernel_regularizer,
            constraint=o.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=o.kernel_size + (o.filters, 4 * o.filters),
            initializer=o.recurrent_initializer,
            regularizer=o.recurrent_regularizer,
            constraint=o.recurrent_constraint, name="recurrent_kernel")
        init = _ForgetBiasInitializer(o.bias_initializer, o.filters) \
            if o.unit_forget_bias else o.bias_initializer
        self.bias = self.add_weight(
            shape=(4 * o.filters,), initializer=init,
            regularizer=o.bias_regularizer,
            constraint=o.bias_constraint, name="bias") \
            if o.use_bias else None


class ConvLSTM(Layer):
    """Shared by ConvLSTM1D and ConvLSTM2D (rank 1 or 2).

    Args: filters, kernel_size, strides=1, padding ('valid' or 'same'),
    data_format (None: the configured default), dilation_rate=1, activation
    ('tanh'), recurrent_activation ('sigmoid'), use_bias, the
    initializers, unit_forget_bias, regularizers, constraints, dropout
    and recurrent_dropout (in training, Keras 3's masks: one per gate,
    fixed over the steps), seed,
    return_sequences, return_state, go_backwards, stateful: as Keras.
    Input (batch, time, *spatial, channels); output (batch, [time,]
    *out_spatial, filters), states h and c of that shape.
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        self.unroll = bool(kwargs.pop("unroll", False))
        self.zero_output_for_mask = bool(kwargs.pop("zero_output_for_mask",
                                                    False))
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = self.__class__.__name__
        r = self.rank
        self.filters = positive_int(cls, "filters", filters)
        self.kernel_size = _tuple(cls, "kernel_size", kernel_size, r)
        self.strides = _tuple(cls, "strides", strides, r)
        self.dilation_rate = _tuple(cls, "dilation_rate", dilation_rate, r)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{cls}: strides > 1 not supported in "
                             f"conjunction with dilation_rate > 1, received "
                             f"strides={self.strides} and dilation_rate="
                             f"{self.dilation_rate}")
        if padding not in ("valid", "same"):
            raise ValueError(f"{cls}: padding must be 'valid' or 'same', "
                             f"received padding={padding!r}")
        self.padding = padding
        self.data_format = standardize_data_format(data_format, cls)
        self.activation, self._act = _kernel_activation(cls, "activation",
                                                        activation)
        self.recurrent_activation, self._ract = _kernel_activation(
            cls, "recurrent_activation", recurrent_activation)
        _validation.weight_options(self, ("kernel", "recurrent", "bias"),
                                   use_bias, locals())
        self.unit_forget_bias = bool(unit_forget_bias)
        self.dropout = clipped_rate(cls, "dropout", dropout)
        self.recurrent_dropout = clipped_rate(cls, "recurrent_dropout",
                                      recurrent_dropout)
        self.seed = seed
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.states = None
        self.cell = _ConvLSTMCell(self, name="conv_lstm_cell")
        self.input_spec = InputSpec(ndim=r + 3)

    def _saved_children(self):
        return [("cell", self.cell)]

    # ---- shapes ---------------------------------------------------------

    def _out_spatial(self, spatial):
        return tuple(output_length(s, k, st, d, self.padding) for s, k, st, d
                     in zip(spatial, self.kernel_size, self.strides,
                            self.dilation_rate))

    def build(self, input_shape):
        input_shape = self._last_shape(input_shape)
        if self.stateful and input_shape[0] is None:
            raise ValueError(f"{self.__class__.__name__} '{self.name}': a "
                             f"stateful layer needs a static batch size, "
                             f"received input shape {tuple(input_shape)}")
        if input_shape[-1] is None:
            raise ValueError(f"{self.__class__.__name__} '{self.name}': the "
                             f"channel axis must be known, received "
                             f"{tuple(input_shape)}")
        out = self._out_spatial(input_shape[2:-1])
        if any(s is not None and s <= 0 for s in out):
            raise ValueError(f"{self.__class__.__name__} '{self.name}': "
                             f"output size {out} would be non-positive for "
                             f"input {tuple(input_shape)}")
        self.cell._maybe_build((input_shape[0],) + tuple(input_shape[2:]))

    # ---- channels_first: the computation runs channels_last ---------------

    def _first(self):
        return self.data_format == "channels_first"

    def _last_shape(self, shape):
        shape = tuple(shape)
        if not self._first():
            return shape
        return shape[:2] + shape[3:] + shape[2:3]

    def _to_last(self, a, seq):
        """An array in the layer's format as channels_last (seq: with a
        time axis)."""
        if a is None or not self._first():
            return a
        return np.moveaxis(np.asarray(a), 2 if seq else 1, -1)

    def _to_format(self, a, seq):
        if not self._first():
            return a
        return np.ascontiguousarray(np.moveaxis(a, -1, 2 if seq else 1))

    def _shape_to_format(self, shape, seq):
        if not self._first():
            return shape
        k = 2 if seq else 1
        return tuple(shape[:k]) + (shape[-1],) + tuple(shape[k:-1])

    def compute_output_shape(self, input_shape):
        shapes = self._compute_last_shape(self._last_shape(input_shape))
        if isinstance(shapes, list):
            return [self._shape_to_format(shapes[0], self.return_sequences)] \
                + [self._shape_to_format(s, False) for s in shapes[1:]]
        return self._shape_to_format(shapes, self.return_sequences)

    def call(self, inputs, initial_state=None, training=None):
        x = self._to_last(np.asarray(inputs, np.float32), True)
        if initial_state is not None and self._first():
            initial_state = [self._to_last(s, False) for s in initial_state]
        out = self._call_last(np.ascontiguousarray(x), initial_state,
                              training)
        if isinstance(out, list):
            return [self._to_format(out[0], self.return_sequences)] + \
                [self._to_format(o, False) for o in out[1:]]
        return self._to_format(out, self.return_sequences)

    def backward(self, dy, need_input_grad=True):
        if self._first():
            dy = [self._to_last(dy[0], self.return_sequences)] + \
                [self._to_last(d, False) for d in dy[1:]] \
                if isinstance(dy, (list, tuple)) else \
                self._to_last(dy, self.return_sequences)
        dx = self._backward_last(dy, need_input_grad)
        return None if dx is None else self._to_format(dx, True)

    def _compute_last_shape(self, input_shape):
        spatial = self._out_spatial(input_shape[2:-1])
        state = (input_shape[0],) + spatial + (self.filters,)
        out = (input_shape[0], input_shape[1]) + spatial + (self.filters,) \
            if self.return_sequences else state
        if self.return_state:
            return [out, state, state]
        return out

    def compute_mask(self, inputs, mask=None):
        out = mask if self.return_sequences else None
        return [out, None, None] if self.return_state else out

    # ---- the 3-D view ------------------------------------------------------

    def _as_3d(self, x):
        """(n, t, *spatial, c) as (n, t, d, h, w, c)."""
        if self.rank == 1:
            return x[:, :, np.newaxis, np.newaxis]
        return x[:, :, np.newaxis] if self.rank == 2 else x

    def _pad3(self, values):
        return (1,) * (3 - self.rank) + tuple(values)

    def _kernels_3d(self):
        k = self.cell.kernel.value
        r = self.cell.recurrent_kernel.value
        lead = (1,) * (3 - self.rank)
        return k.reshape(lead + k.shape), r.reshape(lead + r.shape)

    def _geometry(self, spatial):
        """(strides, dilation, pads, out (od, oh, ow), recurrent pads) of
        the 3-D view for input spatial sizes (d, h, w)."""
        ks = self._pad3(self.kernel_size)
        st = self._pad3(self.strides)
        dl = self._pad3(self.dilation_rate)
        out = tuple(output_length(s, k, a, d, self.padding)
                    for s, k, a, d in zip(spatial, ks, st, dl))
        pads = tuple(padding_before(s, k, a, d, self.padding)
                     for s, k, a, d in zip(spatial, ks, st, dl))
        rpads = tuple(padding_before(o, k, 1, 1, "same")
                      for o, k in zip(out, ks))
        return st, dl, pads, out, rpads

    # ---- forward --------------------------------------------------------------

    def _initial(self, n, out, initial_state):
        shape = (n,) + tuple(out) + (self.filters,)
        if initial_state is not None:
            states = [np.array(s, np.float32).reshape(shape)
                      for s in initial_state]
            if len(states) != 2:
                raise ValueError(f"{self.__class__.__name__} '{self.name}' "
                                 f"expects 2 initial states, received "
                                 f"{len(states)}")
            return states
        if self.stateful and self.states is not None:
            return [s.reshape(shape).copy() for s in self.states]
        return [np.zeros(shape, np.float32), np.zeros(shape, np.float32)]

    def _dropout_masks(self, n, spatial, c, out3):
        """Keras 3's masks for a training call: one per gate (i, f, c, o)
        for the step input (n, *spatial, c) and for the state h (n, *out,
        filters), fixed over the steps; None for a rate of 0."""
        if not (0.0 < self.dropout < 1.0 or
                0.0 < self.recurrent_dropout < 1.0):
            return None, None
        rng = _rnn_dropout.mask_generator(self)
        in_masks = _rnn_dropout.draw_masks(rng, self.dropout, 4,
                                           (n,) + spatial + (c,))
        rec_masks = _rnn_dropout.draw_masks(rng, self.recurrent_dropout, 4,
                                            (n,) + out3 + (self.filters,))
        return in_masks, rec_masks

    def _call_last(self, inputs, initial_state=None, training=None):
        x = self._as_3d(np.asarray(inputs, np.float32))
        n, t = x.shape[:2]
        spatial, c = x.shape[2:5], x.shape[5]
        strides, dil, pads, out3, rpads = self._geometry(spatial)
        ones = (1, 1, 1)
        k, r = self._kernels_3d()
        xs = x[:, ::-1] if self.go_backwards else x
        x_rows = np.ascontiguousarray(np.swapaxes(xs, 0, 1)).reshape(
            (t * n,) + spatial + (c,))
        bias = None if self.cell.bias is None else self.cell.bias.value
        in_masks, rec_masks = self._dropout_masks(n, spatial, c, out3) \
            if training else (None, None)
        F = self.filters
        if in_masks is None:
            proj = conv3d_forward(x_rows, k, bias, strides, dil, pads, out3)
        else:   # each gate sees the inputs through its own mask
            proj = np.concatenate([conv3d_forward(
                _masked_rows(x_rows, in_masks[g]), _gate(k, g, F),
                None if bias is None else bias[g * F:(g + 1) * F], strides,
                dil, pads, out3) for g in range(4)], axis=-1)
        proj = proj.reshape((t, n) + out3 + (-1,))
        hs, cs = self._initial(n, out3, initial_state)
        keep = [] if training else None
        seq = np.empty((t, n) + out3 + (F,), np.float32)
        act, ract = activations.get(self._act), activations.get(self._ract)
        for s in range(t):
            if rec_masks is None:
                rec = conv3d_forward(hs, r, None, ones, ones, rpads, out3)
            else:
                rec = np.concatenate([conv3d_forward(
                    hs * rec_masks[g], _gate(r, g, F), None, ones, ones,
                    rpads, out3) for g in range(4)], axis=-1)
            z = proj[s] + rec
            i, f = ract(z[..., :F]), ract(z[..., F:2 * F])
            g, o = act(z[..., 2 * F:3 * F]), ract(z[..., 3 * F:])
            c_new = f * cs + i * g
            ac = act(c_new)
            h_new = o * ac
            if training:
                keep.append((hs, cs, z, i, f, g, o, c_new, ac))
            hs, cs = h_new, c_new
            seq[s] = hs
        if training:
            self._saved = (x_rows, keep, (n, t) + spatial + (c,), k, r,
                           in_masks, rec_masks)
            self._last_dropout_masks = (in_masks, rec_masks)
        if self.stateful:
            self.states = [hs.copy(), cs.copy()]
        shape_out = out3[3 - self.rank:]
        state_shape = (n,) + shape_out + (F,)
        out = np.swapaxes(seq, 0, 1).reshape((n, t) + shape_out + (F,)) \
            if self.return_sequences else hs.reshape(state_shape)
        if self.return_state:
            return [out, hs.reshape(state_shape), cs.reshape(state_shape)]
        return out

    def _backward_last(self, dy, need_input_grad=True):
        x_rows, keep, full_shape, k, r, in_masks, rec_masks = self._saved
        n, t = full_shape[:2]
        spatial = full_shape[2:5]
        strides, dil, pads, out3, rpads = self._geometry(spatial)
        ones = (1, 1, 1)
        F = self.filters
        grads = list(dy) if self.return_state else [dy]
        grads += [None] * (3 - len(grads))
        shape4 = (n,) + out3 + (F,)
        d_out = grads[0]
        dh = np.zeros(shape4, np.float32) if grads[1] is None else \
            np.array(grads[1], np.float32).reshape(shape4)
        dc = np.zeros(shape4, np.float32) if grads[2] is None else \
            np.array(grads[2], np.float32).reshape(shape4)
        d_seq = None
        if self.return_sequences and d_out is not None:
            d_seq = np.swapaxes(np.asarray(d_out, np.float32).reshape(
                (n, t) + out3 + (F,)), 0, 1)
        elif d_out is not None:
            dh = dh + np.asarray(d_out, np.float32).reshape(shape4)
        dz_all = np.empty((t,) + shape4[:-1] + (4 * F,), np.float32)
        dr = np.zeros(r.shape, np.float32)
        back = activations.backward
        for s in range(t - 1, -1, -1):
            hp, cp, z, i, f, g, o, c_new, ac = keep[s]
            if d_seq is not None:
                dh = dh + d_seq[s]
            do = dh * ac
            dct = dc + back(self._act, c_new, ac, dh * o)
            dz = dz_all[s]
            dz[..., :F] = back(self._ract, z[..., :F], i, dct * g)
            dz[..., F:2 * F] = back(self._ract, z[..., F:2 * F], f, dct * cp)
            dz[..., 2 * F:3 * F] = back(self._act, z[..., 2 * F:3 * F], g,
                                        dct * i)
            dz[..., 3 * F:] = back(self._ract, z[..., 3 * F:], o, do)
            dc = dct * f
            if rec_masks is None:
                dh = conv3d_backward(hp, r, dz, ones, ones, rpads, dr, 1.0,
                                     True)
            else:
                dh = _gates_backward(hp, rec_masks, r, dz, F, ones, ones,
                                     rpads, dr, True)
        dz_rows = dz_all.reshape((t * n,) + out3 + (4 * F,))
        dk = np.zeros(k.shape, np.float32)
        need_dx = need_input_grad
        if in_masks is None:
            dx_rows = conv3d_backward(x_rows, k, dz_rows, strides, dil, pads,
                                      dk, 0.0, need_dx)
        else:
            dx_rows = _gates_backward(x_rows, in_masks, k, dz_rows, F,
                                      strides, dil, pads, dk, need_dx)
        cell = self.cell
        store_grad(cell.kernel, dk.reshape(cell.kernel.shape))
        store_grad(cell.recurrent_kernel, dr.reshape(
            cell.recurrent_kernel.shape))
        if cell.bias is not None:
            store_grad(cell.bias, dz_rows.reshape(-1, 4 * F).sum(axis=0))
        if not need_dx:
            return None
        dx = np.swapaxes(dx_rows.reshape(full_shape[1:2] + full_shape[:1] +
                                         full_shape[2:]), 0, 1)
        if self.go_backwards:
            dx = dx[:, ::-1]
        in_shape = (n, t) + spatial[3 - self.rank:] + full_shape[-1:]
        return np.ascontiguousarray(dx).reshape(in_shape)

    def reset_states(self):
        self.states = None

    reset_state = reset_states

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size,
            "strides": self.strides, "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(
                self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask})
        config.update(_validation.weight_options_config(
            self, ("kernel", "recurrent", "bias")))
        return config


@register_builtin
class ConvLSTM2D(ConvLSTM):
    """2-D convolutional LSTM: input (batch, time, rows, cols, channels)."""

    rank = 2


@register_builtin
class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM: input (batch, time, depth, rows, cols,
    channels)."""

    rank = 3


@register_builtin
class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM: input (batch, time, steps, channels)."""

    rank = 1
