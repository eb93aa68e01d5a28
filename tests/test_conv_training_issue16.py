"""Each issue-16 convolution and pooling layer trains inside a Sequential
with compile() and fit(): a small regression whose loss must fall, through
the layer's backward (including the fused softmax cross-entropy gradient
where the layer ends the model)."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers

MODELS = [
    ("depthwise2d", (8, 8, 3), lambda: [
        layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2,
                               activation="relu"),
        layers.Flatten(), layers.Dense(1)]),
    ("depthwise1d", (12, 4), lambda: [
        layers.DepthwiseConv1D(3, strides=2, activation="tanh"),
        layers.Flatten(), layers.Dense(1)]),
    ("separable2d", (8, 8, 3), lambda: [
        layers.SeparableConv2D(6, 3, strides=2, padding="same",
                               activation="relu"),
        layers.Flatten(), layers.Dense(1)]),
    ("separable1d", (12, 4), lambda: [
        layers.SeparableConv1D(5, 3, depth_multiplier=2),
        layers.GlobalAveragePooling1D(), layers.Dense(1)]),
    ("transpose2d", (4, 4, 3), lambda: [
        layers.Conv2DTranspose(4, 3, strides=2, padding="same",
                               activation="relu"),
        layers.Flatten(), layers.Dense(1)]),
    ("transpose1d", (6, 3), lambda: [
        layers.Conv1DTranspose(4, 3, strides=2, output_padding=1),
        layers.Flatten(), layers.Dense(1)]),
    ("grouped2d", (8, 8, 4), lambda: [
        layers.Conv2D(8, 3, groups=4, activation="relu"),
        layers.MaxPooling2D(), layers.Flatten(), layers.Dense(1)]),
    ("grouped1d", (12, 4), lambda: [
        layers.Conv1D(4, 3, groups=2, padding="causal"),
        layers.Flatten(), layers.Dense(1)]),
    ("conv3d", (4, 6, 6, 2), lambda: [
        layers.Conv3D(4, 3, padding="same", activation="relu"),
        layers.MaxPooling3D(2), layers.Conv3DTranspose(2, 2, strides=2),
        layers.AveragePooling3D(2), layers.GlobalMaxPooling3D(),
        layers.Dense(1)]),
    ("global3d", (3, 4, 4, 3), lambda: [
        layers.Conv3D(4, 2, activation="tanh"),
        layers.GlobalAveragePooling3D(keepdims=True), layers.Flatten(),
        layers.Dense(1)]),
]


@pytest.mark.parametrize("name,shape,make", MODELS,
                         ids=[m[0] for m in MODELS])
def test_fit_reduces_the_loss(name, shape, make):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((48,) + shape).astype(np.float32)
    y = (x.reshape(48, -1)[:, ::3].mean(axis=1, keepdims=True) * 3
         ).astype(np.float32)
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape)] + make())
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    before = [w.copy() for w in model.get_weights()]
    first = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    last = model.evaluate(x, y, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert last < 0.6 * first, (first, last)
    changed = [not np.array_equal(a, b)
               for a, b in zip(before, model.get_weights())]
    assert all(changed)


def test_classifier_through_depthwise_and_transposed_layers_trains():
    """A softmax classifier whose last weights are a Conv2DTranspose's."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((32, 3, 3, 2)).astype(np.float32)
    labels = (x[:, 0, 0, 0] > 0).astype(np.int64)
    keras.utils.set_random_seed(3)
    model = keras.Sequential([
        keras.Input((3, 3, 2)),
        layers.DepthwiseConv2D(3, activation="relu", depth_multiplier=4),
        layers.Reshape((1, 1, 8)),
        layers.Conv2DTranspose(2, 1, activation="softmax"),
        layers.Reshape((2,))])
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, labels, epochs=20, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] >= 0.9


@pytest.mark.parametrize("make", [
    lambda act: layers.DepthwiseConv2D(3, activation=act),
    lambda act: layers.SeparableConv2D(3, 3, activation=act),
    lambda act: layers.Conv2DTranspose(3, 3, strides=2, activation=act),
    lambda act: layers.Conv2D(4, 3, groups=2, activation=act),
    lambda act: layers.Conv3D(2, (1, 3, 3), activation=act),
], ids=["depthwise", "separable", "transpose", "grouped", "conv3d"])
def test_fused_loss_gradient_skips_the_activation(make):
    """When a fused loss hands the layer d loss / d pre-activation
    (dy_is_dz=True), backward() equals a linear layer's on that gradient."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 5, 4)).astype(np.float32)
    softmax, linear = make("softmax"), make(None)
    if isinstance(softmax, layers.Conv3D):
        x = x[:, None]
    for layer in (softmax, linear):
        layer.build(x.shape)
    linear.set_weights(softmax.get_weights())
    results = []
    for layer, fused in ((softmax, True), (linear, False)):
        for v in layer.trainable_weights:
            v.grad = np.zeros(v.shape, np.float32)
            v._grad_fresh = True
        y = layer(x, training=True)
        dz = np.random.default_rng(5).standard_normal(y.shape).astype(
            np.float32)
        results.append([layer.backward(dz, dy_is_dz=fused)] +
                       [v.grad.copy() for v in layer.trainable_weights])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
