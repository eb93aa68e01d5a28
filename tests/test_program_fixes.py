"""One focused test per gap the program corpus (tests/programs/) found:
each checks numbers (numpy references, Keras 3 fixtures from
tests/fixtures/make_program_fix_fixtures.py) or Keras's errors."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers, ops
from tests.fixtures import program_fix_cases

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
ARRAYS = np.load(FIXTURES / "keras_program_fixes.npz")
RECORD = json.loads((FIXTURES / "keras_program_fixes.json").read_text())


def _square(x):
    return x ** 2


def test_dense_with_a_user_activation_trains_with_its_exact_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3)).astype("float32")
    t = rng.normal(size=(6, 2)).astype("float32")
    model = keras.Sequential([keras.Input((3,)),
                              layers.Dense(2, activation=_square)])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    w, b = [v.astype("float64") for v in model.get_weights()]
    model.train_on_batch(x, t)
    z = x.astype("float64") @ w + b
    dy = 2.0 * (z ** 2 - t) / t.size
    dz = dy * 2.0 * z
    np.testing.assert_allclose(model.get_weights()[0], w - x.T @ dz,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b - dz.sum(0),
                               rtol=1e-5, atol=1e-6)


def test_a_numpy_activation_in_training_is_a_clear_error():
    model = keras.Sequential([keras.Input((3,)),
                              layers.Dense(2, activation=np.tanh)])
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="seqcore.ops"):
        model.train_on_batch(np.ones((2, 3), "float32"),
                             np.ones((2, 2), "float32"))


def test_functional_inputs_gain_or_lose_a_trailing_axis_of_one():
    inputs = keras.Input(shape=(4, 1))
    model = keras.Model(inputs, layers.Flatten()(inputs))
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, layers.Dense(1, use_bias=False,
                                             kernel_initializer="ones")(
        inputs))
    np.testing.assert_allclose(model.predict(x[..., None], verbose=0),
                               x.sum(1, keepdims=True))


def test_a_functional_input_of_another_rank_gets_keras_error():
    kind, message = RECORD["rank_error"]
    inputs = keras.Input(shape=(4, 3), name="features")
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    with pytest.raises(ValueError) as error:
        model.predict(np.zeros((2, 4), "float32"), verbose=0)
    assert kind == "ValueError"
    tail = message.split(" with name ")[1]     # Keras names its tracer
    assert str(error.value).endswith(" with name " + tail)


class _Twice(layers.Layer):
    def call(self, x):
        return ops.concatenate([x, x], axis=-1)


def test_sequential_output_shape_runs_custom_layers():
    block = keras.Sequential([_Twice(), layers.Dense(3), _Twice()])
    assert block.compute_output_shape((None, 5, 2)) == (None, 5, 6)
    inputs = keras.Input((5, 2))
    assert tuple(block(inputs).shape) == (None, 5, 6)


class _MaskedSum(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.masks_seen = []

    def call(self, inputs, mask=None):
        self.masks_seen.append(None if mask is None else mask.shape)
        m = ops.expand_dims(ops.cast(mask, "float32"), -1)
        return ops.sum(inputs * m, axis=1)


def test_custom_layer_gets_the_symbolic_mask_when_its_shape_is_inferred():
    inputs = keras.Input((None,), dtype="int32")
    x = layers.Embedding(10, 2, mask_zero=True,
                         embeddings_initializer="ones")(inputs)
    x = layers.Dense(2, kernel_initializer="identity")(x)
    summed = _MaskedSum()
    model = keras.Model(inputs, summed(x))
    assert summed.masks_seen and summed.masks_seen[0] is not None
    tokens = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    np.testing.assert_allclose(model.predict(tokens, verbose=0),
                               [[2.0, 2.0], [1.0, 1.0]])


def test_unmasked_inputs_give_custom_layers_no_mask():
    seen = []

    class Probe(layers.Layer):
        def call(self, x, mask=None):
            seen.append(mask)
            return x
    inputs = keras.Input((3,))
    keras.Model(inputs, Probe()(layers.Dense(2)(inputs)))
    assert seen and all(m is None for m in seen)


@pytest.mark.parametrize("mode", ["tf", "caffe", "torch"])
def test_preprocess_input_on_a_symbolic_input_matches_keras(mode):
    inputs = keras.Input(shape=(5, 5, 3))
    outputs = keras.applications.imagenet_utils.preprocess_input(
        inputs, mode=mode)
    model = keras.Model(inputs, outputs)
    np.testing.assert_allclose(model.predict(ARRAYS["images"], verbose=0),
                               ARRAYS[f"preprocess_{mode}"], rtol=1e-5,
                               atol=1e-4)


def _gan():
    keras.utils.set_random_seed(0)
    disc = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    disc.compile(keras.optimizers.Adam(0.01), "mse")
    gen = keras.Sequential([keras.Input((2,)), layers.Dense(3)])
    disc.trainable = False
    z = keras.Input((2,))
    gan = keras.Model(z, disc(gen(z)))
    gan.compile(keras.optimizers.SGD(0.1), "mse")
    return disc, gen, gan


def test_shared_weights_train_under_two_compiled_models():
    disc, gen, gan = _gan()
    rng = np.random.default_rng(0)
    x, z = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    ones = np.ones((4, 1))
    for step in range(2):
        disc.trainable = True
        before = [w.copy() for w in disc.get_weights()]
        disc.train_on_batch(x, ones)
        assert not np.allclose(before[0], disc.get_weights()[0])
        disc.trainable = False
        frozen = [w.copy() for w in disc.get_weights()]
        g_before = gen.get_weights()[0].copy()
        gan.train_on_batch(z, ones)
        np.testing.assert_array_equal(frozen[0], disc.get_weights()[0])
        assert not np.allclose(g_before, gen.get_weights()[0])
    # The discriminator's Adam kept its state across the rebuilds.
    assert int(disc.optimizer.iterations) == 2


def test_discriminator_step_matches_one_adam_step_by_hand():
    disc, gen, gan = _gan()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 3))
    gan.train_on_batch(rng.normal(size=(4, 2)), np.ones((4, 1)))
    disc.trainable = True
    w, b = [v.astype("float64") for v in disc.get_weights()]
    disc.train_on_batch(x, np.ones((4, 1)))
    g = 2.0 * (x @ w + b - 1.0) / 4.0
    gw = x.T @ g
    # Adam's first step moves each weight by lr * g / (|g| + eps').
    expected = w - 0.01 * gw / (np.abs(gw) + 1e-7)
    np.testing.assert_allclose(disc.get_weights()[0], expected, rtol=1e-4,
                               atol=1e-6)


def test_keras_saved_initial_state_model_loads_connected():
    model = keras.models.load_model(FIXTURES / "saved" /
                                    "seq2seq_state.keras")
    got = model.predict([ARRAYS["seq2seq_xe"], ARRAYS["seq2seq_xd"]],
                        verbose=0)
    np.testing.assert_allclose(got, ARRAYS["seq2seq_y"], rtol=1e-5,
                               atol=1e-6)


def test_initial_state_survives_a_seqcore_round_trip(tmp_path):
    model = keras.models.load_model(FIXTURES / "saved" /
                                    "seq2seq_state.keras")
    model.save(tmp_path / "again.keras")
    again = keras.models.load_model(tmp_path / "again.keras")
    x = [ARRAYS["seq2seq_xe"], ARRAYS["seq2seq_xd"]]
    np.testing.assert_allclose(again.predict(x, verbose=0),
                               ARRAYS["seq2seq_y"], rtol=1e-5, atol=1e-6)
    decoder_node = json.loads(again.to_json())["config"]["layers"][3][
        "inbound_nodes"][0]
    assert [s["config"]["keras_history"] for s in
            decoder_node["kwargs"]["initial_state"]] == [["lstm", 0, 1],
                                                          ["lstm", 0, 2]]


class _Smooth(keras.Model):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        loss = super().compute_loss(x=x, y=y, y_pred=y_pred,
                                    sample_weight=sample_weight,
                                    training=training)
        return loss + ops.mean(ops.square(y_pred))


def test_model_subclass_built_from_inputs_and_outputs_is_functional():
    from seqcore.engine.functional import Functional
    inputs = keras.Input((3,))
    model = _Smooth(inputs, layers.Dense(2, name="head")(inputs))
    assert isinstance(model, Functional)
    assert [l.name for l in model.layers][-1] == "head"
    model.compile("sgd", "mse")
    x = np.ones((4, 3), "float32")
    y = np.zeros((4, 2), "float32")
    p = model.predict(x, verbose=0).astype("float64")
    loss = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(loss, 2 * np.mean(p ** 2), rtol=1e-5)


class _TwoHeads(keras.Model):
    def __init__(self):
        super().__init__()
        inputs = keras.Input((3,))
        self.inner = keras.Model(inputs, [
            layers.Dense(2, use_bias=False, name="a")(inputs),
            layers.Dense(3, use_bias=False, name="b")(inputs)])

    def call(self, x):
        return self.inner(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        a, b = y_pred
        return ops.mean(a) + ops.mean(ops.square(b))


def test_fit_without_targets_through_a_nested_two_output_model():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3)).astype("float32")
    model = _TwoHeads()
    model.compile(keras.optimizers.SGD(0.1))
    model(x)
    wa, wb = [w.astype("float64") for w in model.inner.get_weights()]
    model.fit(x, epochs=1, batch_size=5, verbose=0)
    xd = x.astype("float64")
    ga = xd.T @ np.full((5, 2), 1.0 / 10)
    gb = xd.T @ (2.0 * (xd @ wb) / 15)
    got_a, got_b = model.inner.get_weights()
    np.testing.assert_allclose(got_a, wa - 0.1 * ga, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_b, wb - 0.1 * gb, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,target", [
    ("binary_crossentropy", "binary"),
    ("mean_squared_error", "real"),
    ("sparse_categorical_crossentropy", "labels"),
    ("categorical_crossentropy", "onehot")])
def test_loss_functions_in_compute_loss_train_as_the_compiled_loss(name,
                                                                   target):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = {"binary": (rng.random((8, 3)) > 0.5).astype("float32"),
         "real": rng.normal(size=(8, 3)).astype("float32"),
         "labels": rng.integers(0, 3, size=(8,)),
         "onehot": np.eye(3, dtype="float32")[rng.integers(0, 3, size=8)]
         }[target]
    activation = "sigmoid" if target == "binary" else (
        None if target == "real" else "softmax")
    fn = getattr(keras.losses, name)

    class Own(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None,
                         sample_weight=None, training=True):
            return ops.mean(fn(y, y_pred))

    def build(cls):
        keras.utils.set_random_seed(1)
        inputs = keras.Input((4,))
        outputs = layers.Dense(3, activation=activation)(inputs)
        return cls(inputs, outputs)

    reference = build(keras.Model)
    reference.compile(keras.optimizers.SGD(0.5), name)
    own = build(Own)
    own.compile(keras.optimizers.SGD(0.5))
    own.set_weights(reference.get_weights())
    reference.train_on_batch(x, y)
    own.train_on_batch(x, y)
    for a, b in zip(own.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_compile_still_resolves_loss_functions_to_their_classes():
    from seqcore.losses import as_loss
    loss = as_loss(keras.losses.binary_crossentropy)
    assert type(loss).__name__ == "BinaryCrossentropy"
    assert keras.losses.get("mse") is keras.losses.mean_squared_error


def test_a_train_step_override_is_refused_not_ignored():
    class Custom(keras.Model):
        def train_step(self, data):
            raise AssertionError("not reached")

        def test_step(self, data):
            raise AssertionError("not reached")

    inputs = keras.Input((2,))
    model = Custom(inputs, layers.Dense(1)(inputs))
    model.compile("sgd", "mse")
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    with pytest.raises(NotImplementedError, match="compute_loss"):
        model.fit(x, y, verbose=0)
    with pytest.raises(NotImplementedError, match="test_step"):
        model.evaluate(x, y, verbose=0)
    plain = keras.Model(inputs, layers.Dense(1)(inputs))
    plain.compile("sgd", "mse")
    plain.fit(x, y, verbose=0)


def test_fit_keeps_the_order_of_a_utils_dataset_as_keras_does_for_datasets():
    data = np.arange(60, dtype="float32").reshape(30, 2) / 30.0
    targets = data[:, :1] * 2.0
    ds = keras.utils.timeseries_dataset_from_array(
        data, targets, sequence_length=3, batch_size=4)
    xs = np.concatenate([np.asarray(x) for x, _ in ds])
    ys = np.concatenate([np.asarray(y) for _, y in ds])

    def train(*args, **kwargs):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3, 2)), layers.Flatten(),
                                  layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.1), "mse")
        model.fit(*args, epochs=2, verbose=0, **kwargs)
        return model.get_weights()[0]

    in_order = train(xs, ys, batch_size=4, shuffle=False)
    np.testing.assert_array_equal(train(ds), in_order)     # shuffle=True
    assert not np.array_equal(train(xs, ys, batch_size=4), in_order)


def test_model_layers_leave_out_operation_nodes_as_keras(tmp_path):
    inputs = keras.Input((3,))
    h = layers.Dense(3, name="proj")(inputs)
    out = layers.Dense(1, name="head")(h + inputs)
    model = keras.Model(inputs, out)
    # Keras 3: Functional.layers keeps Layer instances only.
    assert [l.name for l in model.layers][1:] == ["proj", "head"]
    assert type(model.layers[0]).__name__ == "InputLayer"
    assert [type(l).__name__ for l in model._operations] == [
        "InputLayer", "Dense", "Add", "Dense"]
    config_names = [e["class_name"] for e in
                    json.loads(model.to_json())["config"]["layers"]]
    assert config_names == ["InputLayer", "Dense", "Add", "Dense"]
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(again.predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)


class _StateEncoder(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lstm = layers.LSTM(4, return_state=True)
        self.head = layers.Dense(1)

    def call(self, x):
        _, h, c = self.lstm(x)
        return self.head(ops.concatenate([h, c], axis=-1))


def test_lstm_states_inside_a_custom_layer_train_as_in_a_graph():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5, 3)).astype("float32")
    y = rng.normal(size=(6, 1)).astype("float32")
    inputs = keras.Input((5, 3))
    _, h, c = layers.LSTM(4, return_state=True)(inputs)
    graph = keras.Model(inputs, layers.Dense(1)(
        layers.concatenate([h, c])))
    custom = keras.Sequential([keras.Input((5, 3)), _StateEncoder()])
    custom.set_weights(graph.get_weights())
    for model in (graph, custom):
        model.compile(keras.optimizers.SGD(0.5), "mse")
        model.train_on_batch(x, y)
    for a, b in zip(custom.get_weights(), graph.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ---- compute_loss overrides calling loss objects (keras.io's Distiller) ---

def _regression_data():
    rng = np.random.default_rng(4)
    return (rng.normal(size=(16, 3)).astype("float32"),
            rng.normal(size=(16, 2)).astype("float32"))


def _dense_model(cls=keras.Model):
    inputs = keras.Input((3,))
    outputs = layers.Dense(2, activation="tanh")(layers.Dense(4)(inputs))
    return cls(inputs, outputs)


class _LossObjectModel(keras.Model):
    """A Keras 2-era override: no `training` parameter, positional call."""

    def __init__(self, inputs, outputs, loss):
        super().__init__(inputs, outputs)
        self.loss_object = loss

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        return self.loss_object(y, y_pred, sample_weight)


class _SquaredError(keras.losses.Loss):
    def call(self, y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)


@pytest.mark.parametrize("loss", [
    keras.losses.MeanSquaredError(),
    keras.losses.Huber(delta=0.5, reduction="sum"),
    keras.losses.CosineSimilarity(),
    _SquaredError()])
def test_loss_object_in_compute_loss_trains_as_the_compiled_loss(loss):
    x, y = _regression_data()
    w = np.linspace(0.5, 2.0, 16).astype("float32")
    compiled = _dense_model()
    inputs = keras.Input((3,))
    override = _LossObjectModel(inputs, layers.Dense(2, activation="tanh")(
        layers.Dense(4)(inputs)), loss)
    override.set_weights(compiled.get_weights())
    compiled.compile(keras.optimizers.SGD(0.1), loss=loss)
    override.compile(keras.optimizers.SGD(0.1))
    a = compiled.fit(x, y, sample_weight=w, batch_size=8, epochs=2,
                     shuffle=False, verbose=0).history["loss"]
    b = override.fit(x, y, sample_weight=w, batch_size=8, epochs=2,
                     shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(b, a, rtol=1e-5)
    for p, q in zip(override.get_weights(), compiled.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(override.evaluate(x, y, verbose=0),
                               compiled.evaluate(x, y, verbose=0), rtol=1e-5)


def test_unreduced_loss_on_traced_values_matches_finite_differences():
    from seqcore.engine.tape import Tape, recording
    rng = np.random.default_rng(5)
    t = rng.normal(size=(4, 3))
    p = rng.normal(size=(4, 3))
    w = np.array([1.0, 0.5, 2.0, 0.0])
    loss = keras.losses.LogCosh(reduction="none")
    tape = Tape("test", kind="Loss")
    with recording(tape):
        traced = tape.watch(p)
        values = loss(t, traced, w)
    np.testing.assert_allclose(values.value, loss(t, p, w), rtol=1e-12)
    upstream = np.array([0.3, -1.0, 2.0, 0.7])
    grad = tape.backward([(values.node, upstream)])[traced.node]
    numeric = np.zeros_like(p)
    for index in np.ndindex(*p.shape):
        step = np.zeros_like(p)
        step[index] = 1e-6
        numeric[index] = upstream @ (loss(t, p + step, w) -
                                     loss(t, p - step, w)) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


class _ReadsThroughConvert(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 2),
                                 initializer="glorot_uniform")

    def call(self, x):
        return ops.matmul(x, ops.convert_to_tensor(self.w))


class _ReadsDirectly(_ReadsThroughConvert):
    def call(self, x):
        return ops.matmul(x, self.w)


def test_convert_to_tensor_of_a_weight_keeps_its_gradient():
    # keras.io's PositionEmbedding reads its weight this way.
    x, y = _regression_data()
    models = [keras.Sequential([keras.Input((3,)), cls()])
              for cls in (_ReadsThroughConvert, _ReadsDirectly)]
    models[0].set_weights(models[1].get_weights())
    start = models[0].get_weights()[0]
    for model in models:
        model.compile(keras.optimizers.SGD(0.1), "mse")
        model.fit(x, y, epochs=2, verbose=0, shuffle=False)
    np.testing.assert_array_equal(models[0].get_weights()[0],
                                  models[1].get_weights()[0])
    assert np.abs(models[0].get_weights()[0] - start).max() > 1e-3


def test_targets_go_to_the_outputs_that_have_a_loss():
    # keras.io's miniature GPT: outputs [logits, features], loss [fn, None],
    # one target.
    rng = np.random.default_rng(6)
    tokens = rng.integers(0, 12, (16, 5))
    inputs = keras.Input((5,), dtype="int32")
    features = layers.Embedding(12, 4)(inputs)
    logits = layers.Dense(12)(features)
    both = keras.Model(inputs, [logits, features])
    single = keras.Model(inputs, logits)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    both.compile(keras.optimizers.SGD(0.5), loss=[loss, None])
    single.compile(keras.optimizers.SGD(0.5), loss=loss)
    start = single.get_weights()
    a = both.fit(tokens, tokens, epochs=2, shuffle=False, verbose=0)
    trained = single.get_weights()
    single.set_weights(start)
    b = single.fit(tokens, tokens, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(a.history["loss"], b.history["loss"],
                               rtol=1e-6)
    assert sorted(a.history) == ["loss"]
    for p, q in zip(trained, single.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="expected 2 or 1 target"):
        both.fit(tokens, [tokens, tokens, tokens], verbose=0)


# ---- user losses and metrics by name, in compile and in saved files ------

def _user_focal(y_true, y_pred):
    bce = keras.losses.binary_crossentropy(y_true, y_pred)
    return ops.mean(ops.square(1.0 - ops.exp(-bce)) * bce)


class _UserPositives(keras.metrics.Metric):
    def __init__(self, name="user_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.count = self.add_variable(shape=(), initializer="zeros",
                                       name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.count.assign_add(ops.sum(ops.cast(y_pred > 0.5, "float32")))

    def result(self):
        return self.count


def _binary_model():
    model = keras.Sequential([keras.Input((3,)),
                              layers.Dense(1, activation="sigmoid")])
    return model


def test_saved_user_loss_and_metric_come_back_through_custom_objects(
        tmp_path):
    x = np.random.default_rng(8).normal(size=(12, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = _binary_model()
    model.compile("adam", loss=_user_focal, metrics=[_UserPositives()])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with pytest.warns(UserWarning, match="compile settings"):
        keras.saving.load_model(tmp_path / "m.keras")   # unknown names
    loaded = keras.saving.load_model(
        tmp_path / "m.keras", custom_objects={
            "_user_focal": _user_focal, "_UserPositives": _UserPositives})
    assert loaded.loss == "_user_focal"     # as Keras keeps it
    logs = loaded.evaluate(x, y, verbose=0, return_dict=True)
    want = float(_user_focal(y, loaded.predict(x, verbose=0)))
    np.testing.assert_allclose(logs["loss"], want, rtol=1e-5)
    assert logs["user_positives"] == float(
        np.sum(loaded.predict(x, verbose=0) > 0.5))
    with keras.saving.custom_object_scope({"_user_focal": _user_focal}):
        scoped = _binary_model()
        scoped.compile("adam", loss="_user_focal")
        assert scoped.loss == "_user_focal"
        scoped.fit(x, y, epochs=1, verbose=0)


def test_a_failed_compile_leaves_the_model_as_it_was():
    model = _binary_model()
    model.compile("sgd", "mse")
    optimizer = model.optimizer
    with pytest.raises(ValueError, match="no_such_loss"):
        model.compile("adam", loss="no_such_loss")
    assert model.optimizer is optimizer
    assert model.loss == "mse"


def test_functional_output_names_as_keras():
    inputs = keras.Input((3,))
    a = layers.Dense(2, name="a")(inputs)
    b = layers.Dense(1, name="b")(inputs)
    model = keras.Model(inputs, [a, b])
    assert model.output_names == ["a", "b"]
    model.output_names = ["p", "q"]         # Keras lets users rename them
    model.compile("sgd", loss={"p": "mse", "q": "mae"})
    history = model.fit(np.ones((4, 3)), {"p": np.ones((4, 2)),
                                          "q": np.ones((4, 1))}, verbose=0)
    assert sorted(history.history) == ["loss", "p_loss", "q_loss"]
    with pytest.raises(ValueError, match="2 outputs"):
        model.output_names = ["only"]


def test_initializer_configs_as_keras_3_15():
    # VarianceScaling and its named forms carry input_axes/output_axes
    # (EinsumDense kernels); Identity writes {} as Keras does.
    config = keras.initializers.GlorotUniform(seed=3).get_config()
    assert config == {"seed": 3, "input_axes": None, "output_axes": None}
    assert keras.initializers.Identity().get_config() == {}
    assert keras.initializers.Identity(gain=2.0).get_config() == \
        {"gain": 2.0}
    init = keras.initializers.VarianceScaling(
        scale=2.0, distribution="uniform", input_axes=[0],
        output_axes=[1, 2], seed=1)
    values = init((4, 3, 5))
    limit = np.sqrt(3.0 * 2.0 / 4)        # fan_in = 4: the input axis only
    assert np.abs(values).max() <= limit + 1e-6
    assert np.abs(values).max() > 0.8 * limit
    again = keras.initializers.VarianceScaling.from_config(init.get_config())
    assert (again.input_axes, again.output_axes) == ([0], [1, 2])


class _SeededDropout(layers.Layer):
    # keras.io "Introduction to Keras for engineers": MyDropout.
    def __init__(self, rate, seed, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x):
        return keras.random.dropout(x, self.rate, seed=self.seed_generator)


def test_random_dropout_in_a_custom_layer_passes_the_kept_gradients():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(8, 5)).astype("float32")
    t = rng.normal(size=(8, 3)).astype("float32")
    model = keras.Sequential([keras.Input((5,)), layers.Dense(3),
                              _SeededDropout(0.5, seed=11)])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    w, b = [v.astype("float64") for v in model.get_weights()]
    # The mask the layer draws at its first step: the first draw of a
    # SeedGenerator(11), as keras.random.dropout makes it.
    scale = keras.random.dropout(np.ones((8, 3), "float32"), 0.5,
                                 seed=keras.random.SeedGenerator(11))
    assert set(np.unique(scale)) == {0.0, 2.0}
    model.train_on_batch(x, t)
    z = (x.astype("float64") @ w + b) * scale
    dz = 2.0 * (z - t) / t.size * scale
    np.testing.assert_allclose(model.get_weights()[0], w - x.T @ dz,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b - dz.sum(0),
                               rtol=1e-5, atol=1e-6)


def test_random_dropout_keeps_a_float_dtype_and_broadcasts_noise_shape():
    x = np.ones((4, 6), "float16")
    out = keras.random.dropout(x, 0.25, noise_shape=(None, 1), seed=3)
    assert out.dtype == np.float16
    kept = out[:, 0] != 0
    np.testing.assert_array_equal(out[kept], np.float16(1 / 0.75))
    assert np.all(out[~kept] == 0)
    with pytest.raises(ValueError, match="rate"):
        keras.random.dropout(x, 1.0)


class _UnseededNoise(layers.Layer):
    def call(self, x):
        return x + keras.random.normal(ops.shape(x))


def test_building_a_graph_draws_no_random_numbers():
    # Keras infers a custom layer's shape symbolically, consuming nothing:
    # after Sequential([..., MyDropout]) its SeedGenerator state is still
    # [seed, 0] and the global stream is untouched.
    dropout = _SeededDropout(0.5, seed=11)
    keras.Sequential([keras.Input((5,)), layers.Dense(3), dropout])
    np.testing.assert_array_equal(dropout.seed_generator.state, [11, 0])
    keras.utils.set_random_seed(4)
    expected = keras.random.normal((3,))
    keras.utils.set_random_seed(4)
    inputs = keras.Input((None, 2))
    keras.Model(inputs, _UnseededNoise()(inputs))
    np.testing.assert_array_equal(keras.random.normal((3,)), expected)


def _summary_rows(text):
    """The first cell of each layer row of a summary table."""
    return [line.split("\u2502")[1].strip() for line in text.splitlines()
            if line.startswith("\u2502") and line.split("\u2502")[1].strip()]


def test_expanded_summary_lists_a_nested_functional_models_input():
    # two_tower_retrieval: summary(expand_nested=True) with a shared tower.
    inner_in = keras.Input(shape=(3,), name="inner_in")
    inner = keras.Model(inner_in, layers.Dense(4, name="inner_dense")(
        inner_in), name="inner")
    stack = keras.Sequential([layers.Dense(2, name="stack_dense")],
                             name="stack")
    inputs = keras.Input(shape=(3,), name="outer_in")
    model = keras.Model(inputs, stack(inner(inputs)), name="outer")
    lines = []
    model.summary(expand_nested=True, print_fn=lines.append)
    assert _summary_rows("\n".join(lines)) == RECORD["nested_summary_rows"]


def test_per_output_sample_weights_as_keras():
    """Sample weights given as a list, one array per output, weigh each
    output's loss and weighted metrics (Keras's evaluate from the same
    weights)."""
    model, _ = program_fix_cases.two_output_model(keras)
    a = {k[3:]: ARRAYS[k] for k in ARRAYS.files if k.startswith("sw_")}
    got = model.evaluate(a["x"], [a["y_reg"], a["y_cls"]],
                         sample_weight=[a["w_reg"], a["w_cls"]],
                         batch_size=4, return_dict=True, verbose=0)
    expected = RECORD["per_output_sw_list"]
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert got[key] == pytest.approx(expected[key], rel=1e-5), key
    # a dict keyed by output name is the same list
    again = model.evaluate(a["x"], [a["y_reg"], a["y_cls"]],
                           sample_weight={"reg": a["w_reg"],
                                          "cls": a["w_cls"]},
                           batch_size=4, return_dict=True, verbose=0)
    assert again["loss"] == pytest.approx(expected["loss"], rel=1e-5)
    # and fit trains on it (validation_split splits each output's weights)
    history = model.fit(a["x"], [a["y_reg"], a["y_cls"]],
                        sample_weight=[a["w_reg"], a["w_cls"]],
                        validation_split=0.2, epochs=1, verbose=0)
    assert np.isfinite(history.history["val_loss"][0])
    with pytest.raises(ValueError, match="2 output"):
        model.evaluate(a["x"], [a["y_reg"], a["y_cls"]],
                       sample_weight=[a["w_reg"]], verbose=0)


class _Penalty(layers.Layer):
    def call(self, x):
        self.add_loss(ops.mean(x))
        return x


class _Linear(layers.Layer):
    def build(self, shape):
        self.w = self.add_weight(shape=(shape[-1], 2), initializer="ones",
                                 regularizer=keras.regularizers.L2(0.5),
                                 name="w")

    def call(self, x):
        return ops.matmul(x, self.w)


class _Block(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear = _Linear()
        self.penalty = _Penalty()

    def call(self, x):
        return self.penalty(self.linear(x))


def test_model_losses_include_add_loss_of_layers_nested_in_custom_layers():
    """Keras's `losses` walks every nested layer (`_flatten_layers`): the
    add_loss of a layer inside a custom layer inside a functional model
    counts, after the weight penalties of the last call: 4 here, as Keras."""
    inputs = keras.Input((3,))
    model = keras.Model(inputs, _Block()(_Block()(inputs)))
    assert len(model.losses) == 2           # the weight penalties
    x = np.ones((2, 3), "float32")
    model(x)
    values = sorted(float(v) for v in model.losses)
    # block 1: mean(x @ ones) = 3; block 2: mean(3 * 2) = 6;
    # each weight: 0.5 * sum(ones ** 2) = 3 (3x2) and 2 (2x2)
    np.testing.assert_allclose(values, [2.0, 3.0, 3.0, 6.0], rtol=1e-6)


class _Gather(layers.Layer):
    def build(self, shape):
        self.table = self.add_weight(shape=(5, 2), initializer="ones",
                                     name="table")

    def call(self, indices):
        self.seen_dtype = indices.dtype
        return ops.take(self.table, ops.squeeze(indices, -1), axis=0)


def test_integer_inputs_reach_a_custom_layers_call_as_integers():
    """As Keras's DTypePolicy.convert_input: only floating inputs are cast
    to the compute dtype; integer indices reach `call` unchanged, and
    `ops.take` on them trains (its gradient scatters to the rows taken)."""
    layer = _Gather()
    model = keras.Sequential([keras.Input((1,), dtype="int32"), layer])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    idx = np.array([[0], [3], [3], [1]])
    model.train_on_batch(idx, np.zeros((4, 2), "float32"))
    assert np.dtype(layer.seen_dtype).kind == "i"
    table = layer.table.numpy()
    # d mse / d out = 2 * 1 / 8 per element; row 3 taken twice
    np.testing.assert_allclose(table[:, 0], [0.75, 0.75, 1.0, 0.5, 1.0])
    layer(np.array([[2]]))
    assert np.dtype(layer.seen_dtype).kind == "i"


def test_take_gradient_reads_float_indices_as_the_forward_pass():
    from seqcore.ops.shape_ops import _take_vjp
    x = np.zeros((4, 2), "float32")
    g = np.ones((3, 2), "float32")
    (dx, _) = _take_vjp(g, None, x, np.array([1.0, 1.0, 3.0], "float32"),
                        axis=0)
    np.testing.assert_array_equal(dx[:, 0], [0, 2, 0, 1])


def test_lora_on_dense_and_embedding_as_keras():
    """`enable_lora(2, lora_alpha=4)` freezes the base weight and computes
    with W + 2 A @ B: predictions, one SGD step (the base weight fixed, A
    and B trained), weight names, config, and the merged kernel a LoRA
    Dense saves, all against Keras from the same weights."""
    embed = layers.Embedding(6, 4, name="embed")
    dense = layers.Dense(3, activation="tanh", name="dense")
    model = keras.Sequential([keras.Input((5,), dtype="int32"), embed,
                              layers.Flatten(), dense])
    embed.enable_lora(2, lora_alpha=4)
    dense.enable_lora(2, lora_alpha=4)
    names = {"embed": ("embeddings", "lora_embeddings_a",
                       "lora_embeddings_b"),
             "dense": ("kernel", "lora_kernel_a", "lora_kernel_b")}
    for layer in (embed, dense):
        for name in names[layer.name]:
            getattr(layer, name).assign(ARRAYS[f"lora_{layer.name}_{name}"])
    x, y = ARRAYS["lora_x"], ARRAYS["lora_y"]
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               ARRAYS["lora_pred"], rtol=1e-5, atol=1e-6)
    assert [w.name for w in model.non_trainable_weights] == \
        RECORD["lora_non_trainable_names"]
    assert sorted(w.name for w in model.trainable_weights) == \
        sorted(RECORD["lora_trainable_names"])
    model.compile(keras.optimizers.SGD(0.5), "mse")
    model.train_on_batch(x, y)
    for layer in (embed, dense):
        for name in names[layer.name]:
            np.testing.assert_allclose(
                getattr(layer, name).numpy(),
                ARRAYS[f"lora_after_{layer.name}_{name}"],
                rtol=1e-4, atol=2e-5, err_msg=f"{layer.name}.{name}")
    config = dense.get_config()
    assert {k: config[k] for k in ("lora_rank", "lora_alpha")} == \
        RECORD["lora_dense_config"]
    store = {}
    dense.save_own_variables(store)
    assert len(store) == RECORD["lora_saved_dense_count"]
    np.testing.assert_allclose(store["0"], ARRAYS["lora_saved_dense_0"],
                               rtol=1e-5, atol=1e-6)
    # loading the merged kernel resets the LoRA pair (Keras's
    # load_own_variables), so the outputs stay those of the merged weight
    before = model.predict(x, verbose=0)
    dense.load_own_variables(store)
    assert not dense.lora_kernel_b.numpy().any()
    np.testing.assert_allclose(model.predict(x, verbose=0), before,
                               rtol=1e-5, atol=1e-6)


def test_lora_errors_and_lora_rank_argument():
    dense = layers.Dense(2)
    with pytest.raises(ValueError, match="isn't yet built"):
        dense.enable_lora(2)
    dense.build((None, 3))
    dense.enable_lora(1)
    with pytest.raises(ValueError, match="already enabled"):
        dense.enable_lora(1)
    constrained = layers.Dense(2, kernel_constraint="non_neg")
    constrained.build((None, 3))
    with pytest.raises(ValueError, match="kernel constraints"):
        constrained.enable_lora(2)
    # lora_rank= enables LoRA at build, with alpha = rank (as Keras's build)
    layer = layers.Dense(2, lora_rank=3, lora_alpha=6)
    layer.build((None, 4))
    assert layer.lora_enabled and layer.lora_alpha == 3
    assert [w.name for w in layer.trainable_weights] == \
        ["bias", "lora_kernel_a", "lora_kernel_b"]
    rebuilt = layers.Dense.from_config(layer.get_config())
    rebuilt.build((None, 4))
    assert rebuilt.lora_enabled and rebuilt.lora_rank == 3
