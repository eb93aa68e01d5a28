"""The plan (engine/plan.py): one executor for Sequential and Functional
models, with its fusion decisions made once, and layers getting those
decisions as backward arguments (no flags set on them)."""
import pathlib
import threading

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from seqcore.engine import backprop, buffers
from seqcore.engine import plan as plan_module

RNG = np.random.default_rng(14)


def conv_pool_sequential():
    return keras.Sequential([keras.Input((10, 10, 2)),
                             layers.Conv2D(4, 3, activation="relu"),
                             layers.MaxPooling2D(2), layers.Flatten(),
                             layers.Dense(3, activation="softmax")])


# ---- decisions -------------------------------------------------------------

def test_sequential_plan_fuses_the_convolution_with_its_pooling():
    model = conv_pool_sequential()
    steps = model._get_plan().steps
    assert [type(s).__name__ for s in steps] == \
        ["ConvPoolStep", "LayerStep", "LayerStep"]
    assert steps[0].first.layer is model.layers[0]
    assert steps[0].second.layer is model.layers[1]
    assert model._get_plan().output_layers() == [model.layers[-1]]


def test_a_second_use_of_the_convolution_output_stops_fusion_and_routing():
    inputs = keras.Input((10, 10, 2))
    c = layers.Conv2D(4, 3, activation="relu")(inputs)
    pooled = layers.Flatten()(layers.MaxPooling2D(2)(c))
    side = layers.Flatten()(c)
    model = keras.Model(inputs, [layers.Dense(2)(pooled), side])
    steps = model._get_plan().steps
    assert all(type(s).__name__ == "LayerStep" for s in steps)
    pool_step = [s for s in steps
                 if isinstance(s.layer, layers.MaxPooling2D)][0]
    assert not pool_step.routes
    # the side output is consumed by nothing, the Flatten makes it
    assert model._get_plan().output_layers()[1].name.startswith("flatten")


def test_overlapping_pooling_routes_without_fusing():
    model = keras.Sequential([keras.Input((9, 9, 2)),
                              layers.Conv2D(4, 3, activation="relu"),
                              layers.MaxPooling2D(3, strides=2,
                                                  padding="same"),
                              layers.Flatten(), layers.Dense(2)])
    steps = model._get_plan().steps
    assert type(steps[0]).__name__ == "LayerStep"
    assert steps[1].routes and not steps[0].routes


def test_sole_consumers_excludes_model_outputs_and_multi_input_users():
    a = keras.Input((4,))
    b = keras.Input((4,))
    d1 = layers.Dense(4)
    h = d1(a)
    added = layers.Add()([h, b])
    out = layers.Dense(2)(added)
    model = keras.Model([a, b], [out, added])
    nodes = [n for n in model._nodes if n.layer in model._layers]
    sole = plan_module.sole_consumers(nodes, model.outputs)
    by_layer = {n.layer.name: n for n in nodes}
    assert id(by_layer[d1.name]) not in sole     # consumed by Add (2 inputs)
    assert id(by_layer[added._keras_history[0].name]) not in sole  # output


def test_a_consumed_output_gets_no_preactivation_gradient():
    inputs = keras.Input((3,))
    h = layers.Dense(4, activation="softmax")(inputs)
    model = keras.Model(inputs, [h, layers.Dense(2)(h)])
    assert model._get_plan().output_layers()[0] is None
    assert model._get_plan().output_layers()[1] is model.layers[-1]


def test_the_plan_is_dropped_when_the_stack_changes():
    model = conv_pool_sequential()
    model._get_plan()
    model.pop()
    assert model._plan is None
    model.add(layers.Dense(5))
    assert len(model._get_plan().steps) == 3
    assert model._get_plan().output_layers() == [model.layers[-1]]


# ---- backward options --------------------------------------------------------

class RecordingDense(layers.Dense):
    """A Dense that notes the options its backward receives."""
    seen = []

    def backward(self, dy, need_input_grad=True, dy_is_dz=False):
        RecordingDense.seen.append((self.name, need_input_grad, dy_is_dz))
        return super().backward(dy, need_input_grad, dy_is_dz)


def test_fit_passes_the_step_decisions_to_backward():
    RecordingDense.seen = []
    a, b = keras.Input((3,)), keras.Input((5,))
    first = RecordingDense(4, activation="relu", name="first")
    other = RecordingDense(4, name="other")
    top = RecordingDense(3, activation="softmax", name="top")
    merged = layers.Concatenate()([first(a), layers.ReLU()(other(b))])
    model = keras.Model([a, b], top(merged))
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.train_on_batch([RNG.standard_normal((6, 3)).astype(np.float32),
                          RNG.standard_normal((6, 5)).astype(np.float32)],
                         RNG.integers(0, 3, 6))
    seen = {name: (need, dz) for name, need, dz in RecordingDense.seen}
    assert seen == {"top": (True, True),      # softmax fused into the loss
                    "first": (False, False),  # fed by an input only
                    "other": (False, False)}


def test_dense_backward_options_give_the_same_weight_gradients():
    layer = layers.Dense(5, activation="sigmoid")
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    layer.build(x.shape)
    y = layer(x, training=True)
    dy = RNG.standard_normal(y.shape).astype(np.float32)
    results = []
    for need in (True, False):
        for v in layer.trainable_weights:
            v.grad = np.zeros(v.shape, np.float32)
            v._grad_fresh = True
        results.append((layer.backward(dy, need_input_grad=need),
                        [v.grad.copy() for v in layer.trainable_weights]))
    (dx, grads), (none, grads_again) = results
    assert none is None and dx.shape == x.shape
    z = x @ layer.kernel.value + layer.bias.value
    s = 1 / (1 + np.exp(-z.astype(np.float64)))
    dz = dy * s * (1 - s)
    np.testing.assert_allclose(dx, dz @ layer.kernel.value.T, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(grads[0], x.T @ dz, rtol=1e-5, atol=1e-6)
    for got, want in zip(grads_again, grads):
        np.testing.assert_array_equal(got, want)


def test_layer_backward_passes_only_the_options_a_backward_takes():
    class Plain(layers.Layer):
        def call(self, x):
            return x * 2

        def backward(self, dy):
            return dy * 2

        def compute_output_shape(self, s):
            return s

    layer = Plain()
    assert backprop.backward_options(layer) == ()
    assert backprop.backward_options(layers.Dense(2)) == \
        ("need_input_grad", "dy_is_dz")
    dy = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(
        backprop.layer_backward(layer, dy, need_input_grad=False), dy * 2)
    with pytest.raises(TypeError, match="does not take dy_is_dz"):
        backprop.layer_backward(layer, dy, dy_is_dz=True)


def test_the_engine_sets_no_flags_on_layers():
    model = conv_pool_sequential()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(RNG.standard_normal((8, 10, 10, 2)).astype(np.float32),
              RNG.integers(0, 3, 8), batch_size=4, epochs=1, verbose=0)
    for layer in model.layers:
        for flag in ("_dy_is_dz", "_skip_input_grad", "_reuse_buffers"):
            assert flag not in layer.__dict__
            assert not hasattr(type(layer), flag)
    root = pathlib.Path(keras.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        for flag in ("_dy_is_dz", "_skip_input_grad", "_reuse_buffers"):
            assert flag not in text, f"{path} still uses {flag}"


# ---- one executor --------------------------------------------------------------

def test_sequential_and_functional_train_identically():
    x = RNG.standard_normal((16, 10, 10, 2)).astype(np.float32)
    y = RNG.integers(0, 3, 16)

    def functional():
        inputs = keras.Input((10, 10, 2))
        h = layers.Conv2D(4, 3, activation="relu")(inputs)
        h = layers.Flatten()(layers.MaxPooling2D(2)(h))
        return keras.Model(inputs, layers.Dense(3, activation="softmax")(h))

    results = []
    for make in (conv_pool_sequential, functional):
        keras.utils.set_random_seed(3)
        model = make()
        model.compile("adam", "sparse_categorical_crossentropy")
        loss = model.fit(x, y, batch_size=8, epochs=2, verbose=0,
                         shuffle=False).history["loss"]
        results.append((loss, model.get_weights(), model.predict(x, verbose=0)))
    (loss_s, w_s, p_s), (loss_f, w_f, p_f) = results
    assert loss_s == loss_f
    for a, b in zip(w_s + [p_s], w_f + [p_f]):
        np.testing.assert_array_equal(a, b)


def test_shared_layer_and_nested_model_called_twice_backpropagate_each_call():
    """y = inner(W x1) + inner(W x2) with inner = Dense(V): linear, so the
    gradients have a closed form."""
    keras.utils.set_random_seed(0)
    shared = layers.Dense(3, use_bias=False)
    inner_in = keras.Input((3,))
    inner = keras.Model(inner_in, layers.Dense(2, use_bias=False)(inner_in))
    a, b = keras.Input((4,)), keras.Input((4,))
    out = layers.Add()([inner(shared(a)), inner(shared(b))])
    model = keras.Model([a, b], out)
    x1 = RNG.standard_normal((5, 4)).astype(np.float32)
    x2 = RNG.standard_normal((5, 4)).astype(np.float32)
    for v in model.trainable_weights:
        v.grad = np.zeros(v.shape, np.float32)
        v._grad_fresh = True
    y = model([x1, x2], training=True)
    dy = RNG.standard_normal(y.shape).astype(np.float32)
    dx1, dx2 = model.backward(dy)
    w = shared.kernel.value.astype(np.float64)
    v = inner.layers[1].kernel.value.astype(np.float64)
    np.testing.assert_allclose(y, (x1 + x2) @ w @ v, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx1, dy @ v.T @ w.T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx2, dx1, rtol=1e-6)
    np.testing.assert_allclose(shared.kernel.grad,
                               (x1 + x2).T @ (dy @ v.T), rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(inner.layers[1].kernel.grad,
                               ((x1 + x2) @ w).T @ dy, rtol=1e-4, atol=1e-4)


def test_backward_before_a_training_call_is_a_clear_error():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    with pytest.raises(RuntimeError, match="needs a training call"):
        model.backward(np.ones((1, 2), np.float32))


# ---- buffer reuse ------------------------------------------------------------------

def test_buffer_reuse_is_scoped_and_per_thread():
    layer = layers.Dense(2)
    assert not buffers.reusing()
    first = layer._buffer("k", (3,))
    assert layer._buffer("k", (3,)) is not first
    seen = []
    with buffers.reused():
        a = layer._buffer("k", (3,))
        assert layer._buffer("k", (3,)) is a
        thread = threading.Thread(target=lambda: seen.append(
            buffers.reusing()))
        thread.start()
        thread.join()
        with buffers.reused(False):
            assert layer._buffer("k", (3,)) is not a
        assert buffers.reusing()
    assert not buffers.reusing() and seen == [False]


# ---- memory: values released, frozen prefixes unrecorded ---------------------

def test_forward_drops_each_value_after_its_last_reader():
    inputs = keras.Input((4,))
    a = layers.Dense(3)(inputs)
    b = layers.Dense(3)(a)
    c = layers.Dense(3)(b)
    out = layers.Add()([a, c])
    model = keras.Model(inputs, out)
    plan = model._get_plan()
    released = {step.layer.name: set(ids)
                for step, ids in zip(plan.steps, plan._released)}
    by_layer = {t._keras_history[0].name: id(t) for t in (a, b, c)}
    names = [step.layer.name for step in plan.steps]
    # the input goes after the first Dense, `a` after the Add (its last
    # reader), not after the second Dense; `b` after the third Dense
    assert released[names[0]] == {id(inputs)}
    assert released[names[1]] == set()
    assert released[names[2]] == {by_layer[names[1]]}
    assert released[names[3]] == {by_layer[names[0]], by_layer[names[2]]}
    assert all(id(out) not in ids for ids in released.values())


def _frozen_base_model():
    base_in = keras.Input((6,))
    h = layers.Dense(8, activation="relu")(base_in)
    h = layers.BatchNormalization()(h)
    h = layers.Dropout(0.5, seed=3)(h)
    base = keras.Model(base_in, layers.Dense(5)(h))
    base.trainable = False
    model = keras.Sequential([keras.Input((6,)), base, layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model, base


def test_a_frozen_base_trains_the_head_without_keeping_records(monkeypatch):
    x = RNG.standard_normal((16, 6)).astype(np.float32)
    y = RNG.standard_normal((16, 2)).astype(np.float32)
    model, base = _frozen_base_model()
    twin, _ = _frozen_base_model()
    twin.set_weights(model.get_weights())
    loss = model.train_on_batch(x, y)
    # nothing in the frozen base keeps a record for backward
    assert base.__dict__.get("_saved") is None
    assert all(l.__dict__.get("_saved") is None for l in base.layers)
    assert model.layers[-1].__dict__.get("_saved") is not None
    # the same step with every record kept gives the same numbers
    monkeypatch.setattr(backprop, "claim_no_input_grad", lambda: False)
    twin_loss = twin.train_on_batch(x, y)
    assert twin.layers[0].__dict__.get("_saved") is not None
    assert loss == twin_loss
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_an_unrecorded_frozen_base_keeps_training_semantics():
    # its Dropout still drops in a training step (as in Keras)
    model, base = _frozen_base_model()
    x = np.ones((64, 6), np.float32)
    with backprop.without_input_grad():
        trained = model(x, training=True)
    np.testing.assert_raises(AssertionError, np.testing.assert_allclose,
                             trained, model(x, training=False))
