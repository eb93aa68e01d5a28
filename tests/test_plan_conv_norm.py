"""ConvNormStep: a BatchNormalization folded into the convolution before
it at inference (kernel and bias scaled per filter, the normalization's
activation in the convolution's epilogue); apart in training."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from seqcore.engine import plan as plan_module


def _randomize_statistics(model, seed=0):
    """Moving statistics and gamma/beta far from their initial values, so
    that folding them is visible in the output."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.set_weights([
                rng.uniform(0.5, 1.5, w.shape).astype(np.float32)
                if name in ("gamma", "moving_variance") else
                rng.normal(0.0, 0.5, w.shape).astype(np.float32)
                for name, w in zip(
                    [v.path.split("/")[-1] for v in layer.weights],
                    layer.get_weights())])


def _step_kinds(model):
    return [type(s).__name__ for s in model._get_plan().steps]


def _reference(model, x):
    """The model's inference output computed layer by layer in numpy."""
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            gamma = layer.gamma.numpy() if layer.scale else 1.0
            beta = layer.beta.numpy() if layer.center else 0.0
            x = (x - layer.moving_mean.numpy()) / np.sqrt(
                layer.moving_variance.numpy() + layer.epsilon) * gamma + beta
        else:
            x = np.asarray(layer(x.astype(np.float32)), np.float64)
    return x


@pytest.mark.parametrize("use_bias,center,scale,tail", [
    (True, True, True, "relu"), (False, True, True, "relu6"),
    (True, False, False, None), (False, True, False, "swish")])
def test_conv_norm_activation_folds_and_matches_numpy(use_bias, center,
                                                      scale, tail):
    stack = [keras.Input((9, 11, 5)),
             layers.Conv2D(7, 3, strides=2, padding="same",
                           use_bias=use_bias, bias_initializer="ones"),
             layers.BatchNormalization(center=center, scale=scale)]
    if tail is not None:
        stack.append(layers.Activation(tail))
    stack.append(layers.Conv2D(4, 1))
    model = keras.Sequential(stack)
    _randomize_statistics(model)
    x = np.random.default_rng(1).standard_normal((3, 9, 11, 5)).astype(
        np.float32)
    out = model.predict(x, verbose=0)
    assert _step_kinds(model)[0] == "ConvNormStep"
    assert len(_step_kinds(model)) == 2
    np.testing.assert_allclose(out, _reference(model, x), rtol=1e-4,
                               atol=1e-5)


def test_conv1d_and_a_functional_residual_fold():
    inputs = keras.Input((16, 6))
    y = layers.Conv1D(6, 3, padding="same")(inputs)
    y = layers.BatchNormalization()(y)               # consumed by Add: no
    out = layers.ReLU()(layers.Add()([inputs, y]))   # activation to fold
    model = keras.Model(inputs, out)
    _randomize_statistics(model)
    x = np.random.default_rng(2).standard_normal((2, 16, 6)).astype(
        np.float32)
    got = model.predict(x, verbose=0)
    conv, norm = model.layers[1], model.layers[2]
    z = np.asarray(conv(x), np.float64)
    z = (z - norm.moving_mean.numpy()) / np.sqrt(
        norm.moving_variance.numpy() + norm.epsilon) * norm.gamma.numpy() + \
        norm.beta.numpy()
    np.testing.assert_allclose(got, np.maximum(x + z, 0.0), rtol=1e-4,
                               atol=1e-5)
    assert "ConvNormStep" in _step_kinds(model)


def test_no_fold_when_the_convolution_has_its_own_activation_or_a_second_use():
    model = keras.Sequential([keras.Input((6, 6, 3)),
                              layers.Conv2D(4, 3, activation="relu"),
                              layers.BatchNormalization()])
    _randomize_statistics(model)
    x = np.random.default_rng(3).standard_normal((2, 6, 6, 3)).astype(
        np.float32)
    # folded in the plan, declined by the layer at run time: runs apart
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               _reference(model, x), rtol=1e-4, atol=1e-5)
    inputs = keras.Input((6, 6, 3))
    z = layers.Conv2D(4, 3)(inputs)
    model = keras.Model(inputs, [layers.BatchNormalization()(z), z])
    model.predict(x, verbose=0)
    assert "ConvNormStep" not in _step_kinds(model)


def _small_cnn(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((8, 8, 3)), layers.Conv2D(6, 3, padding="same"),
        layers.BatchNormalization(), layers.ReLU(),
        layers.Conv2D(5, 3), layers.BatchNormalization(),
        layers.GlobalAveragePooling2D(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_training_runs_the_folded_steps_apart_with_the_same_updates(
        monkeypatch):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((16, 8, 8, 3)).astype(np.float32)
    y = rng.standard_normal((16, 2)).astype(np.float32)
    folded = _small_cnn(5)
    folded.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    assert _step_kinds(folded).count("ConvNormStep") == 2
    monkeypatch.setattr(plan_module, "folds_normalization",
                        lambda conv, norm: False)
    apart = _small_cnn(5)
    apart.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    assert "ConvNormStep" not in _step_kinds(apart)
    for a, b in zip(folded.get_weights(), apart.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(folded.predict(x, verbose=0),
                               apart.predict(x, verbose=0), rtol=1e-4,
                               atol=1e-5)


def test_a_frozen_base_with_folded_steps_keeps_its_statistics():
    base = keras.Sequential([keras.Input((8, 8, 3)),
                             layers.Conv2D(6, 3), layers.BatchNormalization(),
                             layers.ReLU(), layers.GlobalAveragePooling2D()])
    _randomize_statistics(base)
    base.trainable = False
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, layers.Dense(1)(base(inputs, training=False)))
    model.compile(optimizer="sgd", loss="mse")
    before = base.get_weights()
    rng = np.random.default_rng(6)
    model.fit(rng.standard_normal((8, 8, 8, 3)).astype(np.float32),
              rng.standard_normal((8, 1)).astype(np.float32), epochs=2,
              verbose=0)
    assert _step_kinds(base)[0] == "ConvNormStep"
    for a, b in zip(before, base.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("multiplier", [1, 3])
def test_depthwise_convolution_folds_its_normalization(multiplier):
    model = keras.Sequential([
        keras.Input((7, 9, 4)),
        layers.DepthwiseConv2D(3, depth_multiplier=multiplier,
                               padding="same", bias_initializer="ones"),
        layers.BatchNormalization(), layers.ReLU(max_value=6.0),
        layers.Conv2D(2, 1)])
    _randomize_statistics(model, seed=multiplier)
    x = np.random.default_rng(7).standard_normal((2, 7, 9, 4)).astype(
        np.float32)
    out = model.predict(x, verbose=0)
    assert _step_kinds(model) == ["ConvNormStep", "LayerStep"]
    np.testing.assert_allclose(out, _reference(model, x), rtol=1e-4,
                               atol=1e-5)


@pytest.mark.parametrize("use_bias", [True, False])
def test_separable_convolution_folds_into_its_pointwise_kernel(use_bias):
    model = keras.Sequential([
        keras.Input((8, 7, 3)),
        layers.SeparableConv2D(5, 3, depth_multiplier=2, padding="same",
                               use_bias=use_bias, bias_initializer="ones"),
        layers.BatchNormalization(), layers.Activation("relu")])
    _randomize_statistics(model, seed=8)
    x = np.random.default_rng(9).standard_normal((2, 8, 7, 3)).astype(
        np.float32)
    out = model.predict(x, verbose=0)
    assert _step_kinds(model) == ["ConvNormStep"]
    np.testing.assert_allclose(out, _reference(model, x), rtol=1e-4,
                               atol=1e-5)


def test_folding_is_skipped_when_the_weights_outnumber_the_outputs(
        monkeypatch):
    model = keras.Sequential([keras.Input((4, 4, 32)),
                              layers.Conv2D(64, 3),      # 18,496 weights
                              layers.BatchNormalization(), layers.ReLU()])
    _randomize_statistics(model, seed=10)
    conv = model.layers[0]
    calls = []
    original = type(conv).call_folded
    monkeypatch.setattr(type(conv), "call_folded",
                        lambda self, *a: calls.append(1) or
                        original(self, *a))
    rng = np.random.default_rng(11)
    for batch, folded in ((1, False), (128, True)):   # 256 / 32,768 outputs
        x = rng.standard_normal((batch, 4, 4, 32)).astype(np.float32)
        calls.clear()
        out = model.predict(x, batch_size=batch, verbose=0)
        assert bool(calls) == folded
        np.testing.assert_allclose(out, _reference(model, x), rtol=1e-4,
                                   atol=1e-4)
