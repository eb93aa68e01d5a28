"""The per-variable optimizer kernels (Lamb, Adafactor) and the moving
average / gradient accumulation kernels against float64 numpy references
on odd sizes, and the same bits at 1 and 2 threads. (Each rule's numbers
against Keras 3 are in test_training_vs_keras.py.)"""
import numpy as np
import pytest

from seqcore import _kernels
from tests.conftest import same_bits_with_threads

SHAPES = [(1,), (7,), (33, 5), (3, 7, 2), (), (70000,), (130, 600)]


def _arena(shapes, seed):
    rng = np.random.default_rng(seed)
    sizes = [int(np.prod(s)) for s in shapes]
    bounds = np.array([0] + list(np.cumsum(sizes)), np.int64)
    n = int(bounds[-1])
    return (rng.standard_normal(n).astype(np.float32),
            rng.standard_normal(n).astype(np.float32), bounds)


def lamb_reference(p, g, m, v, bounds, n_decay, lr, wd, b1, b2, eps, c1, c2):
    p, m, v = p.astype(np.float64), m.astype(np.float64), v.astype(np.float64)
    p[:n_decay] -= p[:n_decay] * wd * lr
    m += (g - m) * (1 - b1)
    v += (g * g - v) * (1 - b2)
    u = (m / c1) / (np.sqrt(v / c2) + eps)
    for a, b in zip(bounds[:-1], bounds[1:]):
        w_norm, u_norm = np.linalg.norm(p[a:b]), np.linalg.norm(u[a:b])
        ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
        p[a:b] -= ratio * lr * u[a:b]
    return p, m, v


def test_lamb_matches_its_reference():
    p, g, bounds = _arena(SHAPES, 0)
    m = np.random.default_rng(1).standard_normal(p.size).astype(np.float32)
    v = np.abs(m) + 0.1
    want = lamb_reference(p, g, m, v, bounds, 40, 0.01, 0.1, 0.9, 0.999,
                          1e-7, 0.19, 0.002)
    _kernels.lamb_update(p, g, m, v, bounds, 40, 0.01, 0.1,
                         (0.9, 0.999, 1e-7, 0.19, 0.002))
    for got, ref in zip((p, m, v), want):
        np.testing.assert_allclose(got, ref, rtol=2e-5, atol=1e-6)


def adafactor_reference(p, g, shapes, bounds, rho, beta_2, eps1, eps2, clip):
    p = p.astype(np.float64)
    out_r, out_c, out_v = [], [], []
    for shape, a, b in zip(shapes, bounds[:-1], bounds[1:]):
        w, grad = p[a:b].reshape(shape), g[a:b].reshape(shape).astype(
            np.float64)
        alpha = max(eps2, np.sqrt(np.mean(w ** 2))) * rho
        sq = grad ** 2 + eps1
        if len(shape) >= 2:
            r = (1 - beta_2) * sq.mean(-1)          # r, c start at zero
            c = (1 - beta_2) * sq.mean(-2)
            v = (r / r.mean(-1, keepdims=True))[..., None] * c[..., None, :]
            out_r.append(r.ravel())
            out_c.append(c.ravel())
        else:
            v = (1 - beta_2) * sq
        u = grad / np.sqrt(v)
        u = u / max(1.0, np.sqrt(np.mean(u ** 2)) / clip)
        p[a:b] = (w - alpha * u).ravel()
        out_v.append(v.ravel())
    return p, out_r, out_c, np.concatenate(out_v)


def _adafactor_layout(shapes):
    dims, offsets, r_size, c_size = [], [], 0, 0
    for shape in shapes:
        if len(shape) >= 2:
            batch = int(np.prod(shape[:-2]))
            dims += [batch, shape[-2], shape[-1]]
            r_len, c_len = batch * shape[-2], batch * shape[-1]
        else:
            dims += [1, 0, 0]
            r_len = c_len = 1
        offsets += [r_size, c_size]
        r_size, c_size = r_size + r_len, c_size + c_len
    return (np.array(dims, np.int64), np.array(offsets, np.int64),
            np.zeros(r_size, np.float32), np.zeros(c_size, np.float32))


def test_adafactor_matches_its_reference():
    shapes = [(33, 5), (7,), (3, 7, 2), (1,), (4, 1)]
    p, g, bounds = _arena(shapes, 2)
    dims, offsets, r, c = _adafactor_layout(shapes)
    v = np.zeros(p.size, np.float32)
    want_p, want_r, want_c, want_v = adafactor_reference(
        p, g, shapes, bounds, 0.05, 0.2, 1e-30, 1e-3, 1.0)
    _kernels.adafactor_update(p, g, r, c, v, bounds, offsets, dims, 0, 0.05,
                              0.0, (0.05, 0.2, 1e-30, 1e-3, 1.0))
    np.testing.assert_allclose(p, want_p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v, want_v, rtol=1e-5)
    factored = [k for k, s in enumerate(shapes) if len(s) >= 2]
    for k, ref_r, ref_c in zip(factored, want_r, want_c):
        start_r, start_c = offsets[2 * k], offsets[2 * k + 1]
        np.testing.assert_allclose(r[start_r:start_r + ref_r.size], ref_r,
                                   rtol=1e-5)
        np.testing.assert_allclose(c[start_c:start_c + ref_c.size], ref_c,
                                   rtol=1e-5)


def test_ema_and_accumulation_match_numpy():
    p, g, _ = _arena([(70001,)], 3)
    average = np.ones_like(p)
    _kernels.ema_update(average, p, 0.9)
    np.testing.assert_allclose(average, 0.9 + 0.1 * p.astype(np.float64),
                               rtol=1e-6)
    acc = np.full_like(g, 0.5)
    grads = g.copy()
    _kernels.accumulate_gradients(acc, grads, 3, False)
    np.testing.assert_array_equal(grads, g)
    np.testing.assert_allclose(acc, 0.5 + g, rtol=1e-6)
    _kernels.accumulate_gradients(acc, grads, 3, True)
    np.testing.assert_allclose(grads, (g + 0.5 + g) / 3, rtol=1e-6)
    assert not acc.any()


@pytest.mark.parametrize("rule", ["lamb", "adafactor", "lion", "ftrl"])
def test_same_bits_at_one_and_two_threads(threads, rule):
    shapes = [(130, 600), (7,), (33, 5), (70000,)]

    def run():
        p, g, bounds = _arena(shapes, 4)
        s0 = np.full(p.size, 0.1, np.float32)
        s1 = np.zeros(p.size, np.float32)
        if rule == "lamb":
            _kernels.lamb_update(p, g, s0, s1, bounds, 100, 0.01, 0.1,
                                 (0.9, 0.999, 1e-7, 0.1, 0.001))
        elif rule == "adafactor":
            dims, offsets, r, c = _adafactor_layout(shapes)
            _kernels.adafactor_update(p, g, r, c, s1, bounds, offsets, dims,
                                      100, 0.01, 0.1,
                                      (0.01, 0.5, 1e-30, 1e-3, 1.0))
            return [p, r, c, s1]
        elif rule == "lion":
            _kernels.optimizer_update("lion", p, g, [s0], 100, 0.01, 0.1,
                                      (0.9, 0.99))
        else:
            _kernels.optimizer_update("ftrl", p, g, [s0, s1], 100, 0.05,
                                      0.0, (-0.5, 0.01, 0.02, 0.01))
        return [p, s0, s1]

    same_bits_with_threads(threads, run)


def test_bad_offsets_and_dims_raise_clear_errors():
    p, g, bounds = _arena([(7,), (3, 2)], 5)
    m, v = np.zeros_like(p), np.zeros_like(p)
    with pytest.raises(ValueError, match="offsets must rise from 0 to 13"):
        _kernels.lamb_update(p, g, m, v, np.array([0, 7, 12], np.int64), 0,
                             0.1, 0.0, (0.9, 0.99, 1e-7, 0.1, 0.01))
    with pytest.raises(ValueError, match="int64 array of 3 offsets"):
        _kernels.lamb_update(p, g, m, v, bounds.astype(np.int32), 0, 0.1,
                             0.0, (0.9, 0.99, 1e-7, 0.1, 0.01))
    dims, offsets, r, c = _adafactor_layout([(7,), (3, 2)])
    dims[4] = 5      # rows of the second variable: 1 * 5 * 2 != 6
    with pytest.raises(ValueError, match="variable 1's dims"):
        _kernels.adafactor_update(p, g, r, c, v, bounds, offsets, dims, 0,
                                  0.1, 0.0, (0.1, 0.5, 1e-30, 1e-3, 1.0))


# ---- Adam's per-ISA rows (optim_rows_*.c) ------------------------------------------

def adam_float32_reference(p, g, m, v, n_decay, lr, wd, b1, b2, eps, alpha):
    """Keras 3's AdamW step in float32, operation by operation (numpy's
    float32 arithmetic and sqrt are IEEE's, as the kernel's without FMA)."""
    f = np.float32
    p, m, v = p.copy(), m.copy(), v.copy()
    p[:n_decay] = p[:n_decay] - p[:n_decay] * f(wd) * f(lr)
    m = m + (g - m) * (f(1) - f(b1))
    v = v + (g * g - v) * (f(1) - f(b2))
    p = p - (m * f(alpha)) / (np.sqrt(v) + f(eps))
    return p, m, v


@pytest.mark.parametrize("n", [1, 7, 33, 16383, 16385, 70001])
@pytest.mark.parametrize("decay", ["none", "all", "part"])
def test_adam_rows_give_the_float32_reference_bits_on_every_isa(
        isa, threads, n, decay):
    rng = np.random.default_rng(n)
    p, g, m = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    v = np.abs(rng.standard_normal(n)).astype(np.float32)
    wd = 0.0 if decay == "none" else 0.04
    n_decay = {"none": 0, "all": n, "part": n // 2 + 1}[decay]
    hyper = (0.9, 0.999, 1e-7, 0.37, 0.0)     # beta_1, beta_2, eps, alpha
    want = adam_float32_reference(p, g, m, v, n_decay, 0.01, wd, 0.9, 0.999,
                                  1e-7, 0.37)

    def step():
        state = [a.copy() for a in (p, m, v)]
        _kernels.optimizer_update("adam", state[0], g, [state[1], state[2],
                                  None], n_decay, 0.01, wd, hyper)
        return state
    got = same_bits_with_threads(threads, step)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def rmsprop_float32_reference(p, g, velocity, n_decay, lr, wd, rho, eps):
    """Keras 3's RMSprop step (no momentum, not centered) in float32,
    operation by operation."""
    f = np.float32
    p, velocity = p.copy(), velocity.copy()
    p[:n_decay] = p[:n_decay] - p[:n_decay] * f(wd) * f(lr)
    velocity = f(rho) * velocity + (f(1) - f(rho)) * (g * g)
    p = p - f(lr) * g / np.sqrt(velocity + f(eps))
    return p, velocity


@pytest.mark.parametrize("n", [1, 7, 33, 16385, 70001])
@pytest.mark.parametrize("decay", ["none", "part"])
def test_rmsprop_rows_give_the_float32_reference_bits_on_every_isa(
        isa, threads, n, decay):
    rng = np.random.default_rng(n + 1)
    p, g = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
    velocity = np.abs(rng.standard_normal(n)).astype(np.float32)
    wd = 0.0 if decay == "none" else 0.04
    n_decay = 0 if decay == "none" else n // 3 + 1
    want = rmsprop_float32_reference(p, g, velocity, n_decay, 0.01, wd, 0.9,
                                     1e-7)

    def step():
        state = [p.copy(), velocity.copy()]
        _kernels.optimizer_update("rmsprop", state[0], g,
                                  [state[1], None, None], n_decay, 0.01, wd,
                                  (0.9, 0.0, 1e-7))
        return state
    got = same_bits_with_threads(threads, step)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
