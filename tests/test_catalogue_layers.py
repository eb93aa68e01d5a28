"""Behaviour of issue 16's layers beyond the Keras fixtures: argument
checks with clear errors, legacy arguments, masks flowing through."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers


# ---- activations ------------------------------------------------------------

@pytest.mark.parametrize("make,match", [
    (lambda: layers.ReLU(max_value=-1.0), "max_value"),
    (lambda: layers.ReLU(negative_slope=-0.1), "negative_slope"),
    (lambda: layers.ReLU(threshold=None), "threshold"),
    (lambda: layers.LeakyReLU(negative_slope=-2), "negative_slope"),
    (lambda: layers.ELU(alpha="big"), "alpha"),
    (lambda: layers.PReLU(shared_axes=[0]), "shared_axes"),
    (lambda: layers.Softmax(axis="last"), "axis"),
])
def test_activation_layers_refuse_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_leaky_relu_accepts_keras2_alpha_with_a_warning():
    with pytest.warns(UserWarning, match="alpha"):
        layer = layers.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    np.testing.assert_allclose(layer(np.array([[-2.0, 3.0]])), [[-0.2, 3.0]])


def test_softmax_refuses_a_mask_that_does_not_broadcast():
    with pytest.raises(ValueError, match="broadcastable"):
        layers.Softmax()(np.zeros((2, 3)), mask=np.ones((2, 4), bool))


def test_prelu_refuses_other_feature_sizes_after_build():
    layer = layers.PReLU()
    layer(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError):
        layer(np.zeros((2, 4), np.float32))


def test_activation_layers_pass_the_mask_on():
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    model = keras.Sequential([
        keras.Input(shape=(4,)), layers.Embedding(5, 3, mask_zero=True),
        layers.ReLU(), layers.LeakyReLU(), layers.ELU(), layers.PReLU()])
    model(x)
    np.testing.assert_array_equal(model._output_mask, x != 0)
    # As in Keras, Softmax applies a (batch, steps) mask to its input's last
    # axis, which does not fit (batch, steps, features).
    model.add(layers.Softmax())
    with pytest.raises(ValueError, match="broadcastable"):
        model(x)


# ---- spatial reshaping ------------------------------------------------------

@pytest.mark.parametrize("make,error,match", [
    (lambda: layers.ZeroPadding1D(-1), ValueError, "padding"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), ValueError, "2 elements"),
    (lambda: layers.ZeroPadding3D(((1, 1), (1, -1), (0, 0))), ValueError,
     "padding"),
    (lambda: layers.Cropping2D("a"), ValueError, "cropping"),
    (lambda: layers.Cropping3D(data_format="channels_middle"), ValueError,
     "data_format"),
    (lambda: layers.UpSampling1D(2.0), TypeError, "integer"),
    (lambda: layers.UpSampling2D(0), ValueError, "size"),
    (lambda: layers.UpSampling2D(interpolation="cubic"), ValueError,
     "nearest"),
])
def test_spatial_layers_refuse_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_cropping_more_than_the_input_names_the_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3, 4\)"):
        layers.Cropping1D((2, 1))(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping2D(((0, 0), (3, 3))).compute_output_shape(
            (None, 8, 6, 1))


def test_spatial_shapes_with_unknown_sizes():
    assert layers.ZeroPadding2D(2).compute_output_shape(
        (None, None, 5, 3)) == (None, None, 9, 3)
    assert layers.UpSampling3D(2, data_format="channels_first") \
        .compute_output_shape((None, 3, None, 2, 4)) == (None, 3, None, 4, 8)
    assert layers.Cropping1D(1).compute_output_shape((4, None, 2)) == \
        (4, None, 2)


# ---- noise, regularization, masking -----------------------------------------

def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(
        np.float32)


@pytest.mark.parametrize("cls,shape,fmt,kept_axes", [
    (layers.SpatialDropout1D, (40, 6, 8), None, (0, 2)),
    (layers.SpatialDropout2D, (40, 3, 4, 8), "channels_last", (0, 3)),
    (layers.SpatialDropout2D, (40, 8, 3, 4), "channels_first", (0, 1)),
    (layers.SpatialDropout3D, (40, 2, 3, 2, 8), "channels_last", (0, 4)),
    (layers.SpatialDropout3D, (40, 8, 2, 3, 2), "channels_first", (0, 1))])
def test_spatial_dropout_drops_whole_feature_maps(cls, shape, fmt, kept_axes):
    kwargs = {} if fmt is None else {"data_format": fmt}
    layer = cls(0.5, seed=4, **kwargs)
    x = np.abs(_x(*shape)) + 1.0
    y = layer(x, training=True)
    ratio = y / x
    # One draw per (sample, channel): constant over the spatial axes.
    spatial = tuple(a for a in range(len(shape)) if a not in kept_axes)
    np.testing.assert_allclose(ratio, np.broadcast_to(
        ratio.max(axis=spatial, keepdims=True), shape), rtol=1e-6)
    assert set(np.unique(np.round(ratio, 5))) == {0.0, 2.0}
    dropped = (ratio == 0).mean()
    assert 0.35 < dropped < 0.65
    dy = _x(*shape, seed=1)
    np.testing.assert_allclose(layer.backward(dy), dy * ratio, rtol=1e-6)
    np.testing.assert_array_equal(layer(x, training=False), x)


@pytest.mark.parametrize("make", [
    lambda: layers.SpatialDropout2D(0.4, seed=9),
    lambda: layers.GaussianNoise(0.3, seed=9),
    lambda: layers.GaussianDropout(0.3, seed=9),
    lambda: layers.AlphaDropout(0.3, seed=9)])
def test_noise_is_reproducible_for_a_seed_and_off_at_inference(make):
    x = _x(4, 3, 3, 5)
    first, second = make(), make()
    a1, a2 = first(x, training=True), first(x, training=True)
    b1, b2 = second(x, training=True), second(x, training=True)
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)
    np.testing.assert_array_equal(first(x), x)
    np.testing.assert_array_equal(first(x, training=False), x)


def test_gaussian_noise_statistics_and_gradient():
    layer = layers.GaussianNoise(0.5, seed=1)
    x = np.full((200, 100), 2.0, np.float32)
    y = layer(x, training=True)
    assert abs((y - x).mean()) < 0.01 and abs((y - x).std() - 0.5) < 0.01
    dy = _x(200, 100)
    np.testing.assert_array_equal(layer.backward(dy), dy)


def test_gaussian_dropout_statistics_and_gradient():
    layer = layers.GaussianDropout(0.2, seed=1)
    x = np.full((200, 100), 3.0, np.float32)
    y = layer(x, training=True)
    noise = y / 3.0
    assert abs(noise.mean() - 1.0) < 0.01
    assert abs(noise.std() - np.sqrt(0.2 / 0.8)) < 0.01
    dy = _x(200, 100)
    np.testing.assert_allclose(layer.backward(dy), dy * noise, rtol=1e-5)


def test_alpha_dropout_keeps_selu_statistics_and_its_gradient():
    rate = 0.2
    layer = layers.AlphaDropout(rate, seed=1)
    x = _x(400, 250)
    y = layer(x, training=True)
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1.0) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    kept = np.isclose(y, a * x + b, atol=1e-5)
    assert abs(kept.mean() - (1 - rate)) < 0.01
    np.testing.assert_allclose(y[~kept], a * alpha_p + b, rtol=1e-5)
    dy = _x(400, 250, seed=2)
    np.testing.assert_allclose(layer.backward(dy), dy * a * kept, rtol=1e-5)


def test_alpha_dropout_noise_shape_shares_draws():
    layer = layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=3)
    y = layer(np.ones((50, 6), np.float32), training=True)
    assert (np.ptp(y, axis=1) == 0).all() and np.ptp(y[:, 0]) > 0


@pytest.mark.parametrize("make,match", [
    (lambda: layers.GaussianNoise(1.5), "stddev"),
    (lambda: layers.GaussianDropout(-0.1), "rate"),
    (lambda: layers.AlphaDropout("x"), "rate"),
    (lambda: layers.SpatialDropout1D(1.0), "rate"),
    (lambda: layers.SpatialDropout2D(0.1, data_format="nhwc"), "data_format"),
    (lambda: layers.ActivityRegularization(l1=-1.0), "l1"),
    (lambda: layers.Masking(mask_value="pad"), "mask_value")])
def test_noise_layers_refuse_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_activity_regularization_adds_its_penalty_to_the_loss():
    x = _x(8, 4)
    y = np.zeros((8, 2), np.float32)
    model = keras.Sequential([keras.Input(shape=(4,)),
                              layers.Dense(3, kernel_initializer="ones"),
                              layers.ActivityRegularization(l1=0.1, l2=0.5),
                              layers.Dense(2, kernel_initializer="ones")])
    model.compile("sgd", "mse")
    h = x @ np.ones((4, 3))
    out = h @ np.ones((3, 2))
    want = np.mean(out ** 2) + (0.1 * np.abs(h).sum() +
                                0.5 * (h ** 2).sum()) / 8
    # As in Keras 3, evaluate counts it too (47.2192307 there).
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), want,
                               rtol=1e-5)
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, want, rtol=1e-4)


def test_masking_zeroes_masked_steps_and_backward():
    x = _x(2, 4, 3)
    x[0, 1] = 0.0
    x[1, 2:] = 0.0
    layer = layers.Masking()
    y = layer(x, training=True)
    np.testing.assert_array_equal(y, x)
    x[0, 2, 0] = 0.0      # one zero feature does not mask the step
    mask = layer.compute_mask(x)
    np.testing.assert_array_equal(mask, [[1, 0, 1, 1], [1, 1, 0, 0]])
    dy = _x(2, 4, 3, seed=5)
    np.testing.assert_array_equal(layer.backward(dy), dy * mask[..., None])


def test_masking_feeds_the_lstm_which_skips_masked_steps():
    seqcore_model = keras.Sequential([
        keras.Input(shape=(5, 2)), layers.Masking(-1.0),
        layers.LSTM(3, kernel_initializer="ones",
                    recurrent_initializer="ones")])
    x = _x(2, 5, 2)
    x[0, 3:] = -1.0
    short = seqcore_model(x[:1, :3])
    full = seqcore_model(x)
    np.testing.assert_allclose(full[0], short[0], rtol=1e-6)


# ---- wrappers ---------------------------------------------------------------

@pytest.mark.parametrize("make,match", [
    (lambda: layers.TimeDistributed("dense"), "Layer"),
    (lambda: layers.Bidirectional(layers.Dense(3)), "recurrent"),
    (lambda: layers.Bidirectional(layers.LSTM(3), merge_mode="max"),
     "merge mode"),
    (lambda: layers.Bidirectional(layers.LSTM(3),
                                  backward_layer=layers.LSTM(3)),
     "go_backwards"),
    (lambda: layers.Bidirectional(
        layers.LSTM(3), backward_layer=layers.LSTM(
            3, go_backwards=True, return_sequences=True)),
     "return_sequences")])
def test_wrappers_refuse_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_time_distributed_needs_a_time_axis():
    layer = layers.TimeDistributed(layers.Dense(2))
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layer(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match="mask"):
        layers.TimeDistributed(layers.Dense(2))(
            np.zeros((2, 3, 4), np.float32), mask=np.ones((2, 4), bool))


def test_bidirectional_names_weights_and_layers_as_keras():
    layer = layers.Bidirectional(layers.LSTM(3, name="enc"), name="bi")
    layer.build((None, 5, 2))
    assert layer.forward_layer.name == "forward_enc"
    assert layer.backward_layer.name == "backward_enc"
    assert layer.backward_layer.go_backwards
    assert [w.path for w in layer.weights] == [
        f"bi/{d}_enc/lstm_cell/{n}" for d in ("forward", "backward")
        for n in ("kernel", "recurrent_kernel", "bias")]


def test_bidirectional_initial_weights_and_states():
    base = layers.Bidirectional(layers.GRU(2, return_sequences=True))
    x = _x(2, 4, 3)
    base(x)
    weights = [w * 0.5 for w in base.get_weights()]
    copy = layers.Bidirectional(layers.GRU(2, return_sequences=True),
                                weights=weights)
    base.set_weights(weights)
    np.testing.assert_array_equal(copy(x), base(x))
    h_f, h_b = _x(2, 2, seed=3), _x(2, 2, seed=4)
    y = base(x, initial_state=[h_f, h_b])
    fwd = base.forward_layer(x, initial_state=h_f)
    bwd = base.backward_layer(x, initial_state=h_b)
    np.testing.assert_allclose(y, np.concatenate([fwd, bwd[:, ::-1]], -1),
                               rtol=1e-6)


def test_bidirectional_masks_as_keras():
    x, mask = _x(2, 3, 2), np.array([[1, 1, 0], [1, 0, 0]], bool)
    seq = layers.Bidirectional(layers.LSTM(2, return_sequences=True))
    np.testing.assert_array_equal(seq.compute_mask(x, mask), mask)
    both = layers.Bidirectional(layers.LSTM(2, return_sequences=True),
                                merge_mode=None)
    assert [m is mask for m in both.compute_mask(x, mask)] == [True, True]
    last = layers.Bidirectional(layers.LSTM(2))
    assert last.compute_mask(x, mask) is None
    # Masked steps of the sequences are zero in both directions.
    y = seq(x, mask=mask)
    assert np.all(y[~mask] == 0) and np.all(y[mask] != 0)


def test_stateful_bidirectional_carries_and_resets_states():
    layer = layers.Bidirectional(layers.SimpleRNN(2, stateful=True))
    x = _x(3, 4, 2)
    first = layer(x)
    assert len(layer.states) == 2
    assert not np.allclose(layer(x), first)
    layer.reset_states()
    np.testing.assert_allclose(layer(x), first, rtol=1e-6)
    with pytest.raises(AttributeError, match="stateful"):
        layers.Bidirectional(layers.LSTM(2)).reset_states()


def test_wrapped_weights_sit_where_keras_puts_them(tmp_path):
    import h5py
    import io
    import zipfile
    model = keras.Sequential([
        keras.Input(shape=(4, 3)), layers.TimeDistributed(layers.Dense(2)),
        layers.Bidirectional(layers.LSTM(3))])
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf, \
            h5py.File(io.BytesIO(zf.read("model.weights.h5"))) as h5:
        assert h5["layers/time_distributed/layer/vars/0"].shape == (3, 2)
        for side in ("forward_layer", "backward_layer"):
            group = h5[f"layers/bidirectional/{side}/cell/vars"]
            assert [group[str(i)].shape for i in range(3)] == \
                [(2, 12), (3, 12), (12,)]
        assert h5["layers/bidirectional/forward_layer/vars"].attrs[
            "name"] == model.layers[1].forward_layer.name


def test_seqcore_catalogue_files_open_in_keras(tmp_path):
    """Runs where Keras 3 with JAX is installed (not a seqcore dependency):
    each catalogue model saved by seqcore predicts the same in Keras."""
    import importlib.util
    import os
    import subprocess
    import sys
    if importlib.util.find_spec("keras") is None or \
            importlib.util.find_spec("jax") is None:
        pytest.skip("Keras 3 with JAX is not installed")
    from tests.fixtures.catalogue_cases import MODELS
    for name, build in MODELS.items():
        model, x = build(keras)
        model.save(tmp_path / f"{name}.keras")
        np.save(tmp_path / f"{name}_x.npy", x)
        np.save(tmp_path / f"{name}_y.npy", model.predict(x, verbose=0))
    script = (
        "import keras, numpy as np, sys\n"
        "for name in sys.argv[2:]:\n"
        "    m = keras.models.load_model(f'{sys.argv[1]}/{name}.keras')\n"
        "    y = np.asarray(m.predict(np.load(f'{sys.argv[1]}/{name}_x.npy'),"
        " verbose=0))\n"
        "    assert np.allclose(y, np.load(f'{sys.argv[1]}/{name}_y.npy'),"
        " atol=1e-5), name\n")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path),
                          *MODELS], env={**os.environ, "KERAS_BACKEND": "jax"},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]


# ---- legacy arguments -------------------------------------------------------

def test_embedding_input_length_is_accepted_with_keras_warning():
    with pytest.warns(UserWarning, match="`input_length` is deprecated"):
        layer = layers.Embedding(10, 3, input_length=4)
    assert "input_length" not in layer.get_config()
    model = keras.Sequential([keras.Input(shape=(4,)), layer,
                              layers.Flatten(), layers.Dense(1)])
    assert model.output_shape == (None, 1)
    assert model.predict(np.array([[1, 2, 3, 4]]), verbose=0).shape == (1, 1)


def test_wrappers_give_the_same_bits_at_1_and_2_threads(threads):
    from tests.conftest import same_bits_with_threads
    x = _x(8, 12, 16)

    def run():
        keras.utils.set_random_seed(1)
        model = keras.Sequential([
            keras.Input(shape=(12, 16)),
            layers.TimeDistributed(layers.Dense(32, activation="relu")),
            layers.Bidirectional(layers.LSTM(24, return_sequences=True)),
            layers.Bidirectional(layers.GRU(8), merge_mode="sum"),
            layers.Dense(3)])
        model.compile("adam", "mse")
        model.fit(x, np.ones((8, 3)), epochs=2, batch_size=4, verbose=0)
        return [model.predict(x, verbose=0)] + model.get_weights()
    same_bits_with_threads(threads, run)


def test_time_distributed_over_integer_ids_and_a_recurrent_layer(tmp_path):
    keras.utils.set_random_seed(2)
    model = keras.Sequential([
        keras.Input(shape=(3, 4), dtype="int32"),
        layers.TimeDistributed(layers.Embedding(10, 2)),
        layers.TimeDistributed(layers.LSTM(3)), layers.Flatten(),
        layers.Dense(1)])
    ids = np.random.default_rng(0).integers(0, 10, (6, 3, 4))
    embedding = model.layers[0].layer.embeddings.numpy()
    lstm = model.layers[1].layer
    # Each timestep's (4,) ids go through Embedding then the LSTM.
    want = np.stack([lstm(embedding[ids[:, t]]) for t in range(3)], axis=1)
    np.testing.assert_allclose(
        model.layers[1](model.layers[0](ids)), want, rtol=1e-6)
    model.compile("adam", "mse")
    before = model.evaluate(ids, np.ones((6, 1)), verbose=0)
    model.fit(ids, np.ones((6, 1)), epochs=20, verbose=0)
    assert model.evaluate(ids, np.ones((6, 1)), verbose=0) < before
    assert not np.array_equal(model.layers[0].layer.embeddings.numpy(),
                              embedding)
    model.save(tmp_path / "td.keras")
    loaded = keras.saving.load_model(tmp_path / "td.keras")
    np.testing.assert_array_equal(loaded.predict(ids, verbose=0),
                                  model.predict(ids, verbose=0))
