"""The remaining non-image layers of issue 16 (adaptive pooling,
RMSNormalization, ReversibleEmbedding, STFTSpectrogram, MelSpectrogram,
HashedCrossing, Wrapper): forward passes, weights, configs and shapes
against Keras 3 fixtures (tests/fixtures/make_misc_layer_fixtures.py),
`.keras` files saved by Keras, and bad input."""
import json
import os

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers, ops

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "keras_misc_layers.json")) as _f:
    META = json.load(_f)
ARRAYS = np.load(os.path.join(HERE, "keras_misc_layers.npz"))
LAYER_CASES = sorted(n for n, m in META.items()
                     if "kwargs" in m and m["class_name"] != "HashedCrossing")
CROSS_CASES = sorted(n for n, m in META.items()
                     if m.get("class_name") == "HashedCrossing")


def make(name):
    meta = META[name]
    return getattr(layers, meta["class_name"])(**meta["kwargs"])


def run_case(name):
    meta = META[name]
    layer = make(name)
    x = ARRAYS[f"{name}/in/x"]
    if meta["class_name"] == "ReversibleEmbedding":
        layer.build(None)
    else:
        layer.build(x.shape)
    layer.set_weights([ARRAYS[f"{name}/weight/{i}"]
                       for i in range(meta["n_weights"])])
    return layer, layer(x, **meta["call_kwargs"])


@pytest.mark.parametrize("name", LAYER_CASES)
def test_forward_matches_keras(name):
    layer, out = run_case(name)
    want = ARRAYS[f"{name}/out"]
    assert out.shape == want.shape
    # dB values reach -80: a relative tolerance is what 1e-5 means there
    np.testing.assert_allclose(out, want, atol=1e-5, rtol=1e-5)
    meta = META[name]
    assert [w.name for w in layer.weights] == meta["weight_names"]
    assert [list(w.shape) for w in layer.weights] == meta["weight_shapes"]


def _normalize(config):
    config = json.loads(json.dumps(config, default=list))
    config.pop("name", None)
    if isinstance(config.get("dtype"), dict):
        config["dtype"].get("config", {}).pop("shared_object_id", None)
    return config


@pytest.mark.parametrize("name", LAYER_CASES + CROSS_CASES)
def test_config_matches_keras_and_round_trips(name):
    meta = META[name]
    if meta["class_name"] == "HashedCrossing":
        layer = make(name)
    else:
        layer, _ = run_case(name)
    assert _normalize(layer.get_config()) == _normalize(meta["config"])
    clone = type(layer).from_config(json.loads(json.dumps(
        layer.get_config(), default=list)))
    assert _normalize(clone.get_config()) == _normalize(layer.get_config())


@pytest.mark.parametrize("name", sorted(
    n for n in LAYER_CASES if "symbolic_shape" in META[n]))
def test_compute_output_shape_matches_keras(name):
    meta = META[name]
    layer = make(name)
    x = ARRAYS[f"{name}/in/x"]
    shape = (None,) + x.shape[1:] if x.ndim > 1 else x.shape
    assert list(layer.compute_output_shape(shape)) == meta["symbolic_shape"]
    if x.ndim > 1 and meta["class_name"] != "MelSpectrogram":
        assert layer(keras.Input(x.shape[1:])).shape == \
            tuple(meta["symbolic_shape"])


@pytest.mark.parametrize("name", CROSS_CASES)
def test_hashed_crossing_matches_keras_bits(name):
    meta = META[name]
    layer = make(name)
    inputs = [np.asarray(v) for v in meta["inputs"]]
    out = layer(inputs)
    want = np.asarray(meta["output"])
    assert out.shape == want.shape
    np.testing.assert_array_equal(out, want)
    assert out.dtype == (np.int64 if meta["kwargs"].get(
        "output_mode", "int") == "int" else np.float32)
    assert layer.compute_output_shape(
        [v.shape for v in inputs]) == want.shape


def test_hashed_crossing_bytes_and_object_inputs_hash_as_text():
    layer = layers.HashedCrossing(num_bins=5)
    words = [np.array([b"A", b"B"]), np.array([101, 101], np.int32)]
    np.testing.assert_array_equal(layer(words), [1, 4])
    mixed = [np.array(["A", "B"], dtype=object), np.array([101, 101])]
    np.testing.assert_array_equal(layer(mixed), [1, 4])


@pytest.mark.parametrize("bad,match", [
    (np.array([1, 2]), "list or tuple"),
    ([np.array([1, 2])], "at least two"),
    ([np.array([[1.0]]), np.array([[2.0]])], "integer or string"),
    ([np.array([[1, 2]]), np.array([[3, 4]])], "should have shape"),
    ([np.array([1, 2]), np.array([1, 2, 3])], "equal shape"),
])
def test_hashed_crossing_refuses_bad_inputs(bad, match):
    with pytest.raises(ValueError, match=match):
        layers.HashedCrossing(num_bins=4)(bad)


def test_hashed_crossing_refuses_bad_arguments():
    with pytest.raises(ValueError, match="output_mode"):
        layers.HashedCrossing(4, output_mode="multi_hot")
    with pytest.raises(ValueError, match="sparse"):
        layers.HashedCrossing(4, sparse=True)
    with pytest.raises(ValueError, match="num_bins"):
        layers.HashedCrossing(0)


# ---- adaptive pooling ------------------------------------------------------

@pytest.mark.parametrize("rank,fmt", [(1, "channels_last"),
                                      (2, "channels_first"),
                                      (3, "channels_last")])
@pytest.mark.parametrize("kind", ["Average", "Max"])
def test_adaptive_pooling_equals_the_ops(rank, fmt, kind):
    rng = np.random.default_rng(rank)
    shape = (2, 3) + (7, 5, 6)[:rank] if fmt == "channels_first" else \
        (2,) + (7, 5, 6)[:rank] + (3,)
    x = rng.standard_normal(shape).astype(np.float32)
    size = (3, 5, 4)[:rank]
    layer = getattr(layers, f"Adaptive{kind}Pooling{rank}D")(
        size, data_format=fmt)
    op = ops.adaptive_average_pool if kind == "Average" else \
        ops.adaptive_max_pool
    np.testing.assert_allclose(layer(x), op(x, size, data_format=fmt),
                               rtol=1e-6, atol=1e-6)


def test_adaptive_pooling_on_a_large_batch_is_not_slow():
    """32 x 56 x 56 x 64 to 7 x 7: both layers, forward and backward,
    against numpy's reshape-and-reduce (7 divides 56: equal bins)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 56, 56, 64)).astype(np.float32)
    blocks = x.reshape(32, 7, 8, 7, 8, 64)
    avg = layers.AdaptiveAveragePooling2D(7)
    np.testing.assert_allclose(avg(x, training=True),
                               blocks.mean(axis=(2, 4)), atol=1e-5)
    dx = avg.backward(np.ones((32, 7, 7, 64), np.float32))
    np.testing.assert_allclose(dx, np.full(x.shape, 1 / 64), rtol=1e-6)
    mx = layers.AdaptiveMaxPooling2D(7)
    np.testing.assert_array_equal(mx(x, training=True),
                                  blocks.max(axis=(2, 4)))
    dx = mx.backward(np.ones((32, 7, 7, 64), np.float32))
    assert dx.sum() == 32 * 7 * 7 * 64 and set(np.unique(dx)) == {0, 1}


def test_adaptive_pooling_refuses_bad_arguments():
    with pytest.raises(TypeError, match="output_size"):
        layers.AdaptiveAveragePooling2D((2, 3, 4))
    with pytest.raises(ValueError, match="positive integer"):
        layers.AdaptiveMaxPooling1D(0)
    with pytest.raises(ValueError, match="data_format"):
        layers.AdaptiveMaxPooling1D(2, data_format="channels_middle")
    with pytest.raises(ValueError, match="ndim|rank|dimension"):
        layers.AdaptiveAveragePooling2D(2)(np.zeros((2, 4, 3), np.float32))


# ---- RMSNormalization --------------------------------------------------------

def test_rms_normalization_equals_the_op():
    x = np.random.default_rng(3).standard_normal((3, 4, 6)).astype(
        np.float32)
    layer = layers.RMSNormalization(axis=-1, epsilon=1e-4)
    layer(x)
    scale = np.linspace(0.5, 2.0, 6).astype(np.float32)
    layer.set_weights([scale])
    np.testing.assert_allclose(
        layer(x), ops.rms_normalization(x, scale, axis=-1, epsilon=1e-4),
        rtol=1e-5, atol=1e-6)


def test_rms_normalization_refuses_axes_scale_cannot_follow():
    with pytest.raises(ValueError, match="last axes"):
        layers.RMSNormalization(axis=1)(np.ones((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="out of bounds"):
        layers.RMSNormalization(axis=3)(np.ones((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="axis"):
        layers.RMSNormalization(axis="last")
    with pytest.raises(ValueError, match="epsilon"):
        layers.RMSNormalization(epsilon=-1)


# ---- ReversibleEmbedding ------------------------------------------------------

def test_reversible_embedding_mask_and_modes():
    name = "reversible_mask_zero_forward"
    layer, out = run_case(name)
    ids = ARRAYS[f"{name}/in/x"]
    np.testing.assert_array_equal(layer.compute_mask(ids), ids != 0)
    np.testing.assert_array_equal(layer.compute_mask(ids),
                                  ARRAYS[f"{name}/mask"])
    logits = layer(out, reverse=True)
    assert logits.shape == (2, 3, 11)
    assert layer.compute_mask(out) is None       # no mask after reverse
    np.testing.assert_allclose(
        logits, out @ layer.reverse_embeddings.numpy(), rtol=1e-6)
    assert layer.compute_output_shape((2, 3)) == (2, 3, 3)
    assert layer.compute_output_shape((2, 3, 3), reverse=True) == (2, 3, 11)


def test_reversible_embedding_in_a_functional_model_uses_both_modes():
    ids = keras.Input((4,), dtype="int32")
    emb = layers.ReversibleEmbedding(9, 5)
    hidden = emb(ids)
    assert hidden.shape == (None, 4, 5)
    logits = emb(hidden, reverse=True)
    assert logits.shape == (None, 4, 9)
    model = keras.Model(ids, logits)
    tokens = np.array([[1, 2, 3, 8], [0, 0, 4, 5]])
    table = emb.embeddings.numpy()
    np.testing.assert_allclose(model.predict(tokens, verbose=0),
                               table[tokens] @ table.T, rtol=1e-5,
                               atol=1e-7)


def test_reversible_embedding_reverse_dtype():
    layer = layers.ReversibleEmbedding(6, 3, reverse_dtype="float64")
    layer.build(None)
    x = np.random.default_rng(1).standard_normal((2, 3))
    out = layer(x, reverse=True)
    assert out.dtype == np.float64
    # the layer's float32 input cast to float64, then a float64 GEMM
    np.testing.assert_allclose(out, x.astype(np.float32).astype(np.float64)
                               @ layer.embeddings.numpy().T.astype(
                                   np.float64), rtol=1e-12)
    with pytest.raises(ValueError, match="reverse_dtype"):
        layers.ReversibleEmbedding(6, 3, reverse_dtype="bfloat16")
    with pytest.raises(ValueError, match="logit_soft_cap"):
        layers.ReversibleEmbedding(6, 3, logit_soft_cap=-1.0)
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\)"):
        layer(np.ones((2, 4), np.float32), reverse=True)


# ---- spectrograms ---------------------------------------------------------------

def test_stft_spectrogram_kernels_are_the_stft_initializer():
    layer = layers.STFTSpectrogram(mode="stft", frame_length=8,
                                   frame_step=4, window="hamming")
    layer.build((None, 32, 1))
    real = keras.initializers.STFT("real", "hamming", "density", False)(
        (8, 1, 5))
    np.testing.assert_array_equal(layer.real_kernel.numpy(), real)
    # stft mode equals a windowed rfft of every frame (density scaling)
    x = np.random.default_rng(4).standard_normal((1, 32, 1)).astype(
        np.float32)
    out = layer(x)
    k = np.arange(8)
    win = 0.54 - 0.46 * np.cos(2 * np.pi * k / 7)
    frames = np.stack([x[0, i:i + 8, 0] for i in range(0, 25, 4)])
    spec = np.fft.rfft(frames * win, 8) / np.sqrt(np.sum(win ** 2))
    np.testing.assert_allclose(out[0], np.concatenate(
        [spec.real, spec.imag], axis=-1), atol=1e-5)


def test_stft_spectrogram_refuses_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="frame_step"):
        layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match="fft_length"):
        layers.STFTSpectrogram(frame_length=8, fft_length=4)
    with pytest.raises(ValueError, match="mode"):
        layers.STFTSpectrogram(mode="phase")
    with pytest.raises(ValueError, match="Padding"):
        layers.STFTSpectrogram(padding="causal")
    with pytest.raises(ValueError):
        layers.STFTSpectrogram(window="no-such-window")
    with pytest.warns(UserWarning, match="power of two"):
        layers.STFTSpectrogram(frame_length=8, fft_length=12)
    with pytest.raises(ValueError, match="shorter than frame_length"):
        layers.STFTSpectrogram(frame_length=16)(np.zeros((1, 8, 1),
                                                         np.float32))


def test_mel_spectrogram_refuses_bad_input_and_has_no_input_gradient():
    layer = layers.MelSpectrogram(fft_length=16, sequence_stride=4,
                                  num_mel_bins=4, sampling_rate=100)
    with pytest.raises(ValueError, match="samples"):
        layer(np.zeros((1, 2, 40), np.float32))
    with pytest.raises(ValueError, match="too few"):
        layer(np.zeros((1, 6), np.float32))
    with pytest.raises(ValueError, match="fft_length"):
        layers.MelSpectrogram(fft_length=16, sequence_length=32)
    layer(np.ones((1, 40), np.float32), training=True)
    with pytest.raises(NotImplementedError, match="preprocessing"):
        layer.backward(np.ones((1, 4, 11), np.float32))


# ---- .keras files saved by Keras ---------------------------------------------

@pytest.mark.parametrize("which", ["audio", "lm"])
def test_keras_saved_models_load_and_predict(which):
    model = keras.saving.load_model(
        os.path.join(HERE, "saved", f"misc_{which}.keras"))
    x = ARRAYS[f"model_{which}/in"]
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               ARRAYS[f"model_{which}/out"], atol=1e-5,
                               rtol=1e-5)
    paths = [w.path for w in model.weights]
    strip = lambda p: p.rsplit("/", 1)[1]   # layer names differ by counter
    assert [strip(p) for p in paths] == \
        [strip(p) for p in META["models"][which]]


def test_saved_models_round_trip_through_seqcore(tmp_path):
    model = keras.saving.load_model(os.path.join(HERE, "saved",
                                                 "misc_lm.keras"))
    path = str(tmp_path / "lm.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    x = ARRAYS["model_lm/in"]
    np.testing.assert_allclose(again.predict(x, verbose=0),
                               ARRAYS["model_lm/out"], atol=1e-5, rtol=1e-5)


# ---- Wrapper -------------------------------------------------------------------

class Doubler(layers.Wrapper):
    """A user's wrapper: twice the wrapped layer's output."""

    def call(self, x):
        return 2 * self.layer(x)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)


def test_wrapper_subclass_config_weights_and_training():
    wrapper = Doubler(layers.Dense(3, name="inner"), name="doubler")
    wrapper.build((None, 4))
    meta = META["wrapper"]
    assert [w.path for w in wrapper.weights] == meta["weight_paths"]
    config = _normalize(wrapper.get_config())
    want = _normalize(meta["config"])
    for c in (config, want):
        c["layer"].pop("build_config", None)
        inner = c["layer"]["config"]
        inner.pop("quantization_config", None)
        inner["kernel_initializer"]["config"].pop("input_axes", None)
        inner["kernel_initializer"]["config"].pop("output_axes", None)
    assert config == want
    clone = Doubler.from_config(wrapper.get_config())
    assert isinstance(clone.layer, layers.Dense) and clone.layer.units == 3
    x = np.random.default_rng(5).standard_normal((6, 4)).astype(np.float32)
    kernel, bias = wrapper.layer.get_weights()
    np.testing.assert_allclose(wrapper(x), 2 * (x @ kernel + bias),
                               rtol=1e-5)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, Doubler(layers.Dense(1))(inputs))
    model.compile(optimizer="sgd", loss="mse")
    y = x.sum(axis=1, keepdims=True)
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, verbose=0)
    assert model.evaluate(x, y, verbose=0) < first


def test_wrapper_refuses_non_layers_and_time_distributed_is_one():
    with pytest.raises(ValueError, match="supplied to Wrapper"):
        layers.Wrapper("dense")
    with pytest.raises(ValueError, match="TimeDistributed"):
        layers.TimeDistributed("dense")
    assert isinstance(layers.TimeDistributed(layers.Dense(2)),
                      layers.Wrapper)
    assert not isinstance(layers.Bidirectional(layers.LSTM(2)),
                          layers.Wrapper)   # as in Keras
