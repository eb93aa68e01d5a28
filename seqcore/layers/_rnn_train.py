"""Training-mode recurrence and backpropagation through time for LSTM, GRU
and SimpleRNN.

The forward pass keeps every step's gates in Keras's natural column order
(time-major arrays (t, n, G * u)); the backward pass walks the steps in
reverse. Only the recurrent product dh_prev = dz R^T is sequential: the
weight gradients and the input gradient are each one GEMM over all steps.
Steps are in processing order (reversed input with go_backwards); a masked
step keeps the previous states, so its gradient flows to them unchanged.
"""
import numpy as np

from seqcore import _kernels
from seqcore.engine.variables import grad_beta, store_grad


def _act(name, z):
    return _kernels.activation(np.ascontiguousarray(z), name)


def _act_grad(name, z, y, dy):
    return _kernels.activation_backward(np.ascontiguousarray(z),
                                        np.ascontiguousarray(y),
                                        np.ascontiguousarray(dy), name)


def _matmul(a, b, trans_b=False):
    return _kernels.gemm(np.ascontiguousarray(a), b, trans_b=trans_b)


class Record:
    """What one training call keeps for backward."""


def forward(layer, x, states, mask):
    """Run `layer` over x (n, t, d); states are updated in place to the final
    ones. Returns (seq (n, t, u) in processing order, record)."""
    n, t, d = x.shape
    u, G = layer.units, layer.gates
    rec = Record()
    rec.x = x[:, ::-1] if layer.go_backwards else x
    rec.mask = None
    if mask is not None:
        m = np.asarray(mask, bool)
        rec.mask = (m[:, ::-1] if layer.go_backwards else m).T[..., None]
    x_rows = np.ascontiguousarray(rec.x.transpose(1, 0, 2)).reshape(-1, d)
    rec.x_rows = x_rows                                # (t * n, d) time-major
    bias = None if layer.bias is None else layer.bias.value
    reset_after = getattr(layer, "reset_after", False)
    in_bias = bias[0] if (bias is not None and reset_after) else bias
    proj = _kernels.gemm(x_rows, layer.kernel.value, bias=in_bias)
    rec.proj = proj.reshape(t, n, G * u)
    R = layer.recurrent_kernel.value
    rec.h_prev = np.empty((t, n, u), np.float32)
    rec.gates = np.empty((t, n, G * u), np.float32)    # activated gates
    seq = np.empty((t, n, u), np.float32)
    act, ract = layer._act, layer._ract or "sigmoid"
    h = states[0]
    if layer.kind == "lstm":
        c = states[1]
        rec.c_prev = np.empty((t, n, u), np.float32)
        rec.c_new = np.empty((t, n, u), np.float32)
        rec.tanh_c = np.empty((t, n, u), np.float32)
        rec.pre = np.empty((t, n, G * u), np.float32)
    elif layer.kind == "gru":
        rec.hz = np.empty((t, n, G * u), np.float32)
        rec.pre = np.empty((t, n, G * u), np.float32)
    else:
        rec.pre = np.empty((t, n, u), np.float32)
    for s in range(t):
        rec.h_prev[s] = h
        if layer.kind == "lstm":
            rec.c_prev[s] = c
            z = rec.pre[s]
            _kernels.gemm(h, R, z)
            z += rec.proj[s]
            g = rec.gates[s]
            g[:] = _act(ract, z)
            g[:, 2 * u:3 * u] = _act(act, z[:, 2 * u:3 * u])
            c_new = g[:, u:2 * u] * c + g[:, :u] * g[:, 2 * u:3 * u]
            rec.c_new[s] = c_new
            rec.tanh_c[s] = _act(act, c_new)
            h_new = g[:, 3 * u:] * rec.tanh_c[s]
            new = [h_new, c_new]
        elif layer.kind == "gru":
            new = [_gru_step(layer, rec, s, h, R, bias, act, ract)]
        else:
            z = rec.pre[s]
            _kernels.gemm(h, R, z)
            z += rec.proj[s]
            rec.gates[s] = _act(act, z)
            new = [rec.gates[s].copy()]
        if rec.mask is not None:
            keep = rec.mask[s]
            new = [np.where(keep, a, b) for a, b in
                   zip(new, [h] if len(new) == 1 else [h, c])]
        h = new[0]
        if layer.kind == "lstm":
            c = new[1]
        seq[s] = h
    states[0][...] = h
    if layer.kind == "lstm":
        states[1][...] = c
    return np.ascontiguousarray(seq.transpose(1, 0, 2)), rec


def _gru_step(layer, rec, s, h, R, bias, act, ract):
    u = layer.units
    xz, z = rec.proj[s], rec.pre[s]
    g = rec.gates[s]
    if layer.reset_after:
        hz = rec.hz[s]
        _kernels.gemm(h, R, hz, bias=None if bias is None else bias[1])
        z[:, :2 * u] = xz[:, :2 * u] + hz[:, :2 * u]
        g[:, :2 * u] = _act(ract, z[:, :2 * u])
        z[:, 2 * u:] = xz[:, 2 * u:] + g[:, u:2 * u] * hz[:, 2 * u:]
    else:
        z[:, :2 * u] = xz[:, :2 * u] + _matmul(h, R[:, :2 * u])
        g[:, :2 * u] = _act(ract, z[:, :2 * u])
        rh = g[:, u:2 * u] * h
        rec.hz[s, :, :u] = rh         # (r * h), what R's h block multiplies
        z[:, 2 * u:] = xz[:, 2 * u:] + _matmul(rh, R[:, 2 * u:])
    g[:, 2 * u:] = _act(act, z[:, 2 * u:])
    zg, hh = g[:, :u], g[:, 2 * u:]
    return zg * h + (1.0 - zg) * hh


def backward(layer, rec, d_seq, d_states):
    """d_seq: (n, t, u) gradient of the returned sequence (processing order)
    or None; d_states: gradients of the final states (None entries are 0).
    Writes the weight gradients, returns dx (n, t, d)."""
    t, n, u = rec.h_prev.shape
    G = layer.gates
    d_seq = None if d_seq is None else \
        np.ascontiguousarray(np.asarray(d_seq, np.float32).transpose(1, 0, 2))
    dh = np.zeros((n, u), np.float32) if d_states[0] is None else \
        np.array(d_states[0], np.float32)
    dc = None
    if layer.kind == "lstm":
        dc = np.zeros((n, u), np.float32) if d_states[1] is None else \
            np.array(d_states[1], np.float32)
    R = layer.recurrent_kernel.value
    act, ract = layer._act, layer._ract or "sigmoid"
    dx_gates = np.empty((t, n, G * u), np.float32)    # d pre-activations
    dh_gates = dx_gates if layer.kind != "gru" else \
        np.empty((t, n, G * u), np.float32)           # what R multiplies
    for s in range(t - 1, -1, -1):
        if d_seq is not None:
            dh = dh + d_seq[s]
        carry_h = carry_c = None
        if rec.mask is not None:
            keep = rec.mask[s]
            carry_h, dh = np.where(keep, 0.0, dh), np.where(keep, dh, 0.0)
            if dc is not None:
                carry_c, dc = np.where(keep, 0.0, dc), np.where(keep, dc, 0.0)
        if layer.kind == "lstm":
            dh, dc = _lstm_step_back(rec, s, u, dh, dc, dx_gates[s], R, act,
                                     ract)
        elif layer.kind == "gru":
            dh = _gru_step_back(layer, rec, s, u, dh, dx_gates[s],
                                dh_gates[s], R, act, ract)
        else:
            dz = dx_gates[s]
            dz[:] = _act_grad(act, rec.pre[s], rec.gates[s], dh)
            dh = _matmul(dz, R, trans_b=True)
        if carry_h is not None:
            dh = dh + carry_h
            if dc is not None:
                dc = dc + carry_c
    _weight_grads(layer, rec, dx_gates, dh_gates)
    dx = _kernels.gemm(dx_gates.reshape(t * n, G * u), layer.kernel.value,
                       trans_b=True).reshape(t, n, -1).transpose(1, 0, 2)
    if layer.go_backwards:
        dx = dx[:, ::-1]
    return np.ascontiguousarray(dx)


def _lstm_step_back(rec, s, u, dh, dc, dz, R, act, ract):
    g = rec.gates[s]
    i, f, cand, o = g[:, :u], g[:, u:2 * u], g[:, 2 * u:3 * u], g[:, 3 * u:]
    tanh_c = rec.tanh_c[s]
    dc = dc + _act_grad(act, rec.c_new[s], tanh_c, dh * o)
    pre = rec.pre[s]
    d_act = np.empty_like(g)
    d_act[:, :u] = dc * cand
    d_act[:, u:2 * u] = dc * rec.c_prev[s]
    d_act[:, 2 * u:3 * u] = dc * i
    d_act[:, 3 * u:] = dh * tanh_c
    dz[:] = _act_grad(ract, pre, g, d_act)
    dz[:, 2 * u:3 * u] = _act_grad(act, pre[:, 2 * u:3 * u], cand,
                                   d_act[:, 2 * u:3 * u])
    return _matmul(dz, R, trans_b=True), dc * f


def _gru_step_back(layer, rec, s, u, dh, dxg, dhg, R, act, ract):
    g, pre = rec.gates[s], rec.pre[s]
    zg, r, hh = g[:, :u], g[:, u:2 * u], g[:, 2 * u:]
    h_prev = rec.h_prev[s]
    d_cand = _act_grad(act, pre[:, 2 * u:], hh, dh * (1.0 - zg))
    d_gate = np.empty((dh.shape[0], 2 * u), np.float32)
    d_gate[:, :u] = dh * (h_prev - hh)
    dh_prev = dh * zg
    dxg[:, 2 * u:] = d_cand
    if layer.reset_after:
        d_gate[:, u:] = d_cand * rec.hz[s, :, 2 * u:]
        dxg[:, :2 * u] = _act_grad(ract, pre[:, :2 * u], g[:, :2 * u], d_gate)
        dhg[:, :2 * u] = dxg[:, :2 * u]
        dhg[:, 2 * u:] = d_cand * r
        return dh_prev + _matmul(dhg, R, trans_b=True)
    d_rh = _matmul(d_cand, R[:, 2 * u:], trans_b=True)
    d_gate[:, u:] = d_rh * h_prev
    dxg[:, :2 * u] = _act_grad(ract, pre[:, :2 * u], g[:, :2 * u], d_gate)
    dhg[:, :2 * u] = dxg[:, :2 * u]
    dhg[:, 2 * u:] = d_cand
    return dh_prev + d_rh * r + _matmul(dxg[:, :2 * u], R[:, :2 * u],
                                        trans_b=True)


def _weight_grads(layer, rec, dx_gates, dh_gates):
    t, n, u = rec.h_prev.shape
    width = dx_gates.shape[-1]
    dxg = dx_gates.reshape(t * n, width)
    dhg = dh_gates.reshape(t * n, width)
    beta = grad_beta(layer.kernel)
    if beta is not None:
        _kernels.gemm(rec.x_rows, dxg, layer.kernel.grad, trans_a=True,
                      beta=beta)
    beta = grad_beta(layer.recurrent_kernel)
    if beta is not None:
        h_rows = rec.h_prev.reshape(t * n, u)
        grad = layer.recurrent_kernel.grad
        if layer.kind == "gru" and not layer.reset_after:
            rh_rows = np.ascontiguousarray(rec.hz[:, :, :u]).reshape(t * n, u)
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

