"""keras.config, keras.backend, keras.utils (pad_sequences, normalize),
keras.preprocessing.sequence and keras.random: values against Keras 3
(fixtures from tests/fixtures/make_namespace_fixtures.py) and numpy
references; reproducibility of seeded draws."""
import json
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import backend as K
from tests.fixtures import namespace_cases as cases

FIXTURES = np.load(pathlib.Path(__file__).parent / "fixtures" /
                   "keras_namespaces.npz")
FACTS = json.loads(str(FIXTURES["facts"]))


# ---- config and backend ----------------------------------------------------------

def test_config_defaults_match_keras():
    assert keras.config.epsilon() == FACTS["epsilon"] == K.epsilon()
    assert keras.config.floatx() == FACTS["floatx"] == K.floatx()
    assert keras.config.image_data_format() == FACTS["image_data_format"]


def test_set_epsilon_and_image_data_format_round_trip():
    try:
        K.set_epsilon(1e-5)
        assert keras.config.epsilon() == 1e-5
        keras.config.set_image_data_format("channels_first")
        assert K.image_data_format() == "channels_first"
        with pytest.raises(ValueError, match="channels_first.*channels_last"
                                             ".*data_format='nchw'"):
            keras.config.set_image_data_format("nchw")
    finally:
        K.set_epsilon(1e-7)
        keras.config.set_image_data_format("channels_last")


def test_floatx_other_than_float32_is_refused_clearly():
    keras.config.set_floatx("float32")
    with pytest.raises(ValueError, match="float32 only.*'float64'"):
        keras.config.set_floatx("float64")
    with pytest.raises(ValueError, match="Unknown `floatx`.*'int3'"):
        K.set_floatx("int3")
    assert K.floatx() == "float32"


@pytest.mark.parametrize("dtype", cases.DTYPES)
def test_standardize_dtype_names_as_keras(dtype):
    expected = FACTS["dtypes"][dtype]
    if expected == "ValueError":
        with pytest.raises(ValueError, match="Invalid dtype"):
            K.standardize_dtype(dtype)
    else:
        assert K.standardize_dtype(dtype) == expected


def test_switches_and_backend_name():
    keras.config.disable_traceback_filtering()
    assert not keras.config.is_traceback_filtering_enabled()
    keras.config.enable_traceback_filtering()
    assert keras.config.is_traceback_filtering_enabled()
    assert keras.config.is_interactive_logging_enabled()
    assert K.backend() == keras.config.backend() == "seqcore"


def test_keras2_backend_functions_on_models_and_optimizers():
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    kernel = model.layers[0].kernel
    assert K.int_shape(kernel) == (5, 3)
    assert K.int_shape(model.output) == (None, 3)
    assert K.count_params(kernel) == 15
    np.testing.assert_array_equal(K.get_value(kernel), kernel.numpy())
    K.set_value(kernel, np.ones((5, 3)))
    np.testing.assert_array_equal(kernel.numpy(), np.ones((5, 3)))
    with pytest.raises(ValueError, match="shape"):
        K.set_value(kernel, np.ones((3, 5)))
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    lr = model.optimizer.learning_rate
    assert float(lr) == pytest.approx(1e-3) and K.get_value(lr) == lr
    K.set_value(model.optimizer.learning_rate, 0.25)
    assert float(model.optimizer.learning_rate) == 0.25
    model.optimizer.learning_rate.assign(0.5)
    assert model.optimizer.learning_rate == 0.5
    with pytest.raises(ValueError, match="expected a variable"):
        K.set_value(3.0, 1.0)


def test_clear_session_resets_names_and_uids():
    K.clear_session()
    assert K.get_uid("x") == 1 and K.get_uid("x") == 2 and K.get_uid("y") == 1
    first = keras.layers.Dense(2).name
    keras.utils.clear_session()
    assert keras.layers.Dense(2).name == first == "dense"
    assert K.get_uid("x") == 1
    assert K.is_keras_tensor(keras.Input((2,)))
    assert not K.is_keras_tensor(np.ones(2))


# ---- utils ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(cases.PAD_CASES))
def test_pad_sequences_matches_keras(name):
    got = keras.utils.pad_sequences(cases.SEQUENCES, **cases.PAD_CASES[name])
    expected = FIXTURES[f"pad_{name}"]
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_pad_sequences_of_vectors_and_the_keras2_path():
    got = keras.preprocessing.sequence.pad_sequences(
        cases.VECTOR_SEQUENCES, maxlen=2, padding="post")
    np.testing.assert_array_equal(got, FIXTURES["pad_vectors"])


def test_pad_sequences_bad_input():
    with pytest.raises(ValueError, match='Padding type "middle"'):
        keras.utils.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match='Truncating type "x"'):
        keras.utils.pad_sequences([[1]], truncating="x")
    with pytest.raises(ValueError, match="element 1 is int"):
        keras.utils.pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="dtype=object"):
        keras.utils.pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="Shape of sample"):
        keras.utils.pad_sequences([np.ones((2, 3)), np.ones((1, 4))])
    strings = keras.utils.pad_sequences([["a", "b"], ["c"]], dtype=object,
                                        value="")
    assert strings.tolist() == [["a", "b"], ["", "c"]]


@pytest.mark.parametrize("name", list(cases.NORMALIZE_CASES))
def test_normalize_matches_keras(name):
    got = keras.utils.normalize(cases.normalize_input(),
                                **cases.NORMALIZE_CASES[name])
    np.testing.assert_allclose(got, FIXTURES[f"normalize_{name}"],
                               rtol=1e-12)


def test_normalize_along_the_first_axis():
    # Keras 3.15's numpy path turns axis=0 into -1 (`axis or -1`) and fails
    # on non-square input; seqcore normalizes along the axis asked for.
    x = cases.normalize_input()
    got = keras.utils.normalize(x, axis=0)
    np.testing.assert_allclose(got, x / np.sqrt((x ** 2).sum(0)))


# ---- random ----------------------------------------------------------------------

DRAWS = {
    "normal": lambda seed: keras.random.normal((2000,), 1.0, 2.0, seed=seed),
    "uniform": lambda seed: keras.random.uniform((2000,), -1, 3, seed=seed),
    "truncated_normal": lambda seed: keras.random.truncated_normal(
        (2000,), seed=seed),
    "randint": lambda seed: keras.random.randint((2000,), 0, 7, seed=seed),
    "gamma": lambda seed: keras.random.gamma((2000,), 2.0, seed=seed),
    "beta": lambda seed: keras.random.beta((2000,), 2.0, 5.0, seed=seed),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_random_draws_repeat_for_an_integer_seed(name):
    a, b = DRAWS[name](11), DRAWS[name](11)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, DRAWS[name](12))


@pytest.mark.parametrize("name", list(DRAWS))
def test_seed_generator_streams_advance_and_repeat(name):
    one, two = keras.random.SeedGenerator(5), keras.random.SeedGenerator(5)
    first, second = DRAWS[name](one), DRAWS[name](one)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, DRAWS[name](two))


def test_random_distributions_have_their_moments():
    x = keras.random.normal((200000,), 1.0, 2.0, seed=1)
    assert x.dtype == np.float32
    assert abs(x.mean() - 1.0) < 0.03 and abs(x.std() - 2.0) < 0.03
    u = keras.random.uniform((200000,), -1, 3, seed=1)
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1.0) < 0.03
    t = keras.random.truncated_normal((200000,), seed=1)
    assert np.abs(t).max() <= 2.0 and abs(t.std() - 0.8796) < 0.01
    r = keras.random.randint((200000,), 0, 7, seed=1)
    assert r.dtype == np.int32 and set(np.unique(r)) == set(range(7))
    g = keras.random.gamma((200000,), 2.0, seed=1)
    assert abs(g.mean() - 2.0) < 0.03
    b = keras.random.beta((200000,), 2.0, 5.0, seed=1)
    assert abs(b.mean() - 2 / 7) < 0.005


def test_dropout_shuffle_and_categorical():
    x = np.ones((1000, 50), np.float32)
    d = keras.random.dropout(x, 0.2, seed=3)
    kept = d != 0
    assert abs(kept.mean() - 0.8) < 0.01
    np.testing.assert_allclose(d[kept], 1.25)
    shared = keras.random.dropout(x, 0.5, noise_shape=(1, 50), seed=3)
    assert (shared == shared[0]).all()
    s = keras.random.shuffle(np.arange(10), seed=2)
    assert sorted(s.tolist()) == list(range(10)) and s.tolist() != list(
        range(10))
    logits = np.log([[0.7, 0.2, 0.1], [0.0001, 0.0001, 0.9998]])
    c = keras.random.categorical(logits, 20000, seed=4)
    assert c.shape == (2, 20000) and c.dtype == np.int32
    np.testing.assert_allclose(np.bincount(c[0], minlength=3) / 20000,
                               [0.7, 0.2, 0.1], atol=0.01)
    assert (c[1] == 2).mean() > 0.99
    with pytest.raises(ValueError, match="2-D"):
        keras.random.categorical(np.zeros(3), 2)
    with pytest.raises(ValueError, match="randint"):
        keras.random.uniform((2,), dtype="int32")


def test_set_random_seed_makes_unseeded_draws_repeat():
    keras.utils.set_random_seed(7)
    a = keras.random.normal((5,))
    keras.utils.set_random_seed(7)
    np.testing.assert_array_equal(a, keras.random.normal((5,)))


# ---- callbacks ---------------------------------------------------------------------

def test_every_callback_hook_receives_a_dict_of_logs():
    seen = []

    class Recorder(keras.callbacks.Callback):
        def _record(self, hook, logs):
            assert isinstance(logs, dict), (hook, logs)
            seen.append((hook, sorted(logs.keys())))

        def on_train_begin(self, logs=None):
            self._record("train_begin", logs)

        def on_epoch_begin(self, epoch, logs=None):
            self._record("epoch_begin", logs)

        def on_train_batch_begin(self, batch, logs=None):
            self._record("train_batch_begin", logs)

        def on_train_batch_end(self, batch, logs=None):
            self._record("train_batch_end", logs)

        def on_epoch_end(self, epoch, logs=None):
            self._record("epoch_end", logs)

        def on_train_end(self, logs=None):
            self._record("train_end", logs)

        def on_test_begin(self, logs=None):
            self._record("test_begin", logs)

        def on_predict_begin(self, logs=None):
            self._record("predict_begin", logs)

        def on_predict_end(self, logs=None):
            self._record("predict_end", logs)

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((4, 3), np.float32), np.ones((4, 1), np.float32)
    model.fit(x, y, batch_size=2, epochs=1, verbose=0,
              callbacks=[Recorder()])
    model.evaluate(x, y, verbose=0, callbacks=[Recorder()])
    model.predict(x, verbose=0, callbacks=[Recorder()])
    hooks = [h for h, _ in seen]
    assert hooks[:3] == ["train_begin", "epoch_begin", "train_batch_begin"]
    assert {"test_begin", "predict_begin", "predict_end"} <= set(hooks)
    assert dict(seen)["epoch_end"] == ["loss"]
