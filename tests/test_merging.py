"""Merge layers and symbolic arithmetic: values against numpy, gradients
against float64 finite differences, shapes and Keras's errors."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests.numeric import central_differences


def _inputs(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) for s in shapes]


def _layer_grads(layer, xs, r):
    """Gradients of sum(layer.call(xs) * r) by the tape, in float64 (a
    layer's __call__ computes in float32; the tape is what its training
    call records)."""
    from seqcore.engine.tape import Tape, recording
    layer([x.astype(np.float32) for x in xs])          # builds
    tape = Tape(layer.name)
    with recording(tape):
        traced = [tape.watch(x) for x in xs]
        out = layer.call(traced)
    grads = tape.backward([(out.node, r)])
    return out.value, [grads[t.node] for t in traced]


def _numeric(fn, xs, r, eps=1e-6):
    return central_differences(lambda v: np.sum(fn(v) * r), xs, eps)


CASES = [
    ("add", lambda: layers.Add(), [(3, 4), (3, 4), (3, 1)],
     lambda a, b, c: a + b + c),
    ("subtract", lambda: layers.Subtract(), [(3, 4), (3, 4)],
     lambda a, b: a - b),
    ("multiply", lambda: layers.Multiply(), [(3, 4), (3, 4), (3, 4)],
     lambda a, b, c: a * b * c),
    ("average", lambda: layers.Average(), [(3, 4), (3, 4)],
     lambda a, b: (a + b) / 2),
    ("maximum", lambda: layers.Maximum(), [(3, 4), (3, 4), (3, 4)],
     lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    ("minimum", lambda: layers.Minimum(), [(3, 4), (3, 4)],
     np.minimum),
    ("concatenate", lambda: layers.Concatenate(), [(3, 2), (3, 5)],
     lambda a, b: np.concatenate([a, b], -1)),
    ("concatenate axis 1", lambda: layers.Concatenate(axis=1),
     [(2, 3, 4), (2, 1, 4)], lambda a, b: np.concatenate([a, b], 1)),
    ("dot", lambda: layers.Dot(axes=1), [(3, 4), (3, 4)],
     lambda a, b: np.sum(a * b, axis=1, keepdims=True)),
    ("dot axes pair", lambda: layers.Dot(axes=(1, 2)), [(2, 3, 4), (2, 5, 3)],
     lambda a, b: np.einsum("bik,bji->bkj", a, b)),
    ("dot normalize", lambda: layers.Dot(axes=-1, normalize=True),
     [(3, 4), (3, 4)],
     lambda a, b: np.sum(a / np.linalg.norm(a, axis=1, keepdims=True) *
                         b / np.linalg.norm(b, axis=1, keepdims=True),
                         axis=1, keepdims=True)),
]


@pytest.mark.parametrize("name,make,shapes,reference", CASES,
                         ids=[c[0] for c in CASES])
def test_merge_values_shapes_and_gradients(name, make, shapes, reference):
    xs = _inputs(*shapes)
    layer = make()
    expected = reference(*xs)
    np.testing.assert_allclose(make()([x.astype(np.float32) for x in xs]),
                               expected, rtol=1e-5, atol=1e-6)
    symbolic = make()([keras.Input(s[1:]) for s in shapes])
    assert symbolic.shape == (None,) + expected.shape[1:]
    r = np.random.default_rng(5).normal(size=expected.shape)
    out, grads = _layer_grads(layer, xs, r)
    np.testing.assert_allclose(out, expected, rtol=1e-10)
    numeric = _numeric(lambda v: reference(*v), xs, r)
    for g, n in zip(grads, numeric):
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-8)


def test_functional_forms_make_the_layers():
    a, b = keras.Input((4,)), keras.Input((4,))
    for fn, cls in [(layers.add, layers.Add), (layers.subtract,
                                               layers.Subtract),
                    (layers.multiply, layers.Multiply),
                    (layers.average, layers.Average),
                    (layers.maximum, layers.Maximum),
                    (layers.minimum, layers.Minimum),
                    (layers.concatenate, layers.Concatenate)]:
        out = fn([a, b])
        assert isinstance(out._keras_history[0], cls)
    assert layers.concatenate([a, b], axis=-1).shape == (None, 8)
    assert layers.dot([a, b], axes=1).shape == (None, 1)


@pytest.mark.parametrize("make,shapes,match", [
    (layers.Add, [(3,), (4,)],
     r"Inputs have incompatible shapes. Received shapes \(3,\) and \(4,\)"),
    (layers.Concatenate, [(3, 2), (4, 3)],
     r"requires inputs with matching shapes except for the concatenation"),
    (lambda: layers.Dot(axes=1), [(3,), (4,)],
     r"Incompatible input shapes: axis values 3 \(at axis 1\) != 4"),
    (layers.Subtract, [(4,), (4,), (4,)],
     r"`Subtract` layer should be called on exactly 2 inputs"),
])
def test_incompatible_shapes_raise_keras_errors(make, shapes, match):
    with pytest.raises(ValueError, match=match):
        make()([keras.Input(s) for s in shapes])


def test_merge_on_a_single_tensor_is_refused():
    with pytest.raises(ValueError, match="should be called on a list"):
        layers.Add()(keras.Input((3,)))


def test_dot_axes_validation():
    with pytest.raises(TypeError, match="Invalid type for argument `axes`"):
        layers.Dot(axes="1")
    with pytest.raises(ValueError, match="should contain two elements"):
        layers.Dot(axes=(1, 2, 3))


def test_symbolic_arithmetic_and_slicing_train_with_exact_gradients():
    a, b = keras.Input((4,)), keras.Input((4,))
    h = (a + b * 2.0) / 3.0 - a ** 2
    dense = layers.Dense(2)
    out = dense(-h[:, 1:] + 1.0)
    model = keras.Model([a, b], out)
    names = [type(l).__name__ for l in model._operations]
    assert names[2:] == ["Multiply", "Add", "TrueDivide", "Power",
                         "Subtract", "GetItem", "Negative", "Add", "Dense"]
    # As Keras 3's Functional.layers: operation nodes are not layers.
    assert [type(l).__name__ for l in model.layers] == \
        ["InputLayer", "InputLayer", "Dense"]
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    w, bias = dense.get_weights()
    h_np = (xa + 2 * xb) / 3 - xa ** 2
    expected = (-h_np[:, 1:] + 1.0) @ w + bias
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), expected,
                               rtol=1e-5, atol=1e-5)
    # Input gradients through every op node, against finite differences.
    r = rng.normal(size=(5, 2))
    model([xa, xb], training=True)
    dxa, dxb = model.backward(r.astype(np.float32))

    def f(v):
        hh = (v[0] + 2 * v[1]) / 3 - v[0] ** 2
        return (-hh[:, 1:] + 1.0) @ w.astype(np.float64) + bias
    na, nb = _numeric(f, [xa, xb], r)
    np.testing.assert_allclose(dxa, na, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dxb, nb, rtol=1e-4, atol=1e-5)


def test_shared_layer_gradients_are_summed():
    a, b = keras.Input((3,)), keras.Input((3,))
    shared = layers.Dense(2, name="shared")
    out = layers.Add()([shared(a), shared(b)])
    model = keras.Model([a, b], out)
    assert len(model.trainable_weights) == 2
    rng = np.random.default_rng(1)
    xa, xb = (rng.normal(size=(4, 3)).astype(np.float32) for _ in range(2))
    y = rng.normal(size=(4, 2)).astype(np.float32)
    model.compile(keras.optimizers.SGD(1.0), "mse")
    w0, b0 = [v.copy() for v in shared.get_weights()]
    model.train_on_batch([xa, xb], y)
    w1, b1 = shared.get_weights()
    pred = (xa + xb) @ w0 + 2 * b0
    d = 2 * (pred - y) / y.size
    np.testing.assert_allclose(w0 - w1, (xa + xb).T @ d, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(b0 - b1, 2 * d.sum(0), rtol=1e-5, atol=1e-6)


def test_disconnected_graph_and_duplicate_names_raise_keras_errors():
    a, b = keras.Input((4,)), keras.Input((4,))
    with pytest.raises(ValueError, match="is not connected to `inputs`"):
        keras.Model(a, layers.Add()([a, b]))
    d1 = layers.Dense(2, name="same")
    d2 = layers.Dense(2, name="same")
    with pytest.raises(ValueError, match='The name "same" is used 2 times '
                       'in the model. All operation names should be unique'):
        keras.Model(a, d2(d1(a)))


@pytest.mark.parametrize("n", [1, 7, 33, 65536 + 17])
def test_add_kernel_matches_numpy_with_the_same_bits_at_any_thread_count(
        n, threads):
    from seqcore import _kernels
    from tests.conftest import same_bits_with_threads
    rng = np.random.default_rng(n)
    a = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    got = same_bits_with_threads(threads, lambda: _kernels.add(a, b))
    np.testing.assert_array_equal(got, a + b)
    c = a.copy()
    assert _kernels.add(c, b, out=c) is c
    np.testing.assert_array_equal(c, a + b)


def test_add_kernel_refuses_mismatched_arrays():
    from seqcore import _kernels
    a = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match=r"add: a and b must have one shape, "
                       r"received \(2, 3\) and \(3, 2\)"):
        _kernels.add(a, np.ones((3, 2), np.float32))
    with pytest.raises(ValueError, match="add: out must be a C-contiguous "
                       "float32 array"):
        _kernels.add(a, a, out=np.ones((2, 3), np.float64))


def test_add_layer_at_inference_and_in_training_agree_with_numpy():
    inputs = [keras.Input((4, 5)) for _ in range(3)]
    model = keras.Model(inputs, layers.Dense(2)(layers.Add()(inputs)))
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((6, 4, 5)).astype(np.float32) for _ in range(3)]
    add = model.layers[3]
    np.testing.assert_array_equal(add(xs), xs[0] + xs[1] + xs[2])
    # broadcasting and float64 inputs take the ops path
    np.testing.assert_allclose(add([xs[0], xs[1][:1], xs[2]]),
                               xs[0] + xs[1][:1] + xs[2])
    model.compile(optimizer="sgd", loss="mse")
    before = model.layers[-1].get_weights()[0].copy()
    model.fit(xs, rng.standard_normal((6, 4, 2)).astype(np.float32),
              epochs=1, verbose=0)
    assert not np.array_equal(before, model.layers[-1].get_weights()[0])
