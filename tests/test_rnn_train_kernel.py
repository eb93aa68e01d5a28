"""The training-mode recurrent kernels (csrc/rnn_train.c) called directly:
the forward pass against a float64 numpy recurrence (odd sizes, masks, every
ISA), and forward and backward giving the same bits at 1 and 2 threads on
shapes large enough that the batch is split between threads. The backward
pass's values are checked against finite differences through the layers in
test_gradients.py."""
import numpy as np
import pytest

from seqcore import _kernels
from tests.conftest import same_bits_with_threads

GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _reference(kind, proj, r, h, c, mask, reset_after, rbias):
    """Final h (and c), and the output of every step, in float64."""
    t, n, _ = proj.shape
    u = r.shape[0]
    h, r = h.astype(np.float64), r.astype(np.float64)
    c = None if c is None else c.astype(np.float64)
    seq = np.zeros((t, n, u))
    for s in range(t):
        x = proj[s].astype(np.float64)
        if kind == "lstm":
            z = x + h @ r
            i, f = _sigmoid(z[:, :u]), _sigmoid(z[:, u:2 * u])
            g, o = np.tanh(z[:, 2 * u:3 * u]), _sigmoid(z[:, 3 * u:])
            c_new = f * c + i * g
            h_new = o * np.tanh(c_new)
        elif kind == "gru":
            if reset_after:
                hz = h @ r + (0.0 if rbias is None else rbias)
                zr = _sigmoid(x[:, :2 * u] + hz[:, :2 * u])
                cand = np.tanh(x[:, 2 * u:] + zr[:, u:] * hz[:, 2 * u:])
            else:
                zr = _sigmoid(x[:, :2 * u] + h @ r[:, :2 * u])
                cand = np.tanh(x[:, 2 * u:] + (zr[:, u:] * h) @ r[:, 2 * u:])
            h_new = zr[:, :u] * h + (1.0 - zr[:, :u]) * cand
        else:
            h_new = np.tanh(x + h @ r)
        keep = np.ones(n, bool) if mask is None else mask[s].astype(bool)
        h = np.where(keep[:, None], h_new, h)
        if kind == "lstm":
            c = np.where(keep[:, None], c_new, c)
        seq[s] = h
    return h, c, seq


def _case(kind, n, t, u, masked, seed=0):
    rng = np.random.default_rng(seed)
    g = GATES[kind]
    proj = rng.standard_normal((t, n, g * u)).astype(np.float32)
    r = (rng.standard_normal((u, g * u)) / np.sqrt(u)).astype(np.float32)
    h = rng.standard_normal((n, u)).astype(np.float32) * 0.5
    c = rng.standard_normal((n, u)).astype(np.float32) if kind == "lstm" \
        else None
    mask = None
    if masked:
        mask = (rng.random((t, n)) > 0.3).astype(np.uint8)
    rbias = rng.standard_normal(g * u).astype(np.float32) * 0.1
    return proj, r, h, c, mask, rbias


def _forward(kind, proj, r, h, c, mask, reset_after, rbias):
    h, c = h.copy(), None if c is None else c.copy()
    saved = _kernels.rnn_train_forward(
        kind, proj, r, h, c, mask, "tanh", "sigmoid",
        reset_after=reset_after,
        recurrent_bias=rbias if kind == "gru" and reset_after else None)
    return h, c, saved


@pytest.mark.parametrize("kind,reset_after", [("lstm", True), ("gru", True),
                                              ("gru", False),
                                              ("simple_rnn", True)])
@pytest.mark.parametrize("n,u", [(1, 7), (7, 33), (33, 1), (33, 16)])
@pytest.mark.parametrize("masked", [False, True])
def test_forward_matches_float64_recurrence(isa, kind, reset_after, n, u,
                                            masked):
    proj, r, h0, c0, mask, rbias = _case(kind, n, 5, u, masked)
    h, c, saved = _forward(kind, proj, r, h0, c0, mask, reset_after, rbias)
    ref_h, ref_c, ref_seq = _reference(
        kind, proj, r, h0, c0, mask, reset_after,
        rbias if kind == "gru" and reset_after else None)
    np.testing.assert_allclose(h, ref_h, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(saved["seq"], ref_seq, rtol=1e-5, atol=1e-5)
    if kind == "lstm":
        np.testing.assert_allclose(c, ref_c, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind,reset_after", [("lstm", True), ("gru", True),
                                              ("gru", False),
                                              ("simple_rnn", True)])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("n", [31, 33])
def test_forward_and_backward_same_bits_with_threads(threads, isa, kind,
                                                     reset_after, masked, n):
    # 31 or 33 samples of 48 units over 20 steps: enough work for two
    # threads, and row blocks that end in a partial micro-tile (on every
    # ISA one of the two ends in a thin one, which the GEMM rebalances
    # with the tile before it).
    t, u = 20, 48
    if kind == "simple_rnn":
        u = 200
    proj, r, h0, c0, mask, rbias = _case(kind, n, t, u, masked, seed=1)
    rng = np.random.default_rng(2)
    d_seq = rng.standard_normal((t, n, u)).astype(np.float32)

    def run():
        h, c, saved = _forward(kind, proj, r, h0, c0, mask, reset_after,
                               rbias)
        dh = rng_dh.copy()
        dc = rng_dh.copy() if kind == "lstm" else None
        dxg, dhg = _kernels.rnn_train_backward(
            kind, saved, r, d_seq, dh, dc, mask, "tanh", "sigmoid",
            reset_after=reset_after)
        out = [h, saved["seq"].copy(), saved["gates"].copy(), dh,
               dxg.copy(), dhg.copy()]
        return out + ([c, dc] if kind == "lstm" else [])

    rng_dh = rng.standard_normal((n, u)).astype(np.float32)
    one = same_bits_with_threads(threads, run)
    assert np.all(np.isfinite(one[3])) and np.abs(one[3]).max() > 0
