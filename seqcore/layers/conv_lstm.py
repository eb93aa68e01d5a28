"""ConvLSTM1D and ConvLSTM2D on the project's convolution GEMM.

The input convolution of every step is one conv2d call over the
(time * batch) images; per step, the recurrent convolution ('same'
padding, stride 1) of the state h, then the LSTM gate update (gates i, f,
c, o, Keras's order). Backward: per step (in reverse) the recurrent
convolution's kernel and input gradients, then one conv2d backward for the
input kernel and the input gradient over all steps. ConvLSTM1D runs as a
ConvLSTM2D of height 1. Weights live in a `cell` sub-layer, as Keras's
(`conv_lstm2d/conv_lstm_cell/kernel`; `.keras` files under `cell/vars`).
"""
import numpy as np

from seqcore import _kernels, activations, regularizers
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import store_grad
from seqcore.layers import _validation
from seqcore.layers._validation import positive_int, rate
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
            regularizer=o.kernel_regularizer, name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=o.kernel_size + (o.filters, 4 * o.filters),
            initializer=o.recurrent_initializer,
            regularizer=o.recurrent_regularizer, name="recurrent_kernel")
        init = _ForgetBiasInitializer(o.bias_initializer, o.filters) \
            if o.unit_forget_bias else o.bias_initializer
        self.bias = self.add_weight(
            shape=(4 * o.filters,), initializer=init,
            regularizer=o.bias_regularizer, name="bias") \
            if o.use_bias else None


class ConvLSTM(Layer):
    """Shared by ConvLSTM1D and ConvLSTM2D (rank 1 or 2).

    Args: filters, kernel_size, strides=1, padding ('valid' or 'same'),
    data_format (only 'channels_last'), dilation_rate=1, activation
    ('tanh'), recurrent_activation ('sigmoid'), use_bias, the
    initializers, unit_forget_bias, regularizers, constraints, dropout,
    recurrent_dropout (both must be 0 in training here), seed,
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
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{cls}: seqcore runs ConvLSTM on channels_last "
                             f"data only, received data_format="
                             f"{data_format!r}")
        self.data_format = "channels_last"
        self.activation, self._act = _kernel_activation(cls, "activation",
                                                        activation)
        self.recurrent_activation, self._ract = _kernel_activation(
            cls, "recurrent_activation", recurrent_activation)
        _validation.weight_options(self, ("kernel", "recurrent", "bias"),
                                   use_bias, locals())
        self.unit_forget_bias = bool(unit_forget_bias)
        self.dropout = rate(cls, "dropout", dropout)
        self.recurrent_dropout = rate(cls, "recurrent_dropout",
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
        for w in self.cell.weights:
            w.path = f"{self.name}/{self.cell.name}/{w.name}"

    def compute_output_shape(self, input_shape):
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

    # ---- the 2-D view ------------------------------------------------------

    def _as_2d(self, x):
        """(n, t, *spatial, c) as (n, t, h, w, c)."""
        return x if self.rank == 2 else x[:, :, np.newaxis]

    def _kernels_2d(self):
        k = self.cell.kernel.value
        r = self.cell.recurrent_kernel.value
        if self.rank == 1:
            k, r = k[np.newaxis], r[np.newaxis]
        return k, r

    def _geometry(self, h, w):
        kh, kw = ((1,) + self.kernel_size) if self.rank == 1 \
            else self.kernel_size
        sh, sw = ((1,) + self.strides) if self.rank == 1 else self.strides
        dh, dw = ((1,) + self.dilation_rate) if self.rank == 1 \
            else self.dilation_rate
        oh = output_length(h, kh, sh, dh, self.padding)
        ow = output_length(w, kw, sw, dw, self.padding)
        pads = (padding_before(h, kh, sh, dh, self.padding),
                padding_before(w, kw, sw, dw, self.padding))
        rpads = (padding_before(oh, kh, 1, 1, "same"),
                 padding_before(ow, kw, 1, 1, "same"))
        return (sh, sw), (dh, dw), pads, (oh, ow), rpads

    # ---- forward --------------------------------------------------------------

    def _initial(self, n, oh, ow, initial_state):
        shape = (n, oh, ow, self.filters)
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

    def call(self, inputs, training=None, initial_state=None):
        if training and (self.dropout > 0 or self.recurrent_dropout > 0):
            raise NotImplementedError(
                f"{self.__class__.__name__} '{self.name}': dropout and "
                f"recurrent_dropout in training are not supported yet; "
                f"received dropout={self.dropout}, recurrent_dropout="
                f"{self.recurrent_dropout}")
        x = self._as_2d(np.asarray(inputs, np.float32))
        n, t, h, w, c = x.shape
        strides, dil, pads, (oh, ow), rpads = self._geometry(h, w)
        k, r = self._kernels_2d()
        xs = x[:, ::-1] if self.go_backwards else x
        x_rows = np.ascontiguousarray(xs.transpose(1, 0, 2, 3, 4)).reshape(
            t * n, h, w, c)
        bias = None if self.cell.bias is None else self.cell.bias.value
        proj = _kernels.conv2d_forward(x_rows, k, bias, strides, dil, pads,
                                       (oh, ow)).reshape(t, n, oh, ow, -1)
        hs, cs = self._initial(n, oh, ow, initial_state)
        F = self.filters
        keep = [] if training else None
        seq = np.empty((t, n, oh, ow, F), np.float32)
        for s in range(t):
            rec = _kernels.conv2d_forward(hs, r, None, (1, 1), (1, 1), rpads,
                                          (oh, ow))
            z = proj[s] + rec
            i = activations.get(self._ract)(z[..., :F])
            f = activations.get(self._ract)(z[..., F:2 * F])
            g = activations.get(self._act)(z[..., 2 * F:3 * F])
            o = activations.get(self._ract)(z[..., 3 * F:])
            c_new = f * cs + i * g
            ac = activations.get(self._act)(c_new)
            h_new = o * ac
            if training:
                keep.append((hs, cs, z, i, f, g, o, c_new, ac))
            hs, cs = h_new, c_new
            seq[s] = hs
        if training:
            self._saved = (x_rows, keep, (n, t, h, w, c), k, r)
        if self.stateful:
            self.states = [hs.copy(), cs.copy()]
        shape_out = (oh, ow) if self.rank == 2 else (ow,)
        out = seq.transpose(1, 0, 2, 3, 4).reshape((n, t) + shape_out + (F,)) \
            if self.return_sequences else hs.reshape((n,) + shape_out + (F,))
        if self.return_state:
            return [out, hs.reshape((n,) + shape_out + (F,)),
                    cs.reshape((n,) + shape_out + (F,))]
        return out

    def backward(self, dy):
        x_rows, keep, (n, t, h, w, c), k, r = self._saved
        strides, dil, pads, (oh, ow), rpads = self._geometry(h, w)
        F = self.filters
        grads = list(dy) if self.return_state else [dy]
        grads += [None] * (3 - len(grads))
        shape4 = (n, oh, ow, F)
        d_out = grads[0]
        dh = np.zeros(shape4, np.float32) if grads[1] is None else \
            np.array(grads[1], np.float32).reshape(shape4)
        dc = np.zeros(shape4, np.float32) if grads[2] is None else \
            np.array(grads[2], np.float32).reshape(shape4)
        d_seq = None
        if self.return_sequences and d_out is not None:
            d_seq = np.asarray(d_out, np.float32).reshape(
                (n, t, oh, ow, F)).transpose(1, 0, 2, 3, 4)
        elif d_out is not None:
            dh = dh + np.asarray(d_out, np.float32).reshape(shape4)
        dz_all = np.empty((t, n, oh, ow, 4 * F), np.float32)
        dr = np.zeros(r.shape, np.float32)
        for s in range(t - 1, -1, -1):
            hp, cp, z, i, f, g, o, c_new, ac = keep[s]
            if d_seq is not None:
                dh = dh + d_seq[s]
            do = dh * ac
            dct = dc + activations.backward(self._act, c_new, ac, dh * o)
            dz = dz_all[s]
            dz[..., :F] = activations.backward(self._ract, z[..., :F], i,
                                               dct * g)
            dz[..., F:2 * F] = activations.backward(
                self._ract, z[..., F:2 * F], f, dct * cp)
            dz[..., 2 * F:3 * F] = activations.backward(
                self._act, z[..., 2 * F:3 * F], g, dct * i)
            dz[..., 3 * F:] = activations.backward(self._ract, z[..., 3 * F:],
                                                   o, do)
            dc = dct * f
            dh = _kernels.conv2d_backward(
                hp, r, np.ascontiguousarray(dz), (1, 1), (1, 1), rpads,
                dk=dr, beta=1.0, input_grad=True)
        dz_rows = dz_all.reshape(t * n, oh, ow, 4 * F)
        dk = np.zeros(k.shape, np.float32)
        need_dx = not getattr(self, "_skip_input_grad", False)
        dx_rows = _kernels.conv2d_backward(x_rows, k, dz_rows, strides, dil,
                                           pads, dk=dk, beta=0.0,
                                           input_grad=need_dx)
        cell = self.cell
        store_grad(cell.kernel, dk.reshape(cell.kernel.shape))
        store_grad(cell.recurrent_kernel, dr.reshape(
            cell.recurrent_kernel.shape))
        if cell.bias is not None:
            store_grad(cell.bias, dz_rows.sum(axis=(0, 1, 2)))
        if not need_dx:
            return None
        dx = dx_rows.reshape(t, n, h, w, c).transpose(1, 0, 2, 3, 4)
        if self.go_backwards:
            dx = dx[:, ::-1]
        dx = np.ascontiguousarray(dx)
        return dx if self.rank == 2 else dx[:, :, 0]

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
class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM: input (batch, time, steps, channels)."""

    rank = 1
