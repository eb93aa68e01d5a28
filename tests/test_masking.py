"""Masks inside seqcore: the mask-aware layers against numpy references and
float64 finite differences, the weighting helper's edge cases, masks
through functional graphs (explicit masks, states, several outputs), and
metric names. Keras fixtures are in test_masking_vs_keras.py."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers, losses
from seqcore.engine import masking
from seqcore.layers.normalization import _masked_moments

RNG = np.random.default_rng(42)
MASK = np.array([[1, 1, 0, 1, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1],
                 [1, 1, 1, 1, 1, 1, 1]], bool)


# ---- GlobalAveragePooling1D -------------------------------------------------

@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_average_pooling_with_explicit_mask(data_format, keepdims):
    x = RNG.standard_normal((3, 7, 5)).astype(np.float32)
    layer = layers.GlobalAveragePooling1D(data_format=data_format,
                                          keepdims=keepdims)
    given = x if data_format == "channels_last" else x.transpose(0, 2, 1)
    got = layer(given, mask=MASK)
    want = np.stack([x[i][MASK[i]].mean(axis=0) for i in range(3)])
    if keepdims:
        want = want[:, None, :] if data_format == "channels_last" \
            else want[:, :, None]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert layer.compute_mask(given, MASK) is None


def test_global_average_pooling_backward_with_mask():
    """y = sum over real steps / their count: dx = dy / count there, 0 at
    padded steps; checked against central differences (y is linear)."""
    x = RNG.standard_normal((3, 7, 5)).astype(np.float32)
    dy = RNG.standard_normal((3, 5)).astype(np.float32)
    layer = layers.GlobalAveragePooling1D()
    layer(x, training=True, mask=MASK)
    dx = layer.backward(dy)
    count = MASK.sum(axis=1, keepdims=True)[..., None]
    np.testing.assert_allclose(dx, dy[:, None, :] * MASK[..., None] / count,
                               rtol=1e-6)
    numeric = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += 0.5
        down[index] -= 0.5
        numeric[index] = np.sum(dy * (layer(up, mask=MASK) -
                                      layer(down, mask=MASK)))
    np.testing.assert_allclose(dx, numeric, rtol=1e-4, atol=1e-6)


def test_global_average_pooling_rejects_a_mask_of_the_wrong_shape():
    x = np.zeros((3, 7, 5), np.float32)
    with pytest.raises(ValueError, match=r"\(batch, steps\) = \(3, 7\)"):
        layers.GlobalAveragePooling1D()(x, mask=MASK[:, :5])


# ---- BatchNormalization in training -----------------------------------------

def _bn_reference(x, mask, gamma, beta):
    """float64 masked batch normalization as Keras defines it."""
    m = np.broadcast_to(mask[..., None], x.shape)
    weight = m.sum(axis=(0, 1)) + 1e-7
    mean = np.where(m, x, 0).sum(axis=(0, 1)) / weight
    var = np.square(np.where(m, x - mean, 0)).sum(axis=(0, 1)) / weight
    return gamma * (x - mean) / np.sqrt(var + 1e-3) + beta


def test_batch_normalization_masked_statistics_and_gradient():
    x = (RNG.standard_normal((3, 7, 4)) * 2 + 1).astype(np.float32)
    r = RNG.standard_normal(x.shape)
    layer = layers.BatchNormalization()
    layer.build(x.shape)
    gamma = RNG.uniform(0.5, 1.5, 4).astype(np.float32)
    beta = RNG.standard_normal(4).astype(np.float32)
    layer.set_weights([gamma, beta, np.zeros(4, np.float32),
                       np.ones(4, np.float32)])
    y = layer(x, training=True, mask=MASK)
    np.testing.assert_allclose(y, _bn_reference(x.astype(np.float64), MASK,
                                                gamma, beta),
                               rtol=1e-4, atol=1e-5)
    mean, var = _masked_moments(x, np.broadcast_to(MASK[..., None], x.shape),
                                2)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * mean,
                               rtol=1e-5)
    dx = layer.backward(r.astype(np.float32))
    x64, numeric, step = x.astype(np.float64), np.zeros(x.shape), 1e-6
    for index in np.ndindex(x.shape):
        up, down = x64.copy(), x64.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = np.sum(r * (_bn_reference(up, MASK, gamma, beta) -
                                     _bn_reference(down, MASK, gamma, beta))
                                ) / (2 * step)
    np.testing.assert_allclose(dx, numeric, rtol=1e-3, atol=1e-4)


def test_batch_normalization_mask_rank_is_checked():
    layer = layers.BatchNormalization()
    with pytest.raises(ValueError, match="one dimension less"):
        layer(np.zeros((3, 7, 4), np.float32), training=True,
              mask=np.ones((3, 7, 4), bool))


# ---- the weighting helper ---------------------------------------------------

def test_everything_masked_gives_zero_loss_and_gradient():
    """Keras divides with divide_no_nan: an all-padding batch weighs 0."""
    loss = losses.SparseCategoricalCrossentropy()
    y = np.zeros((2, 3), np.int64)
    p = np.full((2, 3, 4), 0.25, np.float32)
    mask = np.zeros((2, 3), bool)
    assert loss._masked_value(y, p, None, mask) == 0.0
    assert not np.any(loss.gradient(y, p, mask=mask))


def test_mask_weights_real_steps_by_total_over_valid():
    weights = masking.apply_mask(None, MASK, "sum_over_batch_size")
    np.testing.assert_allclose(weights[MASK], MASK.size / MASK.sum())
    assert not np.any(weights[~MASK])
    np.testing.assert_array_equal(masking.apply_mask(None, MASK, "sum"),
                                  MASK.astype(np.float32))


def test_match_rank_follows_keras():
    a, b = masking.match_rank(np.zeros((4, 1)), np.zeros(4))
    assert (a.shape, b.shape) == ((4, 1), (4, 1))
    a, b = masking.match_rank(np.zeros((4, 5, 1)), np.zeros((4, 5)))
    assert (a.shape, b.shape) == ((4, 5), (4, 5))
    a, b = masking.match_rank(np.zeros((4, 5)), np.zeros(4))
    assert (a.shape, b.shape) == ((4, 5), (4,))


# ---- masks through graphs ---------------------------------------------------

def test_functional_model_takes_an_explicit_mask():
    inputs = keras.Input((7, 3))
    lstm = layers.LSTM(4, return_sequences=True)
    dense = layers.Dense(2)
    model = keras.Model(inputs, dense(lstm(inputs)))
    x = RNG.standard_normal((3, 7, 3)).astype(np.float32)
    got = model(x, mask=MASK)
    np.testing.assert_allclose(got, dense(lstm(x, mask=MASK)), rtol=1e-6)
    np.testing.assert_array_equal(model.compute_mask(x, MASK), MASK)
    assert not np.allclose(got, model(x))


def test_recurrent_states_carry_no_mask():
    inputs = keras.Input((7,), dtype="int32")
    h = layers.Embedding(10, 3, mask_zero=True)(inputs)
    seq, state_h, state_c = layers.LSTM(
        4, return_sequences=True, return_state=True)(h)
    model = keras.Model(inputs, [seq, state_h])
    x = np.where(MASK, 3, 0)
    model(x)
    seq_mask, state_mask = masking.output_masks(model, 2)
    np.testing.assert_array_equal(seq_mask, MASK)
    assert state_mask is None


def test_two_outputs_one_masked():
    """Each output's loss is weighted by its own mask (or none)."""
    inputs = keras.Input((7,), dtype="int32")
    h = layers.Embedding(10, 3, mask_zero=True)(inputs)
    tags = layers.Dense(4, activation="softmax", name="tags")(
        layers.LSTM(5, return_sequences=True)(h))
    label = layers.Dense(4, activation="softmax", name="label")(
        layers.LSTM(5)(h))
    model = keras.Model(inputs, [tags, label])
    model.compile("sgd", ["sparse_categorical_crossentropy"] * 2)
    x = np.where(MASK, RNG.integers(1, 10, MASK.shape), 0)
    y_tags = RNG.integers(0, 4, MASK.shape)
    y_label = RNG.integers(0, 4, 3)
    p_tags, p_label = model.predict(x, verbose=0)
    tag_ce = -np.log(np.take_along_axis(p_tags, y_tags[..., None], -1)[..., 0])
    label_ce = -np.log(p_label[np.arange(3), y_label])
    want = tag_ce[MASK].mean() + label_ce.mean()
    got = model.evaluate(x, [y_tags, y_label], verbose=0)
    got = got[0] if isinstance(got, list) else got
    assert got == pytest.approx(want, rel=1e-5)


def test_weighted_metrics_names_as_keras():
    """A weighted metric whose name is taken is logged as weighted_<name>
    (Keras 3.15 logs accuracy, loss, weighted_accuracy here)."""
    model = keras.Sequential([keras.Input((7,), dtype="int32"),
                              layers.Embedding(10, 3, mask_zero=True),
                              layers.LSTM(4, return_sequences=True),
                              layers.Dense(4, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy",
                  metrics=["accuracy"], weighted_metrics=["accuracy"])
    x = np.where(MASK, RNG.integers(1, 10, MASK.shape), 0)
    y = RNG.integers(0, 4, MASK.shape)
    sw = RNG.uniform(0.1, 2, MASK.shape)
    history = model.fit(x, y, sample_weight=sw, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss",
                                       "weighted_accuracy"]
    p = model.predict(x, verbose=0)
    right = (np.argmax(p, -1) == y)
    logs = model.evaluate(x, y, sample_weight=sw, verbose=0,
                          return_dict=True)
    assert logs["accuracy"] == pytest.approx(right[MASK].mean(), rel=1e-6)
    assert logs["weighted_accuracy"] == pytest.approx(
        np.sum(right * sw * MASK) / np.sum(sw * MASK), rel=1e-6)


def test_a_layer_that_drops_the_mask_warns():
    model = keras.Sequential([keras.Input((7,), dtype="int32"),
                              layers.Embedding(10, 3, mask_zero=True),
                              layers.Conv1D(2, 3, padding="same")])
    with pytest.warns(UserWarning, match="'conv1d.*' \\(of type Conv1D\\) "
                      "was passed an input with a mask attached to it"):
        model(np.where(MASK, 2, 0))
    assert masking.output_masks(model, 1) == [None]


# ---- Masking ----------------------------------------------------------------

def test_masking_layer_forward_backward_and_config():
    x = RNG.standard_normal((3, 7, 2)).astype(np.float32)
    x[~MASK] = 0.5
    layer = layers.Masking(mask_value=0.5)
    y = layer(x, training=True)
    np.testing.assert_array_equal(y, np.where(MASK[..., None], x, 0))
    np.testing.assert_array_equal(layer.compute_mask(x, ~MASK), MASK)
    dy = RNG.standard_normal(x.shape).astype(np.float32)
    np.testing.assert_array_equal(layer.backward(dy),
                                  dy * MASK[..., None])
    again = layers.Masking.from_config(layer.get_config())
    assert again.mask_value == 0.5 and again.supports_masking
    with pytest.raises(ValueError, match="mask_value must be a number"):
        layers.Masking(mask_value="pad")


def test_masking_a_step_with_one_nonzero_feature_keeps_it():
    x = np.zeros((1, 3, 2), np.float32)
    x[0, 1, 1] = 1e-30
    np.testing.assert_array_equal(layers.Masking().compute_mask(x),
                                  [[False, True, False]])
