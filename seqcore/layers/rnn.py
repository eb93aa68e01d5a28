"""keras.layers.RNN: runs any cell over a sequence.

A built-in cell (SimpleRNNCell, LSTMCell, GRUCell) or a StackedRNNCells of
them runs on the C kernels of SimpleRNN/LSTM/GRU: one hidden runner per
cell, sharing the cell's weights, each over the whole sequence (a stack of
cells stepped together gives the same numbers as the cells run one after
the other over the whole sequence: a cell's states never see the next
cell's). Any other cell (a user-written Layer with `state_size` and
`call(inputs, states)`) is stepped in Python with seqcore.ops, and in
training the whole loop is recorded on the tape (engine/tape.py), which
differentiates it.
"""
import numpy as np

from seqcore import ops
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.tape import plain
from seqcore.layers.recurrent import GRU, LSTM, SimpleRNN
from seqcore.layers.recurrent_cells import (GRUCell, LSTMCell, SimpleRNNCell,
                                            StackedRNNCells, call_cell,
                                            cell_initial_state)
from seqcore.saving.serialization import (deserialize_keras_object,
                                          register_builtin,
                                          serialize_keras_object)

_RUNNERS = {SimpleRNNCell: SimpleRNN, LSTMCell: LSTM, GRUCell: GRU}


def _builtin_cells(cell):
    """The list of built-in cells `cell` is made of, or None."""
    if type(cell) in _RUNNERS:
        return [cell]
    if type(cell) is StackedRNNCells and cell.cells and \
            all(type(c) in _RUNNERS for c in cell.cells):
        return list(cell.cells)
    return None


def _flat(states):
    out = []
    for s in states:
        if isinstance(s, (list, tuple)):
            out += _flat(s)
        else:
            out.append(s)
    return out


def _sizes(state_size):
    out = []
    for s in (state_size if isinstance(state_size, (list, tuple))
              else [state_size]):
        out += _sizes(s) if isinstance(s, (list, tuple)) else [s]
    return out


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _keep(mask_t, new, old):
    """new where the step is real, else old (nested lists)."""
    if isinstance(new, (list, tuple)):
        return [_keep(mask_t, a, b) for a, b in zip(new, old)]
    return ops.where(mask_t, new, old)


def _nest_states(flat, state_size):
    """The flat final states grouped as Keras returns them: one entry per
    top-level entry of `state_size` (a list for a nested entry, as a
    StackedRNNCells' LSTMCell [h, c]; a tensor for an int)."""
    out, pos = [], 0
    for size in state_size if isinstance(state_size, (list, tuple)) \
            else [state_size]:
        if isinstance(size, (list, tuple)):
            count = len(_sizes(size))
            out.append(list(flat[pos:pos + count]))
            pos += count
        else:
            out.append(flat[pos])
            pos += 1
    return out


def _unflatten(flat, like):
    """flat (a list) in the nesting of `like`."""
    it = iter(flat)

    def build(x):
        if isinstance(x, (list, tuple)):
            return [build(v) for v in x]
        return next(it)
    return build(like)


@register_builtin
class RNN(Layer):
    """Runs `cell` over the time axis of (batch, time, features) inputs.

    Args:
        cell: a cell (a Layer with `state_size` and `call(inputs, states)`
            returning `(output, new_states)`), or a list of cells (stacked).
        return_sequences: return every step's output (batch, time, out)
            instead of the last one (batch, out).
        return_state: also return the final states: `[output, *states]`
            with one entry per entry of the cell's `state_size` (stacked
            cells: a list [h, c] for an LSTMCell, a tensor for a GRUCell),
            as Keras.
        go_backwards: process the sequence in reverse (the returned
            sequence is in processing order, as Keras).
        stateful: carry the final states of a batch to the next call.
        unroll: accepted (Keras's graph option; no effect here).
        zero_output_for_mask: masked steps output zeros instead of the
            previous output.
    Call arguments: inputs, mask (batch, time), initial_state (a list of
    arrays, the cell's states), training.
    """

    _consumes_mask = True

    def __init__(self, cell, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False,
                 zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. "
                             f"Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError(
                f"The RNN cell should have a `state_size` attribute (single "
                f"integer or list of integers, one integer per RNN state). "
                f"Received: cell={cell}")
        super().__init__(**kwargs)
        state_size = getattr(cell, "state_size", None)
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(f"state_size must be an integer, or a list/tuple "
                             f"of integers (one for each state tensor); "
                             f"received {state_size!r}")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self._cells = _builtin_cells(cell)
        self._runners = None
        self._step_states = None

    # ---- how this layer is differentiated ----------------------------

    def _uses_tape(self):
        """A user-written cell: the step loop is recorded on the tape."""
        return self._cells is None

    @property
    def state_size(self):
        return self.cell.state_size

    def _saved_children(self):
        return [("cell", self.cell)]

    # ---- building ---------------------------------------------------------

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if self.stateful and input_shape[0] is None:
            raise ValueError(
                "When using `stateful=True` in a RNN, the batch size must be "
                "static. Found dynamic batch size: sequence.shape="
                f"{input_shape}")
        step_shape = (input_shape[0],) + input_shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build(step_shape)
        if self._cells is not None:
            self._runners = [self._make_runner(i, c)
                             for i, c in enumerate(self._cells)]

    def _make_runner(self, i, cell):
        """A hidden LSTM/GRU/SimpleRNN computing with `cell`'s weights."""
        cls = _RUNNERS[type(cell)]
        kwargs = {}
        if cell.recurrent_activation is not None:
            kwargs["recurrent_activation"] = cell.recurrent_activation
        if cls is GRU:
            kwargs["reset_after"] = cell.reset_after
        last = i == len(self._cells) - 1
        runner = cls(cell.units, activation=cell.activation,
                     use_bias=cell.use_bias, dropout=cell.dropout,
                     recurrent_dropout=cell.recurrent_dropout, seed=cell.seed,
                     return_sequences=self.return_sequences or not last,
                     return_state=True,
                     go_backwards=self.go_backwards and i == 0,
                     stateful=self.stateful,
                     zero_output_for_mask=self.zero_output_for_mask and last,
                     name=f"{self.name}_runner_{i}", **kwargs)
        runner.kernel = cell.kernel
        runner.recurrent_kernel = cell.recurrent_kernel
        runner.bias = cell.bias
        runner.input_spec = None
        runner.built = True
        return runner

    # ---- states -------------------------------------------------------------

    @property
    def states(self):
        if self._runners is not None:
            found = [r.states for r in self._runners]
            if any(s is None for s in found):
                return None
            return [s for group in found for s in group]
        return self._step_states

    @states.setter
    def states(self, value):
        if value is None:
            self.reset_states()

    def reset_states(self):
        for r in self._runners or []:
            r.reset_states()
        self.__dict__["_step_states"] = None

    reset_state = reset_states

    def get_initial_state(self, batch_size):
        return cell_initial_state(self.cell, batch_size)

    # ---- forward ------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        # Graphs and kernels see the states flat; a caller gets them in the
        # cell's nesting.
        out = super().__call__(*args, **kwargs)
        if not self._nests_states():
            return out
        return [out[0]] + _nest_states(out[1:], self.cell.state_size)

    def _call_with_mask(self, x, mask, training, args=(), kwargs=None):
        out, out_mask = super()._call_with_mask(x, mask, training, args,
                                                kwargs)
        return (_flat(out) if self._nests_states() else out), out_mask

    def _nests_states(self):
        return self.return_state and any(
            isinstance(s, (list, tuple))
            for s in _as_list(self.cell.state_size))

    def call(self, inputs, initial_state=None, mask=None, training=None):
        if len(inputs.shape) != 3:
            raise ValueError(f"RNN '{self.name}': expected inputs of shape "
                             f"(batch, time, features), received shape "
                             f"{tuple(inputs.shape)}")
        if mask is not None:
            mask = np.asarray(plain(mask), bool)
        if initial_state is not None and not isinstance(initial_state,
                                                        (list, tuple)):
            initial_state = [initial_state]
        if self._runners is not None:
            return self._call_runners(inputs, training, mask, initial_state)
        return self._call_steps(inputs, training, mask, initial_state)

    def _call_runners(self, x, training, mask, initial_state):
        """Built-in cells: each runner over the whole sequence, in turn."""
        x = np.asarray(x, np.float32)
        flat_init = None if initial_state is None else _flat(initial_state)
        if flat_init is not None and len(flat_init) != sum(
                r.state_count for r in self._runners):
            raise ValueError(
                f"RNN '{self.name}' expects "
                f"{sum(r.state_count for r in self._runners)} initial "
                f"state(s), received {len(flat_init)}")
        saved, states, h, m, pos = [], [], x, mask, 0
        for i, runner in enumerate(self._runners):
            init = None
            if flat_init is not None:
                init = flat_init[pos:pos + runner.state_count]
            pos += runner.state_count
            out = runner.call(np.ascontiguousarray(h), training=training,
                              mask=m, initial_state=init)
            h = out[0]
            states += out[1:]
            saved.append(runner.__dict__.get("_saved") if training else None)
            if i == 0 and self.go_backwards and m is not None:
                m = np.ascontiguousarray(m[:, ::-1])
        if training:
            # initial_state's nesting, to hand its gradients back alike
            self._saved = ("runners", saved, len(states), initial_state)
        if self.return_state:
            return [h] + states
        return h

    def _argument_grads(self):
        """The gradients of the last backward's `initial_state` (flat,
        cell by cell), for engine/call_tensors.py."""
        if self._runners is None:
            return {}
        found = [r.__dict__.get("_state_grads") for r in self._runners]
        if any(g is None for g in found):
            return {"initial_state": None}
        flat = [g for group in found for g in group]
        given = self.__dict__.get("_saved", (None,) * 4)[3]
        return {"initial_state": flat if given is None
                else _unflatten(flat, list(given))}

    def backward(self, dy, need_input_grad=True):
        if self._runners is None:
            return super().backward(dy, need_input_grad)
        _, saved, n_states, _ = self._saved
        grads = list(dy) if self.return_state else [dy]
        grads += [None] * (1 + n_states - len(grads))
        d_h, d_states = grads[0], grads[1:]
        pos = n_states
        for i in range(len(self._runners) - 1, -1, -1):
            runner = self._runners[i]
            pos -= runner.state_count
            runner._saved = saved[i]
            d_h = runner.backward(
                [d_h] + d_states[pos:pos + runner.state_count],
                need_input_grad=i > 0 or need_input_grad)
        return d_h

    def _call_steps(self, inputs, training, mask, initial_state):
        """Any cell: step by step with seqcore.ops (recorded on the tape in
        training)."""
        n, t = inputs.shape[0], inputs.shape[1]
        if initial_state is not None:
            states = list(initial_state)
            if type(self.cell) is StackedRNNCells:
                states = _unflatten(_flat(states),
                                    self.get_initial_state(n))
        elif self.stateful and self._step_states is not None:
            states = self._step_states
        else:
            states = self.get_initial_state(n)
        cells = self.cell.cells if type(self.cell) is StackedRNNCells \
            else [self.cell]
        self._set_step_masks(cells, n, inputs.shape[2], training)
        try:
            outputs, prev = [], None
            steps = range(t - 1, -1, -1) if self.go_backwards else range(t)
            for s in steps:
                out, new = call_cell(self.cell, inputs[:, s], states,
                                     training)
                new = list(new) if isinstance(new, (list, tuple)) else [new]
                if mask is not None:
                    keep = mask[:, s][:, np.newaxis]
                    new = _keep(keep, new, states)
                    if self.zero_output_for_mask or prev is None:
                        out = ops.where(keep, out, np.zeros(
                            plain(out).shape, np.float32))
                    else:
                        out = ops.where(keep, out, prev)
                states, prev = new, out
                outputs.append(out)
        finally:
            self._set_step_masks(cells, n, None, False)
        if self.stateful:
            self.__dict__["_step_states"] = plain(states)
        output = ops.stack(outputs, axis=1) if self.return_sequences \
            else prev
        if self.return_state:
            return [output] + _flat(states)
        return output

    @staticmethod
    def _set_step_masks(cells, batch, features, training):
        """Built-in cells inside the step loop use one set of dropout masks
        for the whole sequence, as Keras."""
        for cell in cells:
            if not hasattr(cell, "draw_step_masks"):
                continue
            if not training:
                cell._step_masks = None
                continue
            cell._step_masks = cell.draw_step_masks(batch, features)

    # ---- shapes, masks, config ----------------------------------------------

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = _sizes(self.cell.state_size)[0]
        return size

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        units = self._output_size()
        out = (batch, steps, units) if self.return_sequences \
            else (batch, units)
        if self.return_state:
            return [out] + [(batch, s) for s in _sizes(self.cell.state_size)]
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(_sizes(self.cell.state_size))
        return out

    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell)})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects)
        return cls(cell, **config)
