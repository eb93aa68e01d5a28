"""Training-mode recurrence and backpropagation through time for LSTM, GRU
and SimpleRNN, around the C kernels of csrc/rnn_train.c.

The input projection x W + b of every step is one GEMM before the C step
loop; after the backward step loop, the weight gradients and the input
gradient are each one GEMM over all steps. Steps are in processing order
(reversed input with go_backwards), time-major.
"""
import numpy as np

from seqcore import _kernels
from seqcore.engine import buffers
from seqcore.engine.variables import grad_beta, store_grad


class Record:
    """What one training call keeps for backward."""


def forward(layer, x, states, mask):
    """Run `layer` over x (n, t, d); states are updated in place to the final
    ones. Returns (seq (n, t, u) in processing order, record)."""
    n, t, d = x.shape
    rec = Record()
    xs = x[:, ::-1] if layer.go_backwards else x
    rec.mask = None
    if mask is not None:
        m = np.asarray(mask, bool)
        m = m[:, ::-1] if layer.go_backwards else m
        rec.mask = np.ascontiguousarray(m.T, dtype=np.uint8)   # (t, n)
    x_rows = layer._buffer("x_rows", (t, n, d))
    np.copyto(x_rows, xs.transpose(1, 0, 2))
    rec.x_rows = x_rows.reshape(t * n, d)
    bias = None if layer.bias is None else layer.bias.value
    reset_after = getattr(layer, "reset_after", False)
    in_bias = bias[0] if (bias is not None and reset_after) else bias
    width = layer.gates * layer.units
    proj = _kernels.gemm(rec.x_rows, layer.kernel.value,
                         layer._buffer("proj", (t * n, width)), bias=in_bias)
    reuse = layer.__dict__.setdefault("_rnn_saved", {}) \
        if buffers.reusing() else None
    rec.saved = _kernels.rnn_train_forward(
        layer.kind, proj.reshape(t, n, width), layer.recurrent_kernel.value,
        states[0], states[1] if layer.kind == "lstm" else None, rec.mask,
        layer._act, layer._ract, reset_after=reset_after,
        recurrent_bias=bias[1] if (bias is not None and reset_after)
        else None, reuse=reuse)
    seq = layer._buffer("seq", (n, t, layer.units))
    np.copyto(seq, rec.saved["seq"].transpose(1, 0, 2))
    return seq, rec


def backward(layer, rec, d_seq, d_states, need_input_grad=True):
    """d_seq: (n, t, u) gradient of the returned sequence (processing order)
    or None; d_states: gradients of the final states (None entries are 0).
    Writes the weight gradients, returns dx (n, t, d), or None when
    need_input_grad is False."""
    t, n, u = rec.saved["h_prev"].shape
    if d_seq is not None:
        time_major = layer._buffer("d_seq", (t, n, u))
        np.copyto(time_major, np.asarray(d_seq, np.float32).transpose(1, 0, 2))
        d_seq = time_major
    dh = np.zeros((n, u), np.float32) if d_states[0] is None else \
        np.array(d_states[0], np.float32, order="C")
    dc = None
    if layer.kind == "lstm":
        dc = np.zeros((n, u), np.float32) if d_states[1] is None else \
            np.array(d_states[1], np.float32, order="C")
    reuse = layer.__dict__.setdefault("_rnn_grads", {}) \
        if buffers.reusing() else None
    dx_gates, dh_gates = _kernels.rnn_train_backward(
        layer.kind, rec.saved, layer.recurrent_kernel.value, d_seq, dh, dc,
        rec.mask, layer._act, layer._ract,
        reset_after=getattr(layer, "reset_after", False), reuse=reuse)
    # The kernel leaves dh (and dc) holding the initial states' gradients.
    layer._state_grads = [dh] if dc is None else [dh, dc]
    _weight_grads(layer, rec, dx_gates, dh_gates)
    if not need_input_grad:
        return None
    d = layer.kernel.shape[0]
    dx_rows = _kernels.gemm(dx_gates.reshape(t * n, -1), layer.kernel.value,
                            layer._buffer("dx_rows", (t * n, d)),
                            trans_b=True).reshape(t, n, d).transpose(1, 0, 2)
    if layer.go_backwards:
        dx_rows = dx_rows[:, ::-1]
    dx = layer._buffer("dx", (n, t, d))
    np.copyto(dx, dx_rows)
    return dx


def _weight_grads(layer, rec, dx_gates, dh_gates):
    t, n, u = rec.saved["h_prev"].shape
    width = dx_gates.shape[-1]
    dxg = dx_gates.reshape(t * n, width)
    dhg = dh_gates.reshape(t * n, width)
    beta = grad_beta(layer.kernel)
    if beta is not None:
        _kernels.gemm(rec.x_rows, dxg, layer.kernel.grad, trans_a=True,
                      beta=beta)
    beta = grad_beta(layer.recurrent_kernel)
    if beta is not None:
        h_rows = rec.saved["h_prev"].reshape(t * n, u)
        grad = layer.recurrent_kernel.grad
        if layer.kind == "gru" and not layer.reset_after:
            # R_h multiplies r * h (kept in hz's first u columns).
            rh_rows = rec.saved["hz"].reshape(t * n, width)[:, :u]
            _kernels.gemm(h_rows, dhg[:, :2 * u], grad[:, :2 * u],
                          trans_a=True, beta=beta)
            _kernels.gemm(rh_rows, dhg[:, 2 * u:], grad[:, 2 * u:],
                          trans_a=True, beta=beta)
        else:
            _kernels.gemm(h_rows, dhg, grad, trans_a=True, beta=beta)
    if layer.bias is not None:
        db = np.add.reduce(dxg, axis=0)
        if layer.kind == "gru" and layer.reset_after:
            db = np.stack([db, np.add.reduce(dhg, axis=0)])
        store_grad(layer.bias, db)
