"""The tape: each op's gradient against float64 central differences, and
recording semantics (Variables as leaves, values used twice, numpy refused)."""
import numpy as np
import pytest

from seqcore import ops
from seqcore.engine.tape import Tape, TracedNumpyError, recording
from seqcore.engine.variables import Variable
from tests.numeric import central_differences


def _tape_grads(fn, arrays):
    """Gradients of sum(fn(*arrays) * r) for a fixed random r, by the tape."""
    tape = Tape("test")
    with recording(tape):
        traced = [tape.watch(a) for a in arrays]
        out = fn(*traced)
    r = np.random.default_rng(7).normal(size=out.shape)
    grads = tape.backward([(out.node, r)])
    return [grads.get(t.node, np.zeros_like(a)) for t, a in
            zip(traced, arrays)], r


def _numeric_grads(fn, arrays, r, eps=1e-6):
    return central_differences(lambda xs: np.sum(fn(*xs) * r), arrays, eps)


def _rand(*shape, positive=False, seed=0):
    x = np.random.default_rng(seed + sum(shape)).normal(size=shape)
    return np.abs(x) + 0.5 if positive else x


CASES = [
    ("add", ops.add, [_rand(3, 4), _rand(4, seed=1)]),
    ("subtract", ops.subtract, [_rand(3, 1), _rand(3, 4, seed=2)]),
    ("multiply", ops.multiply, [_rand(2, 3), _rand(2, 3, seed=3)]),
    ("divide", ops.divide, [_rand(2, 3), _rand(3, positive=True)]),
    ("power", ops.power, [_rand(2, 3, positive=True), _rand(2, 3, seed=4)]),
    ("maximum", ops.maximum, [_rand(7), _rand(7, seed=5)]),
    ("minimum", ops.minimum, [_rand(7), _rand(7, seed=5)]),
    ("matmul 2-D", ops.matmul, [_rand(3, 4), _rand(4, 5, seed=1)]),
    ("matmul batched", ops.matmul, [_rand(2, 3, 4), _rand(4, 2, seed=1)]),
    ("matmul vector", ops.matmul, [_rand(4), _rand(4, 3, seed=1)]),
    ("abs", ops.abs, [_rand(5)]),
    ("square", ops.square, [_rand(5)]),
    ("sqrt", ops.sqrt, [_rand(5, positive=True)]),
    ("exp", ops.exp, [_rand(5)]),
    ("log", ops.log, [_rand(5, positive=True)]),
    ("log1p", ops.log1p, [_rand(5, positive=True)]),
    ("expm1", ops.expm1, [_rand(5)]),
    ("sin", ops.sin, [_rand(5)]),
    ("cos", ops.cos, [_rand(5)]),
    ("negative", ops.negative, [_rand(5)]),
    ("clip", lambda x: ops.clip(x, -0.5, 0.5), [_rand(9)]),
    ("where", lambda a, b: ops.where(np.arange(6).reshape(2, 3) % 2 == 0,
                                     a, b), [_rand(2, 3), _rand(3, seed=2)]),
    ("mean axis", lambda x: ops.mean(x, axis=1), [_rand(3, 4)]),
    ("mean keepdims", lambda x: ops.mean(x, axis=(0, 2), keepdims=True),
     [_rand(2, 3, 4)]),
    ("sum", lambda x: ops.sum(x), [_rand(3, 4)]),
    ("sum axis -1", lambda x: ops.sum(x, axis=-1), [_rand(3, 4)]),
    ("prod", lambda x: ops.prod(x, axis=0), [_rand(3, 4, positive=True)]),
    ("max", lambda x: ops.max(x, axis=1), [_rand(3, 4)]),
    ("min", lambda x: ops.min(x), [_rand(3, 4)]),
    ("var", lambda x: ops.var(x, axis=0), [_rand(5, 2)]),
    ("std", lambda x: ops.std(x, axis=-1, keepdims=True), [_rand(3, 5)]),
    ("reshape", lambda x: ops.reshape(x, (4, 3)), [_rand(3, 4)]),
    ("transpose", lambda x: ops.transpose(x, (2, 0, 1)), [_rand(2, 3, 4)]),
    ("expand_dims", lambda x: ops.expand_dims(x, 1), [_rand(3, 4)]),
    ("squeeze", lambda x: ops.squeeze(x, -1), [_rand(3, 1)]),
    ("concatenate", lambda a, b: ops.concatenate([a, b], axis=1),
     [_rand(2, 3), _rand(2, 1, seed=2)]),
    ("stack", lambda a, b: ops.stack([a, b], axis=1),
     [_rand(2, 3), _rand(2, 3, seed=2)]),
    ("slice", lambda x: x[:, 1:3], [_rand(3, 4)]),
    ("index twice", lambda x: x[np.array([0, 2, 0])], [_rand(3, 4)]),
    ("operators", lambda a, b: (a * 2.0 - b) / (1.0 + b * b) + a ** 2,
     [_rand(3), _rand(3, seed=2)]),
    ("reused value", lambda a: a * a + ops.exp(a) * a, [_rand(4)]),
    ("array methods", lambda a: a.reshape(2, 6).sum(axis=0) +
     a.T.mean() * a.astype("float64")[0, 0], [_rand(3, 4)]),
    ("cast", lambda x: ops.cast(x, "float64") * 3.0, [_rand(3)]),
    ("take axis 1", lambda x: ops.take(x, np.array([[0, 2], [2, 2]]),
                                       axis=1), [_rand(3, 4)]),
    ("take flat", lambda x: ops.take(x, np.array([5, 0, 5])), [_rand(3, 4)]),
    ("tile", lambda x: ops.tile(x, (2, 3)), [_rand(2, 3)]),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=-1), [_rand(3, 4)]),
    ("dot matrices", ops.dot, [_rand(3, 4), _rand(4, 2, seed=1)]),
    ("dot tensors", ops.dot, [_rand(2, 3, 4), _rand(5, 4, 2, seed=1)]),
    ("swapaxes", lambda x: ops.swapaxes(x, 0, 2), [_rand(2, 3, 4)]),
    ("norm", lambda x: ops.norm(x, axis=-1, keepdims=True), [_rand(3, 4)]),
    ("norm all", lambda x: ops.norm(x), [_rand(3, 4)]),
    ("relu", ops.relu, [_rand(7)]),
    ("leaky_relu", lambda x: ops.leaky_relu(x, 0.3), [_rand(7)]),
    ("elu", ops.elu, [_rand(7)]),
    ("selu", ops.selu, [_rand(7)]),
    ("gelu", ops.gelu, [_rand(7)]),
    ("gelu tanh", lambda x: ops.gelu(x, approximate=True), [_rand(7)]),
    ("sigmoid", ops.sigmoid, [_rand(7)]),
    ("tanh", ops.tanh, [_rand(7)]),
    ("softplus", ops.softplus, [_rand(7)]),
    ("softsign", ops.softsign, [_rand(7)]),
    ("silu", ops.silu, [_rand(7)]),
    ("mish", ops.mish, [_rand(7)]),
    ("hard_silu", ops.hard_silu, [_rand(7) * 2]),
    ("softmax", ops.softmax, [_rand(3, 5)]),
    ("softmax axis 0", lambda x: ops.softmax(x, axis=0), [_rand(3, 5)]),
    ("log_softmax", ops.log_softmax, [_rand(3, 5)]),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_op_gradient_matches_float64_finite_differences(name, fn, arrays):
    arrays = [np.asarray(a, np.float64) for a in arrays]
    grads, r = _tape_grads(fn, arrays)
    plain = lambda *xs: np.asarray(fn(*xs), np.float64)  # noqa: E731
    expected = _numeric_grads(plain, arrays, r)
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)


def test_float32_gradients_stay_float32():
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    w = np.random.default_rng(1).normal(size=(3, 2)).astype(np.float32)
    grads, _ = _tape_grads(lambda a, b: ops.relu(ops.matmul(a, b)), [x, w])
    assert all(g.dtype == np.float32 for g in grads)


def test_variables_are_leaves_whose_gradients_are_written():
    w = Variable(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), "w")
    w.grad = np.zeros((2, 2), np.float32)
    x = np.array([[1.0, -1.0]], np.float32)
    tape = Tape("test")
    with recording(tape):
        out = ops.sum(ops.matmul(x, w) * w[0])
    tape.backward([(out.node, np.float32(1.0))])
    # d/dw sum_j (x @ w)_j * w[0, j]: x_i * w[0, j] plus (x @ w)_j on row 0.
    xw = x @ w.value
    expected = x.T * w.value[0] + np.vstack([xw, np.zeros((1, 2))])
    np.testing.assert_allclose(w.grad, expected, rtol=1e-6)


def test_ops_outside_a_recording_return_plain_arrays():
    out = ops.add(np.ones(3, np.float32), 2.0)
    assert type(out) is np.ndarray and out.dtype == np.float32


def test_numpy_on_a_traced_value_names_the_owner_and_ops():
    tape = Tape("my_block")
    with recording(tape):
        x = tape.watch(np.ones((2, 3), np.float32))
        with pytest.raises(TracedNumpyError, match=r"my_block.*ops\.exp"):
            np.exp(x)
        with pytest.raises(TracedNumpyError, match=r"my_block.*ops\.sum"):
            np.sum(x)
        with pytest.raises(TracedNumpyError, match="my_block"):
            np.asarray(x)
        with pytest.raises(TracedNumpyError, match="float"):
            float(x[0, 0])
        # numpy arrays on the left of an operator still record
        y = np.full((2, 3), 2.0, np.float32) * x
    g = tape.backward([(y.node, np.ones((2, 3), np.float32))])
    np.testing.assert_array_equal(g[x.node], np.full((2, 3), 2.0))
