"""Preprocessing layers beyond the forward fixtures: adapt(), vocabularies
(Keras's lookup layers need TensorFlow, so these are checked against
their documented behaviour), text, augmentations in training, gradients."""
import pathlib

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from seqcore.layers.preprocessing import _affine
from tests.fixtures.catalogue_cases import (AFFINE, AFFINE_IMAGES,
                                            DISCRETIZATION_ADAPT)
from tests.test_gradients import check

FORWARD = np.load(pathlib.Path(__file__).parent / "fixtures" /
                  "catalogue_forward.npz")
RNG = np.random.default_rng(160)


# ---- numeric ----------------------------------------------------------------

@pytest.mark.parametrize("name,transform,interpolation,fill_mode", AFFINE)
def test_affine_resampling_matches_keras(name, transform, interpolation,
                                         fill_mode):
    got = _affine.affine_transform(AFFINE_IMAGES, np.array([transform]),
                                   interpolation, fill_mode, 0.25)
    np.testing.assert_allclose(got, FORWARD[f"affine/{name}"], atol=1e-5)


@pytest.mark.parametrize("num_bins,epsilon", [(4, 0.01), (7, 0.05)])
def test_discretization_adapt_matches_keras_quantiles(num_bins, epsilon):
    layer = layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    layer.adapt(DISCRETIZATION_ADAPT)
    np.testing.assert_allclose(
        layer.bin_boundaries,
        FORWARD[f"discretization_adapt/{num_bins}_{epsilon}"], rtol=1e-6)
    ids = layer(np.array([[-9.0, 0.0, 9.0]]))
    assert ids.dtype == np.int32 and ids[0, 0] == 0 and \
        ids[0, 2] == num_bins - 1


def test_normalization_adapt_on_batches_equals_one_array():
    data = RNG.normal(2.0, 3.0, (50, 3))
    whole = layers.Normalization()
    whole.adapt(data)
    batched = layers.Normalization()
    batched.adapt([data[:7], data[7:30], data[30:]])
    np.testing.assert_allclose(batched.adapt_mean.numpy(), data.mean(0),
                               rtol=1e-5)
    np.testing.assert_allclose(batched.adapt_variance.numpy(),
                               data.var(0), rtol=1e-5)
    np.testing.assert_allclose(whole(data), batched(data), atol=1e-5)
    y = whole(data)
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(0), 1, atol=1e-4)


def test_normalization_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match="range"):
        layers.Normalization(axis=3)(np.zeros((2, 3), np.float32))
    layer = layers.Normalization()
    layer.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.ones((4, 5)))


@pytest.mark.parametrize("make,fn", [
    (lambda: layers.Rescaling(0.5, offset=1.0), lambda x: 0.5 * x + 1),
    (lambda: layers.Normalization(mean=[1.0, -1.0, 0.0],
                                  variance=[4.0, 1.0, 0.25]),
     lambda x: (x - np.array([1.0, -1.0, 0.0])) / np.array([2.0, 1.0, 0.5])),
    (lambda: layers.Normalization(mean=1.0, variance=4.0, invert=True),
     lambda x: 1.0 + 2.0 * x)])
def test_scaling_gradients(make, fn):
    check(make(), RNG.standard_normal((2, 4, 3)).astype(np.float32), fn)


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.Resizing(5, 3), (2, 4, 6, 2)),
    (lambda: layers.Resizing(3, 3, interpolation="nearest",
                             crop_to_aspect_ratio=True), (1, 5, 4, 2)),
    (lambda: layers.Resizing(4, 4, pad_to_aspect_ratio=True), (1, 2, 4, 1)),
    (lambda: layers.CenterCrop(3, 2), (2, 5, 4, 1)),
    (lambda: layers.CenterCrop(5, 5), (1, 3, 4, 2))])
def test_resizing_gradients_are_the_transposed_maps(make, shape):
    layer = make()
    x = RNG.standard_normal(shape).astype(np.float32)
    y = layer(x, training=True)
    dy = RNG.standard_normal(y.shape).astype(np.float32)
    dx = layer.backward(dy)
    # The layers are affine in x: <dy, J dx_probe> = <J^T dy, dx_probe>.
    probe = RNG.standard_normal(shape).astype(np.float32)
    jvp = layer(x + probe) - layer(x)
    np.testing.assert_allclose(np.sum(dy * jvp), np.sum(dx * probe),
                               rtol=1e-4)


def test_category_encoding_count_weights_and_errors():
    layer = layers.CategoryEncoding(4, output_mode="count")
    out = layer(np.array([[0, 1, 1], [3, 3, 3]]),
                count_weights=np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 1.0]]))
    np.testing.assert_allclose(out, [[0.5, 3.0, 0, 0], [0, 0, 0, 3.0]])
    with pytest.raises(ValueError, match="out of range"):
        layers.CategoryEncoding(3)(np.array([[0, 3]]))
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="output_mode"):
        layers.CategoryEncoding(3, output_mode="tf_idf")


# ---- vocabularies -----------------------------------------------------------

def test_integer_lookup_int_mode_layout_and_invert():
    layer = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42],
                                 mask_token=0)
    assert layer.get_vocabulary() == [0, -1, 12, 36, 1138, 42]
    np.testing.assert_array_equal(
        layer(np.array([[12, 1138, 42], [42, 1000, 0]])),
        [[2, 4, 5], [5, 1, 0]])
    back = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], invert=True)
    np.testing.assert_array_equal(back(np.array([[1, 3, 0, 9]])),
                                  [[12, 1138, -1, -1]])


def test_integer_lookup_adapt_orders_by_frequency_then_token():
    layer = layers.IntegerLookup(max_tokens=4)
    layer.adapt(np.array([[7, 7, 7, 5], [5, 9, 9, 2], [2, 3, 11, 11]]))
    # 7 x3; 11, 9, 5, 2 x2 (ties: larger first); max_tokens keeps 3 + OOV.
    assert layer.get_vocabulary() == [-1, 7, 11, 9]
    assert layer.vocabulary_size() == 4


def test_integer_lookup_several_oov_indices_use_floormod():
    layer = layers.IntegerLookup(vocabulary=[10, 20], num_oov_indices=3)
    np.testing.assert_array_equal(layer(np.array([10, 20, 4, 5, 6])),
                                  [3, 4, 1, 2, 0])


def test_lookup_encodings():
    layer = layers.StringLookup(vocabulary=["a", "b", "c"],
                                output_mode="multi_hot")
    np.testing.assert_array_equal(
        layer(np.array([["a", "c", "a"], ["z", "b", "b"]])),
        [[0, 1, 0, 1], [1, 0, 1, 0]])
    count = layers.StringLookup(vocabulary=["a", "b", "c"],
                                output_mode="count", mask_token="")
    np.testing.assert_array_equal(count(np.array([["a", "", "a", "q"]])),
                                  [[1, 2, 0, 0]])
    one = layers.IntegerLookup(vocabulary=[5, 6], output_mode="one_hot")
    np.testing.assert_array_equal(one(np.array([6, 1])),
                                  [[0, 0, 1], [1, 0, 0]])
    padded = layers.IntegerLookup(vocabulary=[5, 6], max_tokens=6,
                                  output_mode="multi_hot",
                                  pad_to_max_tokens=True)
    assert padded(np.array([[5]])).shape == (1, 6)


def test_lookup_tf_idf_from_adapt():
    layer = layers.StringLookup(output_mode="tf_idf")
    docs = np.array([["a", "a", "b"], ["a", "c", "c"], ["b", "a", "d"]])
    layer.adapt(docs)
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b", "d"]
    idf = {t: np.log(1 + 3 / (1 + n)) for t, n in
           {"a": 3, "c": 1, "b": 2, "d": 1}.items()}
    out = layer(np.array([["a", "a", "c", "zz"]]))
    mean = np.mean(list(idf[t] for t in "acbd"))
    np.testing.assert_allclose(out, [[mean, 2 * idf["a"], idf["c"], 0, 0]],
                               rtol=1e-6)


def test_string_lookup_adapt_and_invert_round_trip():
    layer = layers.StringLookup(mask_token="[PAD]")
    layer.adapt(["the", "cat", "the", "dog", "the", "cat"])
    assert layer.get_vocabulary() == ["[PAD]", "[UNK]", "the", "cat", "dog"]
    ids = layer(np.array([["the", "[PAD]", "bird"]]))
    np.testing.assert_array_equal(ids, [[2, 0, 1]])
    back = layers.StringLookup(vocabulary=layer.get_vocabulary(),
                               mask_token="[PAD]", invert=True)
    assert back(ids).tolist() == [["the", "[PAD]", "[UNK]"]]
    assert layers.StringLookup(vocabulary=["x"])(np.array(
        [b"x", b"y"])).tolist() == [1, 0]


@pytest.mark.parametrize("make,match", [
    (lambda: layers.StringLookup(vocabulary=["a", "a"]), "repeated"),
    (lambda: layers.StringLookup(vocabulary=["a", ""], mask_token=""),
     "mask token"),
    (lambda: layers.StringLookup(salt=3), "SipHash"),
    (lambda: layers.IntegerLookup(max_tokens=1), "max_tokens"),
    (lambda: layers.IntegerLookup(output_mode="tf_idf", vocabulary=[1]),
     "idf_weights"),
    (lambda: layers.IntegerLookup(invert=True, output_mode="count"),
     "invert"),
    (lambda: layers.StringLookup(vocabulary=["a", "b"], max_tokens=2),
     "larger than the maximum")])
def test_lookup_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_lookup_without_oov_index_refuses_unknown_tokens():
    layer = layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)
    np.testing.assert_array_equal(layer(np.array([1, 2])), [0, 1])
    with pytest.raises(ValueError, match="num_oov_indices"):
        layer(np.array([3]))


def test_lookup_config_round_trip():
    layer = layers.IntegerLookup(vocabulary=[4, 8], mask_token=0)
    config = layer.get_config()
    assert config["vocabulary"] == [4, 8] and config["vocabulary_size"] == 4
    again = layers.IntegerLookup.from_config(config)
    np.testing.assert_array_equal(again(np.array([8, 0, 5])), [3, 0, 1])


# ---- text -------------------------------------------------------------------

TEXT = np.array(["The cat sat.", "the DOG, the cat!", "A bird"])


def test_text_vectorization_int_mode():
    layer = layers.TextVectorization()
    layer.adapt(TEXT)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat",
                                      "dog", "bird", "a"]
    out = layer(np.array(["the cat flew", "a"]))
    np.testing.assert_array_equal(out, [[2, 3, 1], [7, 0, 0]])
    fixed = layers.TextVectorization(output_sequence_length=2,
                                     vocabulary=["cat", "the"])
    np.testing.assert_array_equal(
        fixed(np.array([["the cat sat"], ["cat"]])), [[3, 2], [2, 0]])


def test_text_vectorization_ngrams_split_and_standardize():
    layer = layers.TextVectorization(ngrams=2, standardize="lower")
    layer.adapt(["a b a b"])
    # a, b and "a b" appear twice (ties: the larger token first).
    assert layer.get_vocabulary()[2:] == ["b", "a b", "a", "b a"]
    chars = layers.TextVectorization(split="character", standardize=None,
                                     vocabulary=["a", "b", "C"])
    np.testing.assert_array_equal(chars(np.array(["abC!"])), [[2, 3, 4, 1]])
    whole = layers.TextVectorization(split=None, vocabulary=["hi there"])
    np.testing.assert_array_equal(whole(np.array(["Hi, there"])), [[2]])


@pytest.mark.parametrize("mode,want", [
    ("multi_hot", [[0, 1, 1, 0], [1, 1, 0, 1]]),
    ("count", [[0, 2, 1, 0], [1, 1, 0, 1]])])
def test_text_vectorization_bag_of_words(mode, want):
    layer = layers.TextVectorization(output_mode=mode,
                                     vocabulary=["the", "cat", "dog"])
    np.testing.assert_array_equal(
        layer(np.array(["The the cat", "the dog ate"])), want)


def test_text_vectorization_tf_idf_and_errors():
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(["a a b", "a c"])
    assert layer.get_vocabulary() == ["[UNK]", "a", "c", "b"]
    np.testing.assert_allclose(layer(np.array(["a b b"]))[0, [1, 3]],
                               [np.log(1 + 2 / 3), 2 * np.log(1 + 2 / 2)],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count",
                                 output_sequence_length=3)
    with pytest.raises(ValueError, match="standardize"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ValueError, match="rank"):
        layers.TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))


def test_text_vectorization_config_round_trip():
    layer = layers.TextVectorization(max_tokens=10, ngrams=(1, 3),
                                     vocabulary=["x", "y"],
                                     output_sequence_length=4)
    config = layer.get_config()
    assert {"max_tokens", "standardize", "split", "ngrams", "output_mode",
            "output_sequence_length", "pad_to_max_tokens", "sparse",
            "ragged", "vocabulary", "idf_weights", "encoding",
            "vocabulary_size"} <= set(config)
    again = layers.TextVectorization.from_config(config)
    np.testing.assert_array_equal(again(np.array(["y x z"])),
                                  layer(np.array(["y x z"])))


# ---- augmentations ----------------------------------------------------------

IMAGES = RNG.uniform(0, 1, (4, 5, 6, 2)).astype(np.float32)


@pytest.mark.parametrize("make", [
    lambda: layers.RandomFlip(seed=1), lambda: layers.RandomRotation(
        0.3, seed=1), lambda: layers.RandomZoom(0.3, seed=1),
    lambda: layers.RandomTranslation(0.3, 0.3, seed=1),
    lambda: layers.RandomCrop(3, 4, seed=1),
    lambda: layers.RandomContrast(0.5, value_range=(0, 1), seed=1),
    lambda: layers.RandomBrightness(0.3, value_range=(0, 1), seed=1)])
def test_augmentations_are_seeded_and_off_at_inference(make):
    a, b = make(), make()
    first = a(IMAGES, training=True)
    np.testing.assert_array_equal(first, b(IMAGES, training=True))
    assert not np.array_equal(a(IMAGES, training=True), first)
    np.testing.assert_array_equal(a(IMAGES, training=False), IMAGES)
    # As Keras 3: a call that does not say augments; predict does not.
    assert not np.array_equal(make()(IMAGES), IMAGES)
    model = keras.Sequential([keras.Input(IMAGES.shape[1:]), make()])
    np.testing.assert_array_equal(model.predict(IMAGES, verbose=0), IMAGES)
    single = make()(IMAGES[0], training=True)
    assert single.shape == first.shape[1:]


def test_random_flip_flips_whole_images():
    layer = layers.RandomFlip("horizontal", seed=3)
    out = layer(IMAGES, training=True)
    for got, image in zip(out, IMAGES):
        assert np.array_equal(got, image) or \
            np.array_equal(got, image[:, ::-1])
    both = layers.RandomFlip(seed=5)(IMAGES, training=True)
    for got, image in zip(both, IMAGES):
        assert np.array_equal(got, image) or \
            np.array_equal(got, image[::-1, ::-1])


def test_half_turn_rotation_zero_zoom_and_whole_pixel_shift():
    turned = layers.RandomRotation((0.5, 0.5))(IMAGES, training=True)
    np.testing.assert_allclose(turned, IMAGES[:, ::-1, ::-1], atol=1e-5)
    same = layers.RandomZoom((0.0, 0.0))(IMAGES, training=True)
    np.testing.assert_allclose(same, IMAGES, atol=1e-6)
    shifted = layers.RandomTranslation((0.2, 0.2), (0.0, 0.0),
                                       fill_mode="constant")(
        IMAGES, training=True)
    np.testing.assert_allclose(shifted[:, 1:], IMAGES[:, :-1], atol=1e-6)
    np.testing.assert_array_equal(shifted[:, 0], 0.0)


def test_random_crop_windows_and_colour_changes():
    crop = layers.RandomCrop(3, 4, seed=2)(IMAGES, training=True)
    found = [(t, l) for t in range(3) for l in range(3)
             if np.array_equal(crop, IMAGES[:, t:t + 3, l:l + 4])]
    assert len(found) == 1
    bright = layers.RandomBrightness((0.1, 0.1), value_range=(0, 1))(
        IMAGES, training=True)
    np.testing.assert_allclose(bright, np.minimum(IMAGES + 0.1, 1.0),
                               atol=1e-6)
    contrast = layers.RandomContrast((0.5, 0.5), value_range=(0, 1), seed=4)
    out = contrast(IMAGES, training=True)
    mean = IMAGES.mean(axis=(1, 2), keepdims=True)
    factor = (out - mean) / (IMAGES - mean)
    assert np.all((factor > 0.5 - 1e-3) & (factor < 1.5 + 1e-3))


@pytest.mark.parametrize("make,match", [
    (lambda: layers.RandomFlip("diagonal"), "mode"),
    (lambda: layers.RandomRotation(2.0), "factor"),
    (lambda: layers.RandomContrast(1.5), "factor"),
    (lambda: layers.RandomBrightness(0.2, value_range=(0,)), "value_range"),
    (lambda: layers.RandomCrop(0, 3), "height"),
    (lambda: layers.Resizing(4, 4, interpolation="area"),
     "interpolation")])
def test_augmentation_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()
    with pytest.raises(NotImplementedError, match="fill_mode"):
        layers.RandomZoom(0.1, fill_mode="smear")


# ---- hashing ----------------------------------------------------------------

def test_farmhash_fingerprint64_reference_values():
    from seqcore.layers.preprocessing._farmhash import fingerprint64
    signed = lambda v: v - (1 << 64) if v >= 1 << 63 else v  # noqa: E731
    # Published reference values (FarmHash's Fingerprint64, as Guava's).
    assert signed(fingerprint64(b"test")) == 8581389452482819506
    assert signed(fingerprint64(b"test" * 8)) == -4196240717365766262
    assert signed(fingerprint64(b"test" * 64)) == 3500507768004279527


def test_farmhash_fingerprint64_over_every_length_up_to_3200_bytes():
    """The mixing walk of FarmHash's own length test: fingerprints of
    prefixes of a buffer it grows from earlier fingerprints; the final
    value is the C++ reference implementation's."""
    from seqcore.layers.preprocessing._farmhash import fingerprint64
    mask = (1 << 64) - 1
    buf, used, h = bytearray(3200), 0, 0
    for i in range(800):
        for k in range(4):
            length = (i, i * i % used if used else 0,
                      i ** 3 % used if used else 0, used)[k]
            h ^= fingerprint64(bytes(buf[:length]))
            h = ((h ^ (h >> 41)) * 949921979) & mask
            buf[used] = ord("a") + (h & 0xFFFFF) % 26
            used += 1
        x0, x1, x2, x3 = buf[used - 1], buf[used - 2], buf[used - 3], \
            buf[used // 2]
        buf[((x0 << 16) + (x1 << 8) + x2) % used] ^= x3
        buf[((x1 << 16) + (x2 << 8) + x3) % used] ^= i % 256
    assert h == 0x7A1D67C50EC7E167


def test_hashing_matches_keras_documented_buckets():
    letters = np.array([["A"], ["B"], ["C"], ["D"], ["E"]])
    np.testing.assert_array_equal(layers.Hashing(3)(letters).ravel(),
                                  [1, 0, 1, 1, 2])
    masked = layers.Hashing(3, mask_value="")(
        np.array([["A"], ["B"], [""], ["C"], ["D"]]))
    np.testing.assert_array_equal(masked.ravel(), [1, 1, 0, 2, 2])
    # TensorFlow's to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3).
    np.testing.assert_array_equal(
        layers.Hashing(3)(np.array(["Hello", "TensorFlow", "2.x"])),
        [0, 2, 2])


def test_hashing_integers_hash_their_decimal_text_and_encodings():
    ints = layers.Hashing(7)(np.array([[12, 345]]))
    text = layers.Hashing(7)(np.array([["12", "345"]]))
    np.testing.assert_array_equal(ints, text)
    hot = layers.Hashing(4, output_mode="multi_hot")(
        np.array([["A", "B", "A"]]))
    want = np.zeros((1, 4))
    want[0, layers.Hashing(4)(np.array(["A", "B"]))] = 1
    np.testing.assert_array_equal(hot, want)
    layer = layers.Hashing(5, mask_value=0)
    assert layer.get_config()["dtype"]["config"]["name"] == "int64"
    again = layers.Hashing.from_config(layer.get_config())
    np.testing.assert_array_equal(again(np.array([0, 9, 11])),
                                  layer(np.array([0, 9, 11])))
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(0)
    with pytest.raises(ValueError, match="SipHash"):
        layers.Hashing(3, salt=133)


def test_string_lookup_hashes_unknown_tokens_into_several_oov_indices():
    layer = layers.StringLookup(vocabulary=["a"], num_oov_indices=3)
    got = layer(np.array(["a", "A", "B", "E"]))
    want = [3] + [layers.Hashing(3)(np.array([t]))[0] for t in "ABE"]
    np.testing.assert_array_equal(got, want)


# ---- raw data inside a model ----------------------------------------------------

def test_text_model_from_raw_strings_trains_saves_and_reloads(tmp_path):
    import seqcore as keras
    keras.utils.set_random_seed(4)
    vectorize = layers.TextVectorization(output_sequence_length=5)
    vectorize.adapt(["the cat sat", "a dog ran far away", "the end"])
    inputs = keras.Input(shape=(1,), dtype="string")
    x = vectorize(inputs)
    x = layers.Embedding(vectorize.vocabulary_size(), 4, mask_zero=True)(x)
    x = layers.Bidirectional(layers.LSTM(3))(x)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
    text = np.array([["the cat"], ["a dog ran"], ["far far away the end"]])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(text, np.array([1, 0, 1]), epochs=30, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save(tmp_path / "text.keras")
    # The adapted vocabulary travels in the config.
    loaded = keras.saving.load_model(tmp_path / "text.keras")
    np.testing.assert_array_equal(loaded.predict(text, verbose=0),
                                  model.predict(text, verbose=0))


@pytest.mark.parametrize("make,data,probe", [
    (lambda: layers.IntegerLookup(mask_token=0), np.array([[3, 3, 0, 5]]),
     np.array([[5, 0, 7, 3]])),
    (lambda: layers.StringLookup(output_mode="tf_idf"),
     np.array([["a", "a", "b"], ["c", "a", "d"]]), np.array([["a", "q"]])),
    (lambda: layers.TextVectorization(output_mode="count", ngrams=2),
     np.array(["a b a", "c a b"]), np.array(["a b c"]))])
def test_adapted_vocabularies_survive_the_config(make, data, probe):
    layer = make()
    layer.adapt(data)
    again = type(layer).from_config(layer.get_config())
    assert again.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_array_equal(again(probe), layer(probe))
