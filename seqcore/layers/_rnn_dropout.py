"""Training with recurrent dropout for LSTM, GRU and SimpleRNN: the step loop
and backpropagation through time in numpy, with Keras 3's per-gate masks.

Keras 3 draws, when `recurrent_dropout > 0`, one input mask per gate (G
masks of shape (batch, features), when `dropout > 0`) and one recurrent
mask per gate (G masks of shape (batch, units)), each fixed over the
sequence: gate k sees `(x * m_k) W_k` and `(h * r_k) R_k`. LSTM has G = 4
(i, f, c, o), GRU 3 (z, r, h), SimpleRNN 1. The C kernels have no masks
inside the recurrence, so this path runs the steps here; it computes in the
dtype of its arguments (float32 in layers, float64 in gradient checks).

Arrays are time-major and in processing order (reversed input when
go_backwards): x (t, n, d), seq (t, n, u), step mask (t, n) bool.
"""
import numpy as np

from seqcore import activations
from seqcore import random as sc_random

GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}


def mask_generator(layer):
    """The generator of a training call's dropout masks: the layer's own
    stream when it has a `seed` (new masks each call, reproducible), else
    seqcore's global one."""
    if layer.seed is None:
        return sc_random.generator(None)
    stream = layer.__dict__.get("_seed_stream")
    if stream is None:
        stream = layer.__dict__["_seed_stream"] = \
            sc_random.SeedGenerator(layer.seed)
    return stream.next()


def draw_masks(rng, rate, count, shape, dtype=np.float32):
    """`count` dropout masks of `shape` (0 or 1 / (1 - rate)), or None when
    rate is not in (0, 1) (Keras applies no dropout then)."""
    if not 0.0 < rate < 1.0:
        return None
    keep = rng.random((count,) + tuple(shape)) >= rate
    return (keep / (1.0 - rate)).astype(dtype)


def _act(name, x):
    if name is None:
        return x
    return activations.get(name)(x).astype(x.dtype, copy=False)


def _dact(name, x, y, dy):
    return activations.backward(name, x, y, dy).astype(dy.dtype, copy=False)


def _blocks(a, g):
    """a (..., g * u) split into g views (..., u)."""
    u = a.shape[-1] // g
    return [a[..., k * u:(k + 1) * u] for k in range(g)]


class Cache:
    """What the forward pass keeps for backward."""


def forward(kind, x, kernel, rkernel, bias, states, step_mask, in_masks,
            rec_masks, act="tanh", ract="sigmoid", reset_after=True):
    """Run the recurrence.

    Args:
        kind: 'lstm', 'gru' or 'simple_rnn'.
        x: (t, n, d) inputs in processing order.
        kernel: (d, G u); rkernel: (u, G u); bias: (G u,), GRU with
            reset_after (2, G u), or None.
        states: [h] or [h, c], each (n, u); replaced in the list by the
            final states.
        step_mask: (t, n) bool or None (a masked step keeps the states and
            repeats the previous output).
        in_masks: (G, n, d) or None; rec_masks: (G, n, u) or None.
        act, ract: activation kernel names (ract unused by SimpleRNN).
    Returns:
        (seq (t, n, u), Cache).
    """
    G = GATES[kind]
    t, n, d = x.shape
    u = rkernel.shape[0]
    dt = x.dtype
    c = Cache()
    c.kind, c.G, c.act, c.ract, c.reset_after = kind, G, act, ract, \
        reset_after
    c.kernel, c.rkernel, c.x = kernel, rkernel, x
    c.in_masks, c.rec_masks, c.step_mask = in_masks, rec_masks, step_mask
    c.has_bias = bias is not None
    in_bias = rec_bias = None
    if bias is not None:
        if kind == "gru" and reset_after:
            in_bias, rec_bias = bias[0], bias[1]
        else:
            in_bias = bias
    # Input projections of every step, per gate (each with its own mask).
    Wk, Rk = _blocks(kernel, G), _blocks(rkernel, G)
    proj = np.empty((t, n, G * u), dt)
    for k in range(G):
        xk = x if in_masks is None else x * in_masks[k]
        proj[..., k * u:(k + 1) * u] = xk @ Wk[k]
    if in_bias is not None:
        proj += in_bias
    rb = None if rec_bias is None else _blocks(rec_bias, G)
    h = states[0]
    cs = states[1] if kind == "lstm" else None
    seq = np.empty((t, n, u), dt)
    c.steps = []
    for s in range(t):
        rec = {"h_prev": h, "c_prev": cs}
        hm = [h if rec_masks is None else h * rec_masks[k] for k in range(G)]
        rec["hm"] = hm
        px = _blocks(proj[s], G)
        if kind == "lstm":
            z = np.concatenate([px[k] + hm[k] @ Rk[k] for k in range(4)],
                               axis=1)
            zi, zf, zc, zo = _blocks(z, 4)
            i, f, g, o = (_act(ract, zi), _act(ract, zf), _act(act, zc),
                          _act(ract, zo))
            c_new = f * cs + i * g
            ac = _act(act, c_new)
            h_new = o * ac
            rec.update(zi=zi, zf=zf, zc=zc, zo=zo, i=i, f=f, g=g, o=o,
                       c_new=c_new, ac=ac)
        elif kind == "gru":
            rz = hm[0] @ Rk[0]
            rr = hm[1] @ Rk[1]
            if rb is not None:
                rz, rr = rz + rb[0], rr + rb[1]
            zz, zr = px[0] + rz, px[1] + rr
            zg, r = _act(ract, zz), _act(ract, zr)
            if reset_after:
                rh = hm[2] @ Rk[2]
                if rb is not None:
                    rh = rh + rb[2]
                zh = px[2] + r * rh
            else:
                rh = (r * hm[2]) @ Rk[2]
                zh = px[2] + rh
            hh = _act(act, zh)
            h_new = zg * h + (1 - zg) * hh
            rec.update(zz=zz, zr=zr, zg=zg, r=r, rh=rh, zh=zh, hh=hh)
        else:
            zs = px[0] + hm[0] @ Rk[0]
            h_new = _act(act, zs)
            rec.update(zs=zs, hs=h_new)
        if step_mask is not None:
            keep = step_mask[s][:, None]
            h_new = np.where(keep, h_new, h)
            if kind == "lstm":
                c_new = np.where(keep, c_new, cs)
        h = h_new
        if kind == "lstm":
            cs = c_new
        seq[s] = h
        c.steps.append(rec)
    states[0] = h
    if kind == "lstm":
        states[1] = cs
    return seq, c


def backward(c, d_seq, d_states):
    """Backpropagation through time.

    Args:
        c: the Cache of `forward`.
        d_seq: (t, n, u) gradient of the sequence, or None.
        d_states: gradients of the final states ([dh] or [dh, dc]; None
            entries are zeros).
    Returns:
        (dx (t, n, d), d_kernel, d_rkernel, d_bias or None,
        [gradients of the initial states]).
    """
    G, kind, act, ract = c.G, c.kind, c.act, c.ract
    t, n, d = c.x.shape
    u = c.rkernel.shape[0]
    dt = c.x.dtype
    Rk = _blocks(c.rkernel, G)
    dh = np.zeros((n, u), dt) if d_states[0] is None else \
        np.array(d_states[0], dt)
    dc = None
    if kind == "lstm":
        dc = np.zeros((n, u), dt) if d_states[1] is None else \
            np.array(d_states[1], dt)
    d_proj = np.zeros((t, n, G * u), dt)     # d of x-side pre-activations
    d_rec = np.zeros((t, n, G * u), dt)      # d of what R multiplies out
    d_rk = np.zeros_like(c.rkernel)
    d_rbias = np.zeros((G * u,), dt)
    for s in range(t - 1, -1, -1):
        rec = c.steps[s]
        if d_seq is not None:
            dh = dh + d_seq[s]
        if c.step_mask is not None:
            keep = c.step_mask[s][:, None].astype(dt)
            dh_pass, dh = dh * (1 - keep), dh * keep
            if kind == "lstm":
                dc_pass, dc = dc * (1 - keep), dc * keep
        else:
            dh_pass = 0.0
            dc_pass = 0.0
        hm = rec["hm"]
        dhm = [None] * G
        if kind == "lstm":
            do = dh * rec["ac"]
            dct = dc + _dact(act, rec["c_new"], rec["ac"], dh * rec["o"])
            di = dct * rec["g"]
            df = dct * rec["c_prev"]
            dg = dct * rec["i"]
            dz = [_dact(ract, rec["zi"], rec["i"], di),
                  _dact(ract, rec["zf"], rec["f"], df),
                  _dact(act, rec["zc"], rec["g"], dg),
                  _dact(ract, rec["zo"], rec["o"], do)]
            dc = dct * rec["f"] + dc_pass
            dpx = dz
            drec = dz
            dh_prev = dh * 0
        elif kind == "gru":
            zg, hh = rec["zg"], rec["hh"]
            dzg = dh * (rec["h_prev"] - hh)
            dhh = dh * (1 - zg)
            dh_prev = dh * zg
            dzh = _dact(act, rec["zh"], hh, dhh)
            dzz = _dact(ract, rec["zz"], zg, dzg)
            if c.reset_after:
                dr = dzh * rec["rh"]
                drh = dzh * rec["r"]
                dzr = _dact(ract, rec["zr"], rec["r"], dr)
                dpx = [dzz, dzr, dzh]
                drec = [dzz, dzr, drh]
            else:
                d_rh_in = dzh @ Rk[2].T            # d of r * hm_h
                dr = d_rh_in * hm[2]
                dzr = _dact(ract, rec["zr"], rec["r"], dr)
                dpx = [dzz, dzr, dzh]
                drec = [dzz, dzr, None]
                dhm[2] = d_rh_in * rec["r"]
                d_rk[:, 2 * u:] += (rec["r"] * hm[2]).T @ dzh
        else:
            dzs = _dact(act, rec["zs"], rec["hs"], dh)
            dpx = [dzs]
            drec = [dzs]
            dh_prev = dh * 0
        for k in range(G):
            d_proj[s, :, k * u:(k + 1) * u] = dpx[k]
            if drec[k] is not None:
                d_rec[s, :, k * u:(k + 1) * u] = drec[k]
                d_rk[:, k * u:(k + 1) * u] += hm[k].T @ drec[k]
                dhm[k] = drec[k] @ Rk[k].T
        for k in range(G):
            m = 1 if c.rec_masks is None else c.rec_masks[k]
            dh_prev = dh_prev + dhm[k] * m
        dh = dh_prev + dh_pass
    # Input side: every step at once, per gate.
    Wk = _blocks(c.kernel, G)
    dx = np.zeros((t, n, d), dt)
    d_kernel = np.zeros_like(c.kernel)
    for k in range(G):
        dpk = d_proj[..., k * u:(k + 1) * u]
        xk = c.x if c.in_masks is None else c.x * c.in_masks[k]
        d_kernel[:, k * u:(k + 1) * u] = \
            xk.reshape(t * n, d).T @ dpk.reshape(t * n, u)
        dxk = dpk @ Wk[k].T
        dx += dxk if c.in_masks is None else dxk * c.in_masks[k]
    d_bias = None
    if c.has_bias:
        d_bias = d_proj.sum(axis=(0, 1))
        if kind == "gru" and c.reset_after:
            d_bias = np.stack([d_bias, d_rec.sum(axis=(0, 1))])
    d_init = [dh] + ([dc] if kind == "lstm" else [])
    return dx, d_kernel, d_rk, d_bias, d_init
