"""Custom layers, Lambda, add_loss and custom losses train with fit: their
gradients come from the tape, checked against built-in layers computing the
same function and against finite differences of the loss."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers, ops
from seqcore.engine.tape import TracedNumpyError


class OpsDense(layers.Layer):
    """A Dense written with ops (relu(x @ w + b))."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="glorot_uniform", name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros",
                                 name="bias")

    def call(self, x):
        y = ops.matmul(x, self.w) + self.b
        return ops.relu(y) if self.activation == "relu" else y


def _data(n=24, d=5, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, d)).astype(np.float32),
            rng.normal(size=(n, 1)).astype(np.float32))


def _sgd_gradient(model, x, y):
    """The gradient fit uses for each weight: one SGD step of rate 1."""
    before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(x, y)
    after = model.get_weights()
    model.set_weights(before)
    return [b - a for b, a in zip(before, after)]


def _numeric_gradient(model, x, y, eps=1e-2):
    """Central differences of test_on_batch's loss (float32 model)."""
    weights = [w.astype(np.float64) for w in model.get_weights()]
    grads = []
    for i, w in enumerate(weights):
        g = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            values = []
            for step in (eps, -eps):
                trial = [v.copy() for v in weights]
                trial[i][idx] += step
                model.set_weights([t.astype(np.float32) for t in trial])
                values.append(model.test_on_batch(x, y))
            g[idx] = (values[0] - values[1]) / (2 * eps)
        grads.append(g)
    model.set_weights([w.astype(np.float32) for w in weights])
    return grads


def test_ops_dense_trains_exactly_like_dense():
    x, y = _data()
    custom = keras.Sequential([keras.Input((5,)), OpsDense(4, "relu"),
                               OpsDense(1)])
    builtin = keras.Sequential([keras.Input((5,)),
                                layers.Dense(4, activation="relu"),
                                layers.Dense(1)])
    builtin.set_weights(custom.get_weights())
    for model in (custom, builtin):
        model.compile(keras.optimizers.SGD(0.05), "mse")
    h1 = custom.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    h2 = builtin.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"],
                               rtol=1e-5)
    for a, b in zip(custom.get_weights(), builtin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


class Block(layers.Layer):
    """Built-in layers as attributes, one Dense used twice, a nested
    custom layer, and the input used by two branches."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = layers.Dense(5, activation="tanh")
        self.head = OpsDense(3)

    def call(self, x, training=None):
        h = self.inner(x)
        h = self.inner(h) + x          # shared Dense, residual
        return self.head(ops.sigmoid(h) * x)


def test_block_with_builtin_and_shared_layers_matches_finite_differences():
    x, y = _data(n=6)
    model = keras.Sequential([keras.Input((5,)), Block(), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    assert len(model.trainable_weights) == 6
    found = _sgd_gradient(model, x, y)
    expected = _numeric_gradient(model, x, y)
    for f, e in zip(found, expected):
        np.testing.assert_allclose(f, e, rtol=2e-2, atol=2e-4)


class ActivityPenalty(layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, x):
        self.add_loss(self.rate * ops.sum(ops.square(x)))
        return x


def test_add_loss_is_in_the_reported_loss_and_its_gradient():
    x, y = _data(n=6)
    model = keras.Sequential([keras.Input((5,)), layers.Dense(3),
                              ActivityPenalty(0.05), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    out = model.predict(x, verbose=0)
    hidden = x @ model.layers[0].get_weights()[0] + \
        model.layers[0].get_weights()[1]
    expected = np.mean((out - y) ** 2) + 0.05 * np.sum(hidden ** 2)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected,
                               rtol=1e-5)
    assert len(model.layers[1].losses) == 1
    np.testing.assert_allclose(float(model.layers[1].losses[0]),
                               0.05 * np.sum(hidden ** 2), rtol=1e-5)
    found = _sgd_gradient(model, x, y)
    numeric = _numeric_gradient(model, x, y)
    for f, e in zip(found, numeric):
        np.testing.assert_allclose(f, e, rtol=2e-2, atol=2e-4)


class SeesFlags(layers.Layer):
    seen = []

    def call(self, x, training=None, mask=None):
        SeesFlags.seen.append(training)
        return x * 1.0


def test_training_reaches_call():
    x, y = _data(n=4)
    model = keras.Sequential([keras.Input((5,)), SeesFlags(),
                              layers.Dense(1)])
    model.compile("sgd", "mse")
    SeesFlags.seen.clear()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert SeesFlags.seen == [True]
    model.predict(x, verbose=0)
    assert SeesFlags.seen[-1] in (None, False)


class NumpyInside(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 2), name="w")

    def call(self, x):
        return np.tanh(x) @ self.w


class NumpyOnWeight(NumpyInside):
    def call(self, x):
        return ops.matmul(x, np.tanh(self.w))


@pytest.mark.parametrize("cls,name", [(NumpyInside, "numpy_inside"),
                                      (NumpyOnWeight, "numpy_on_weight")])
def test_numpy_in_a_custom_layer_fails_clearly_in_training(cls, name):
    x, y = _data(n=4)
    model = keras.Sequential([keras.Input((5,)), cls(), layers.Dense(1)])
    model.predict(x, verbose=0)        # inference on numpy is allowed
    model.compile("sgd", "mse")
    with pytest.raises(TracedNumpyError,
                       match=rf"Layer '{name}'.*seqcore\.ops"):
        model.fit(x, y, verbose=0)


def test_custom_loss_function_gets_exact_gradient_with_other_y_shape():
    x, y = _data(n=6)
    labels = y[:, 0]                    # (n,) targets for (n, 1) outputs

    def loss(y_true, y_pred):
        assert y_true.shape == y_pred.shape
        return ops.mean(ops.log1p(ops.square(y_true - y_pred)), axis=-1)

    model = keras.Sequential([keras.Input((5,)), layers.Dense(3,
                              activation="tanh"), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1.0), loss=loss)
    found = _sgd_gradient(model, x, labels)
    expected = _numeric_gradient(model, x, labels)
    for f, e in zip(found, expected):
        np.testing.assert_allclose(f, e, rtol=2e-2, atol=2e-4)


class ScaledMSE(keras.losses.Loss):
    def call(self, y_true, y_pred):
        return 3.0 * ops.mean(ops.square(y_true - y_pred), axis=-1)


def test_custom_loss_class_trains_like_the_scaled_builtin():
    x, y = _data()
    a = keras.Sequential([keras.Input((5,)), layers.Dense(1)])
    b = keras.Sequential([keras.Input((5,)), layers.Dense(1)])
    b.set_weights(a.get_weights())
    a.compile(keras.optimizers.SGD(0.01), loss=ScaledMSE())
    b.compile(keras.optimizers.SGD(0.03), loss="mse")
    ha = a.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    hb = b.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(ha.history["loss"],
                               3 * np.array(hb.history["loss"]), rtol=1e-5)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)


def test_lambda_trains_and_infers_its_shape():
    x, y = _data(n=6)
    inp = keras.Input((5,))
    h = layers.Lambda(lambda t: ops.tanh(t[:, :3]) * 2.0)(inp)
    assert h.shape == (None, 3)
    model = keras.Model(inp, layers.Dense(1)(h))
    model.compile(keras.optimizers.SGD(1.0), "mse")
    found = _sgd_gradient(model, x, y)
    expected = _numeric_gradient(model, x, y)
    for f, e in zip(found, expected):
        np.testing.assert_allclose(f, e, rtol=2e-2, atol=2e-4)


def double(t):
    return t * 2.0


def test_lambda_round_trips_by_function_name(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Lambda(double)(inp))
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(ValueError, match="custom_objects"):
        keras.models.load_model(path)
    again = keras.models.load_model(path, custom_objects={"double": double})
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(again.predict(x, verbose=0), 2 * x)


def test_python_lambda_cannot_be_loaded(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Lambda(lambda t: t + 1.0)(inp))
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)


class MaskedMean(layers.Layer):
    """Mean over time of the unmasked steps: uses the mask it receives."""

    def call(self, x, mask=None):
        if mask is None:
            return ops.mean(x, axis=1)
        m = ops.expand_dims(ops.cast(mask, "float32"), -1)
        return ops.sum(x * m, axis=1) / ops.maximum(ops.sum(m, axis=1), 1.0)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


def test_mask_reaches_a_custom_layers_call():
    tokens = np.array([[3, 4, 0, 0], [5, 0, 0, 0]], np.int32)
    inp = keras.Input((4,), dtype="int32")
    emb = layers.Embedding(8, 2, mask_zero=True)
    model = keras.Model(inp, MaskedMean()(emb(inp)))
    table = emb.get_weights()[0]
    expected = np.stack([table[[3, 4]].mean(0), table[[5]].mean(0)])
    np.testing.assert_allclose(model.predict(tokens, verbose=0), expected,
                               rtol=1e-6)


def test_fit_with_only_add_loss_trains_on_it():
    x, y = _data(n=8)
    model = keras.Sequential([keras.Input((5,)), layers.Dense(3),
                              ActivityPenalty(1.0)])
    model.compile(keras.optimizers.SGD(0.01))
    w0 = model.layers[0].get_weights()[0].copy()
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert losses[2] < losses[1] < losses[0]
    assert not np.allclose(model.layers[0].get_weights()[0], w0)


class Counter(layers.Layer):
    def build(self, input_shape):
        self.total = self.add_weight(shape=(input_shape[-1],),
                                     initializer="zeros", trainable=False)

    def call(self, x):
        self.total.assign_add(ops.sum(x, axis=0))
        return x * 1.0


def test_non_trainable_state_updates_in_training_calls():
    x, y = _data(n=8)
    model = keras.Sequential([keras.Input((5,)), Counter(), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(model.layers[0].total.numpy(),
                               2 * x.sum(0), rtol=1e-5)


class Mixer(layers.Layer):
    """Two inputs, two outputs, a weight shared by both paths."""

    def build(self, input_shape):
        (_, da), (_, db) = input_shape
        self.w = self.add_weight(shape=(da, db), name="w")

    def call(self, inputs):
        a, b = inputs
        mixed = ops.matmul(a, self.w)
        return [ops.tanh(mixed + b), mixed * b]


def test_custom_layer_with_two_inputs_and_two_outputs():
    rng = np.random.default_rng(2)
    xa = rng.normal(size=(5, 3)).astype(np.float32)
    xb = rng.normal(size=(5, 2)).astype(np.float32)
    y = rng.normal(size=(5, 1)).astype(np.float32)
    a, b = keras.Input((3,)), keras.Input((2,))
    first, second = Mixer()([layers.Dense(3)(a), b])
    assert first.shape == (None, 2) and second.shape == (None, 2)
    out = layers.Dense(1)(layers.concatenate([first, second]))
    model = keras.Model([a, b], out)
    model.compile(keras.optimizers.SGD(1.0), "mse")
    found = _sgd_gradient(model, [xa, xb], y)
    expected = _numeric_gradient(model, [xa, xb], y)
    for f, e in zip(found, expected):
        np.testing.assert_allclose(f, e, rtol=2e-2, atol=3e-4)


class NoConfig(layers.Layer):
    """Saves without get_config: Keras 3's automatic config."""

    def __init__(self, units, scale=2.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale = units, scale

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, x):
        return ops.matmul(x, self.w) * self.scale


def test_custom_layer_without_get_config_saves_its_arguments(tmp_path):
    layer = NoConfig(3, scale=0.5, name="nc")
    config = layer.get_config()
    assert config["units"] == 3 and config["scale"] == 0.5
    assert config["name"] == "nc"
    model = keras.Sequential([keras.Input((4,)), layer])
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path, custom_objects={
        "NoConfig": NoConfig})
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(again.predict(x, verbose=0),
                               model.predict(x, verbose=0))
    assert again.layers[0].scale == 0.5


def test_custom_layer_with_object_arguments_needs_get_config():
    layer = NoConfig(np.array([3]))
    with pytest.raises(NotImplementedError, match="Implement `get_config"):
        layer.get_config()
