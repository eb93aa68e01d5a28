"""The routed convolution gradients (csrc/conv_routed.c) and max pooling's
record of its maxima: against float64 references, on every ISA, odd sizes,
1 and 2 threads; and in models, against the dense gradients they replace."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import _kernels, layers
from seqcore.engine import plan as plan_module
from seqcore.layers import _windows
from tests import references as ref
from tests.conftest import same_bits_with_threads

RNG = np.random.default_rng(11)


def _geometry(x_shape, kernel, strides, dilation, padding):
    class Spec:  # what _windows.geometry reads from a layer
        pass
    spec = Spec()
    spec.padding = padding
    return _windows.geometry(spec, x_shape, kernel, strides, dilation)


def _routes(n, oh, ow, routes, filters):
    """Random routed pixels (some repeated, some -1) and gradients (some
    zero, as after a ReLU)."""
    where = RNG.integers(0, oh * ow, (n, routes, filters)).astype(np.int32)
    where[RNG.random(where.shape) < 0.1] = -1
    dz = RNG.standard_normal(where.shape).astype(np.float32)
    dz[RNG.random(dz.shape) < 0.3] = 0.0
    return dz, where


def _expand(dz, where, oh, ow):
    """The dense (n, oh, ow, f) gradient the routes stand for."""
    n, _, f = dz.shape
    dense = np.zeros((n, oh * ow, f))
    for i in range(n):
        for r in range(dz.shape[1]):
            for j in range(f):
                if where[i, r, j] >= 0:
                    dense[i, where[i, r, j], j] += dz[i, r, j]
    return dense.reshape(n, oh, ow, f)


CASES = [
    # (n, h, w, c, filters, kernel, strides, dilation, padding)
    (2, 7, 6, 1, 7, (3, 3), (1, 1), (1, 1), "valid"),     # thin: dense dk
    (3, 9, 8, 7, 33, (3, 3), (1, 1), (1, 1), "same"),
    (1, 8, 9, 33, 1, (3, 3), (2, 2), (1, 1), "same"),
    (2, 11, 10, 7, 5, (2, 3), (2, 1), (1, 1), "valid"),
    (2, 9, 9, 16, 7, (3, 3), (1, 1), (2, 2), "same"),     # dilated
    (1, 1, 9, 20, 3, (1, 3), (1, 1), (1, 1), "same"),     # 1-D
]


@pytest.mark.parametrize("case", CASES)
def test_routed_gradients_match_the_dense_reference(isa, case):
    n, h, w, c, f, kernel, strides, dilation, padding = case
    x = RNG.standard_normal((n, h, w, c)).astype(np.float32)
    k = RNG.standard_normal(kernel + (c, f)).astype(np.float32)
    _, _, _, out, pads = _geometry(x.shape, kernel, strides, dilation,
                                   padding)
    dz, where = _routes(n, out[0], out[1], 5, f)
    dk = np.full(k.shape, 0.5, np.float32)
    db = np.full(f, np.nan, np.float32)
    dx = _kernels.conv2d_backward_routed(x, k, dz, where, out, strides,
                                         dilation, pads, dk=dk, beta=1.0,
                                         db=db)
    dense = _expand(dz, where, *out)
    want_dk, want_dx = ref.conv2d_grads(x, k, dense, strides, dilation,
                                        padding)
    np.testing.assert_allclose(dk, want_dk + 0.5, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(db, dense.sum(axis=(0, 1, 2)), rtol=1e-5,
                               atol=1e-5)


def test_beta_zero_overwrites_and_input_grad_can_be_skipped():
    x = RNG.standard_normal((2, 6, 6, 16)).astype(np.float32)
    k = RNG.standard_normal((3, 3, 16, 4)).astype(np.float32)
    dz, where = _routes(2, 4, 4, 4, 4)
    dk = np.full(k.shape, np.nan, np.float32)
    assert _kernels.conv2d_backward_routed(
        x, k, dz, where, (4, 4), (1, 1), (1, 1), (0, 0), dk=dk,
        input_grad=False) is None
    want, _ = ref.conv2d_grads(x, k, _expand(dz, where, 4, 4))
    np.testing.assert_allclose(dk, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("c", [1, 32])
def test_routed_gradients_have_the_same_bits_at_1_and_2_threads(isa, threads,
                                                                c):
    # large enough for the kernels to use both threads
    x = RNG.standard_normal((16, 13, 13, c)).astype(np.float32)
    k = RNG.standard_normal((3, 3, c, 64)).astype(np.float32)
    dz, where = _routes(16, 11, 11, 25, 64)

    def gradients():
        dk = np.empty(k.shape, np.float32)
        dx = _kernels.conv2d_backward_routed(x, k, dz, where, (11, 11),
                                             (1, 1), (1, 1), (0, 0), dk=dk)
        return [dk, dx]
    same_bits_with_threads(threads, gradients)


def test_bad_routes_are_clear_errors():
    x = np.ones((1, 5, 5, 2), np.float32)
    k = np.ones((3, 3, 2, 4), np.float32)
    dz = np.ones((1, 2, 4), np.float32)
    args = ((3, 3), (1, 1), (1, 1), (0, 0))
    with pytest.raises(ValueError, match="int32"):
        _kernels.conv2d_backward_routed(x, k, dz, np.zeros((1, 2, 4)), *args)
    with pytest.raises(ValueError, match="shape"):
        _kernels.conv2d_backward_routed(x, k, dz,
                                        np.zeros((1, 3, 4), np.int32), *args)
    with pytest.raises(ValueError, match="pixel 9, outside the 3x3"):
        _kernels.conv2d_backward_routed(x, k, dz,
                                        np.full((1, 2, 4), 9, np.int32),
                                        *args)
    with pytest.raises(ValueError, match="incompatible shapes"):
        _kernels.conv2d_backward_routed(x, k, np.ones((1, 2, 3), np.float32),
                                        np.zeros((1, 2, 3), np.int32), *args)
    with pytest.raises(ValueError, match="pixel 25, outside the 5x5"):
        _kernels.pool2d_backward(np.ones((1, 2, 2, 2), np.float32), "max",
                                 (1, 5, 5, 2), (2, 2), (2, 2), (0, 0),
                                 where=np.full((1, 2, 2, 2), 25, np.int32))


# ---- max pooling's record ---------------------------------------------------------

@pytest.mark.parametrize("pool,strides,padding", [
    ((2, 2), (2, 2), "valid"), ((3, 3), (2, 2), "same"), ((2, 3), (1, 2),
                                                          "valid")])
def test_max_pooling_records_its_first_maximum(isa, pool, strides, padding):
    # few distinct values: many ties, which go to the first in scan order
    x = RNG.integers(0, 3, (2, 7, 6, 5)).astype(np.float32)
    _, _, _, out, pads = _geometry(x.shape, pool, strides, (1, 1), padding)
    where = np.empty((2,) + out + (5,), np.int32)
    y = _kernels.pool2d_forward(x, "max", pool, strides, pads, out,
                                where=where)
    np.testing.assert_array_equal(y, ref.pool2d(x, pool, strides, padding,
                                                "max"))
    for i, a, b, ch in np.ndindex(where.shape):
        first = None
        for di in range(pool[0]):
            for dj in range(pool[1]):
                r = a * strides[0] - pads[0] + di
                col = b * strides[1] - pads[1] + dj
                if 0 <= r < 7 and 0 <= col < 6 and first is None and \
                        x[i, r, col, ch] == y[i, a, b, ch]:
                    first = r * 6 + col
        assert where[i, a, b, ch] == first


def test_where_is_only_for_max_pooling():
    x = np.ones((1, 4, 4, 1), np.float32)
    with pytest.raises(ValueError, match="only recorded by 'max'"):
        _kernels.pool2d_forward(x, "avg", (2, 2), (2, 2), (0, 0), (2, 2),
                                where=np.empty((1, 2, 2, 1), np.int32))


# ---- in models -------------------------------------------------------------------

def _gradients(model, x, routed, monkeypatch):
    """(input gradient, weight gradients) of sum(model(x) * w)."""
    for v in model.trainable_weights:
        v.grad = np.zeros(v.shape, np.float32)
        v._grad_fresh = True
    with monkeypatch.context() as m:
        # the layers run apart; the plan routes the gradient or not
        m.setattr(plan_module, "fuses", lambda *args: False)
        if not routed:
            m.setattr(plan_module, "routes_gradient", lambda *args: False)
        model._plan = None
        h = model(x, training=True)
        dy = np.random.default_rng(3).standard_normal(h.shape).astype(
            np.float32)
        dx = model.backward(dy)
    model._plan = None
    return dx, [v.grad.copy() for v in model.trainable_weights]


@pytest.mark.parametrize("conv,pool,shape", [
    (lambda: layers.Conv2D(8, 3, activation="relu"),
     lambda: layers.MaxPooling2D(2), (3, 10, 9, 3)),
    (lambda: layers.Conv2D(7, 3, activation="tanh", padding="same"),
     lambda: layers.MaxPooling2D(3, strides=2, padding="same"), (2, 7, 6, 17)),
    (lambda: layers.Conv2D(5, 2, data_format="channels_first"),
     lambda: layers.MaxPooling2D(2, data_format="channels_first"),
     (2, 3, 8, 8)),
    (lambda: layers.Conv1D(6, 3, activation="sigmoid"),
     lambda: layers.MaxPooling1D(2), (2, 11, 20)),
])
def test_models_train_on_routed_gradients_as_on_dense(conv, pool, shape,
                                                      monkeypatch):
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input(shape=shape[1:]), conv(), pool(),
                              layers.Flatten(), layers.Dense(3)])
    assert plan_module.routes_gradient(model.layers[1], model.layers[0])
    x = RNG.standard_normal(shape).astype(np.float32)
    calls = []
    real = _kernels.conv2d_backward_routed
    monkeypatch.setattr(_kernels, "conv2d_backward_routed",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    dx, grads = _gradients(model, x, True, monkeypatch)
    assert calls, "the routed path was not taken"
    want_dx, want_grads = _gradients(model, x, False, monkeypatch)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-5, atol=1e-6)
    for got, want in zip(grads, want_grads):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: layers.Conv2D(4, 3, activation="gelu"),   # needs z, not y
    lambda: layers.Conv2D(4, 3, activity_regularizer="l2"),
])
def test_other_convolutions_get_dense_gradients(make):
    assert not plan_module.routes_gradient(layers.MaxPooling2D(2), make())
    assert not plan_module.routes_gradient(layers.AveragePooling2D(2),
                                        layers.Conv2D(4, 3))
    assert not plan_module.routes_gradient(
        layers.MaxPooling2D(2, data_format="channels_first"),
        layers.Conv2D(4, 3))


# ---- the fused convolution + max pooling ------------------------------------------

FUSED_CASES = [
    # (n, h, w, c, filters, kernel, strides, dilation, padding, pool)
    (3, 28, 28, 1, 32, (3, 3), (1, 1), (1, 1), "valid", (2, 2)),  # thin
    (2, 13, 13, 32, 64, (3, 3), (1, 1), (1, 1), "valid", (2, 2)),
    (2, 9, 8, 3, 7, (3, 3), (1, 1), (1, 1), "same", (3, 2)),      # thin
    (1, 11, 10, 7, 33, (2, 3), (2, 1), (1, 1), "same", (2, 3)),
    (2, 12, 12, 20, 5, (3, 3), (1, 1), (2, 2), "same", (2, 2)),
    (40, 13, 13, 32, 16, (3, 3), (1, 1), (1, 1), "valid", (2, 2)),  # chunks
    # Winograd with odd channels and filters, tiles over the padding
    (3, 9, 7, 9, 33, (3, 3), (1, 1), (1, 1), "same", (2, 2)),
    (2, 8, 11, 33, 1, (3, 3), (1, 1), (1, 1), "same", (2, 2)),
]


@pytest.mark.parametrize("case", FUSED_CASES)
def test_fused_conv_pool_matches_conv_then_pool(isa, threads, case):
    n, h, w, c, f, kernel, strides, dilation, padding, pool = case
    x = RNG.standard_normal((n, h, w, c)).astype(np.float32)
    k = RNG.standard_normal(kernel + (c, f)).astype(np.float32)
    b = RNG.standard_normal(f).astype(np.float32)
    _, _, _, out, pads = _geometry(x.shape, kernel, strides, dilation,
                                   padding)
    conv = _kernels.conv2d_forward(x, k, b, strides, dilation, pads, out,
                                   activation="relu")
    pooled_hw = (out[0] // pool[0], out[1] // pool[1])
    want_where = np.empty((n,) + pooled_hw + (f,), np.int32)
    want = _kernels.pool2d_forward(conv, "max", pool, pool, (0, 0),
                                   pooled_hw, where=want_where)

    def forward():
        where = np.empty_like(want_where)
        y = _kernels.conv2d_maxpool_forward(x, k, b, strides, dilation, pads,
                                            out, pool, activation="relu",
                                            where=where)
        # Winograd's transforms round differently: within 1e-6 of the
        # outputs' scale
        atol = 1e-6 * np.abs(want).max()
        np.testing.assert_allclose(y, want, rtol=1e-5, atol=atol)
        # a maximum may move only between (near-)equal values
        picked = np.take_along_axis(conv.reshape(n, -1, f),
                                    where.reshape(n, -1, f), axis=1)
        np.testing.assert_allclose(picked.reshape(y.shape), y, rtol=1e-5,
                                   atol=atol)
        return [y, where]
    same_bits_with_threads(threads, forward)


def test_fused_conv_pool_rejects_bad_arguments():
    x = np.ones((1, 6, 6, 2), np.float32)
    k = np.ones((3, 3, 2, 4), np.float32)
    args = (None, (1, 1), (1, 1), (0, 0), (4, 4))
    with pytest.raises(ValueError, match="where must be"):
        _kernels.conv2d_maxpool_forward(x, k, *args, (2, 2),
                                        where=np.empty((1, 2, 2, 4)))
    with pytest.raises(ValueError, match="invalid pool size"):
        _kernels.conv2d_maxpool_forward(x, k, *args, (0, 2),
                                        where=np.empty((1, 2, 2, 4),
                                                       np.int32))
    with pytest.raises(ValueError, match="kernel must be"):
        _kernels.conv2d_maxpool_forward(x, np.ones((3, 3, 3, 4), np.float32),
                                        *args, (2, 2),
                                        where=np.empty((1, 2, 2, 4),
                                                       np.int32))


@pytest.mark.parametrize("conv,pool,shape,fused", [
    (lambda: layers.Conv2D(8, 3, activation="relu"),
     lambda: layers.MaxPooling2D(2), (9, 9, 3), True),
    (lambda: layers.Conv1D(6, 3, activation="tanh", padding="same"),
     lambda: layers.MaxPooling1D(3), (27, 9), True),
    (lambda: layers.Conv2D(5, 2, data_format="channels_first"),
     lambda: layers.MaxPooling2D(2, data_format="channels_first"),
     (3, 9, 9), True),
    (lambda: layers.Conv2D(8, 3, activation="relu"),
     lambda: layers.MaxPooling2D(3, strides=2), (9, 9, 3), False),
    (lambda: layers.Conv2D(8, 3, activation="relu"),
     lambda: layers.MaxPooling2D(2, padding="same"), (9, 9, 3), False),
])
def test_fit_runs_convolution_and_pooling_fused_as_separately(
        conv, pool, shape, fused, monkeypatch):
    """Training with the fused kernel takes the same steps as training with
    the two layers run one after the other."""
    x = RNG.standard_normal((16,) + shape).astype(np.float32)
    y = RNG.integers(0, 3, 16)

    def train(allow_fusion):
        keras.utils.set_random_seed(2)
        model = keras.Sequential([keras.Input(shape=x.shape[1:]), conv(),
                                  pool(), layers.Flatten(),
                                  layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        with monkeypatch.context() as m:
            if not allow_fusion:
                m.setattr(type(model.layers[1]), "fuses_with",
                          lambda self, producer: False)
            calls = []
            real = _kernels.conv2d_maxpool_forward
            m.setattr(_kernels, "conv2d_maxpool_forward",
                      lambda *a, **k: calls.append(1) or real(*a, **k))
            history = model.fit(x, y, batch_size=8, epochs=2, verbose=0,
                                shuffle=False)
        return history.history["loss"], model.get_weights(), bool(calls)

    loss, weights, used = train(True)
    want_loss, want_weights, _ = train(False)
    assert used == fused
    np.testing.assert_allclose(loss, want_loss, rtol=1e-5)
    for got, want in zip(weights, want_weights):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", [FUSED_CASES[0], FUSED_CASES[1],
                                  FUSED_CASES[3]])
def test_fused_conv_pool_without_where_gives_the_same_maxima(case):
    n, h, w, c, f, kernel, strides, dilation, padding, pool = case
    x = RNG.standard_normal((n, h, w, c)).astype(np.float32)
    k = RNG.standard_normal(kernel + (c, f)).astype(np.float32)
    _, _, _, out, pads = _geometry(x.shape, kernel, strides, dilation,
                                   padding)
    args = (x, k, None, strides, dilation, pads, out, pool)
    shape = (n, out[0] // pool[0], out[1] // pool[1], f)
    with_where = _kernels.conv2d_maxpool_forward(
        *args, activation="tanh", where=np.empty(shape, np.int32))
    np.testing.assert_array_equal(
        _kernels.conv2d_maxpool_forward(*args, activation="tanh"), with_where)


def test_inference_runs_convolution_and_pooling_fused(monkeypatch):
    keras.utils.set_random_seed(6)
    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Conv2D(24, 3, activation="relu"),
        layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(5)])
    x = RNG.standard_normal((9, 28, 28, 1)).astype(np.float32)
    calls = []
    real = _kernels.conv2d_maxpool_forward
    monkeypatch.setattr(_kernels, "conv2d_maxpool_forward",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    fused = model.predict(x, verbose=0)
    assert len(calls) == 2
    monkeypatch.setattr(plan_module, "fuses", lambda *args: False)
    model._plan = None      # the plan decides fusion again
    plain = model.predict(x, verbose=0)
    assert len(calls) == 2
    np.testing.assert_allclose(fused, plain, rtol=1e-5,
                               atol=1e-5 * np.abs(plain).max())


def test_functional_models_route_the_pooled_gradient(monkeypatch):
    """A functional graph routes a pooling's gradient to the convolution
    before it, unless the convolution's output has another use."""
    keras.utils.set_random_seed(8)
    inputs = keras.Input((10, 10, 3))
    a = layers.Conv2D(6, 3, activation="relu")(inputs)
    pooled = layers.MaxPooling2D(2)(a)
    b = layers.Conv2D(5, 3, padding="same", activation="relu")(inputs)
    merged = layers.Flatten()(layers.MaxPooling2D(2)(b))
    shared = layers.Flatten()(b)          # b has two uses: not routed
    outputs = layers.Dense(3)(layers.Flatten()(pooled))
    model = keras.Model(inputs, [outputs, layers.Dense(2)(merged),
                                 layers.Dense(2)(shared)])
    x = RNG.standard_normal((4, 10, 10, 3)).astype(np.float32)
    dys = [RNG.standard_normal((4, n)).astype(np.float32) for n in (3, 2, 2)]

    def gradients(routed):
        for v in model.trainable_weights:
            v.grad = np.zeros(v.shape, np.float32)
            v._grad_fresh = True
        calls = []
        real = _kernels.conv2d_backward_routed
        with monkeypatch.context() as m:
            m.setattr(_kernels, "conv2d_backward_routed",
                      lambda *a, **k: calls.append(1) or real(*a, **k))
            if not routed:   # neither routed nor fused
                m.setattr(plan_module, "routes_gradient",
                          lambda *args: False)
                m.setattr(plan_module, "fuses", lambda *args: False)
            model._plan = None      # decided again under the patches
            model(x, training=True)
            dx = model.backward(dys)
        model._plan = None
        return dx, [v.grad.copy() for v in model.trainable_weights], calls

    dx, grads, calls = gradients(True)
    assert len(calls) == 1      # the first convolution only
    want_dx, want_grads, _ = gradients(False)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-5, atol=1e-6)
    for got, want in zip(grads, want_grads):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_functional_models_fuse_a_convolution_with_its_only_pooling(
        monkeypatch):
    """fit and predict on a functional graph run conv + pool as one kernel
    where the convolution's output has no other use, and take the same
    steps as the layers run one by one."""
    def build():
        keras.utils.set_random_seed(9)
        inputs = keras.Input((12, 12, 2))
        a = layers.MaxPooling2D(2)(layers.Conv2D(8, 3, activation="relu")(
            inputs))
        b = layers.Conv2D(4, 3, activation="relu")(a)
        side = layers.Dense(2)(layers.Flatten()(b))  # b's second use
        pooled = layers.Flatten()(layers.MaxPooling2D(2)(b))
        outputs = layers.Dense(3, activation="softmax")(pooled)
        model = keras.Model(inputs, [outputs, side])
        model.compile("adam", ["sparse_categorical_crossentropy", "mse"])
        return model

    x = RNG.standard_normal((24, 12, 12, 2)).astype(np.float32)
    y = [RNG.integers(0, 3, 24), RNG.standard_normal((24, 2))]
    calls = []
    real = _kernels.conv2d_maxpool_forward

    def train(allow_fusion):
        model = build()
        with monkeypatch.context() as m:
            m.setattr(_kernels, "conv2d_maxpool_forward",
                      lambda *a, **k: calls.append(1) or real(*a, **k))
            if not allow_fusion:
                m.setattr(plan_module, "fuses", lambda *args: False)
            loss = model.fit(x, y, batch_size=8, epochs=2, verbose=0,
                             shuffle=False).history["loss"]
            return loss, model.get_weights(), model.predict(x, verbose=0)

    loss, weights, predictions = train(True)
    assert len(calls) == 2 * 3 + 1      # one fused pair per step, predict
    calls.clear()
    want_loss, want_weights, want_predictions = train(False)
    assert not calls
    np.testing.assert_allclose(loss, want_loss, rtol=1e-5)
    for got, want in zip(weights, want_weights):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    for got, want in zip(predictions, want_predictions):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_large_max_pooling_records_the_same_maxima_at_any_thread_count(
        isa, threads):
    x = RNG.integers(0, 4, (16, 26, 26, 33)).astype(np.float32)  # ties

    def pool():
        where = np.empty((16, 13, 13, 33), np.int32)
        y = _kernels.pool2d_forward(x, "max", (2, 2), (2, 2), (0, 0),
                                    (13, 13), where=where)
        return [y, where]
    y, where = same_bits_with_threads(threads, pool)
    np.testing.assert_array_equal(y, ref.pool2d(x, (2, 2), (2, 2), "valid",
                                                "max"))
    picked = np.take_along_axis(x.reshape(16, -1, 33),
                                where.reshape(16, -1, 33), axis=1)
    np.testing.assert_array_equal(picked.reshape(y.shape), y)
