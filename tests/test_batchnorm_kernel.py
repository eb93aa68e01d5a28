"""Batch normalization in C (csrc/batchnorm.c): the statistics, the
backward sums and the two per-channel maps against float64 numpy, on odd
sizes, every ISA, with identical bits at 1 and 2 threads; the layer's C
path against its numpy path (the same data normalized over a middle
axis) forward and backward; the activation fused into the normalization
at inference (the plan's NormActStep) against the layers run apart."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import _kernels, layers
from tests.conftest import same_bits_with_threads

# (rows, channels): odd sizes, one channel, and sizes past the threading
# threshold (32768 elements) with channel counts that split unevenly.
SHAPES = [(1, 1), (1, 7), (7, 33), (33, 16), (1000, 33), (2001, 100),
          (129, 1), (5000, 7)]


def data(rows, c, seed=0, offset=3.0):
    rng = np.random.default_rng(seed + rows * 131 + c)
    x = (rng.standard_normal((rows, c)) * 2 + offset).astype(np.float32)
    dy = rng.standard_normal((rows, c)).astype(np.float32)
    return x, dy


@pytest.mark.parametrize("rows,c", SHAPES)
def test_moments_match_float64(isa, threads, rows, c):
    x, _ = data(rows, c)
    mean, var = same_bits_with_threads(
        threads, lambda: list(_kernels.bn_moments(x)))
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(mean, x64.mean(0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(var, x64.var(0), rtol=1e-10, atol=1e-12)


def test_moments_reduce_every_leading_axis():
    x, _ = data(60, 5)
    x4 = x.reshape(3, 4, 5, 5)
    mean, var = _kernels.bn_moments(x4)
    np.testing.assert_allclose(mean, x4.astype(np.float64).mean((0, 1, 2)),
                               rtol=1e-12)
    np.testing.assert_allclose(var, x4.astype(np.float64).var((0, 1, 2)),
                               rtol=1e-10)


@pytest.mark.parametrize("rows,c", SHAPES)
def test_backward_sums_match_float64(isa, threads, rows, c):
    x, dy = data(rows, c)
    mean = x.mean(0).astype(np.float32)
    inv = (1 / np.sqrt(x.var(0) + 1e-3)).astype(np.float32)
    s1, s2 = same_bits_with_threads(
        threads, lambda: list(_kernels.bn_backward_sums(x, dy, mean, inv)))
    x_hat = (x.astype(np.float64) - mean) * inv
    np.testing.assert_allclose(s1, dy.astype(np.float64).sum(0),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(s2, (dy * x_hat).sum(0), rtol=1e-5,
                               atol=1e-4)


@pytest.mark.parametrize("rows,c", SHAPES)
def test_channel_affine_matches_numpy(isa, threads, rows, c):
    x, _ = data(rows, c)
    rng = np.random.default_rng(c)
    scale = rng.standard_normal(c).astype(np.float32)
    shift = rng.standard_normal(c).astype(np.float32)
    y = same_bits_with_threads(
        threads, lambda: _kernels.channel_affine(x, scale, shift))
    np.testing.assert_allclose(y, x.astype(np.float64) * scale + shift,
                               rtol=1e-6, atol=1e-6)
    in_place = x.copy()
    assert _kernels.channel_affine(in_place, scale, shift,
                                   out=in_place) is in_place
    np.testing.assert_array_equal(in_place, y)


@pytest.mark.parametrize("rows,c", SHAPES)
def test_backward_dx_matches_numpy(isa, threads, rows, c):
    x, dy = data(rows, c)
    rng = np.random.default_rng(c + 1)
    mean, p, q, r = (rng.standard_normal(c).astype(np.float32)
                     for _ in range(4))
    dx = same_bits_with_threads(
        threads, lambda: _kernels.bn_backward_dx(x, dy, mean, p, q, r))
    want = dy.astype(np.float64) * p + (x.astype(np.float64) - mean) * q + r
    np.testing.assert_allclose(dx, want, rtol=1e-5, atol=1e-5)
    in_place = dy.copy()
    _kernels.bn_backward_dx(x, in_place, mean, p, q, r, out=in_place)
    np.testing.assert_array_equal(in_place, dx)


def test_bad_inputs_name_what_was_expected():
    x = np.ones((4, 3), np.float32)
    with pytest.raises(ValueError, match="float32.*float64"):
        _kernels.bn_moments(x.astype(np.float64))
    with pytest.raises(ValueError, match=r"expected shape \(3,\).*\(2,\)"):
        _kernels.channel_affine(x, np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="one shape"):
        _kernels.bn_backward_sums(x, np.ones((4, 2), np.float32),
                                  np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="out must be"):
        _kernels.channel_affine(x, np.ones(3), np.ones(3),
                                out=np.empty((4, 3)))


def _pair(**kwargs):
    """A BatchNormalization over the last axis of (6, 5, 4, 3) data (the C
    path) and one over axis 1 of the same data transposed (numpy's path),
    with equal weights."""
    rng = np.random.default_rng(7)
    last = layers.BatchNormalization(axis=-1, **kwargs)
    middle = layers.BatchNormalization(axis=1, **kwargs)
    last.build((6, 5, 4, 3))
    middle.build((6, 3, 5, 4))
    for a, b in zip(last.weights, middle.weights):
        value = rng.uniform(0.5, 1.5, a.shape).astype(np.float32)
        a.assign(value)
        b.assign(value)
    return last, middle


@pytest.mark.parametrize("training,trainable,renorm", [
    (True, True, False), (False, True, False), (True, False, False),
    (True, True, True)])
def test_layer_c_path_matches_numpy_path(training, trainable, renorm):
    last, middle = _pair(renorm=renorm)
    last.trainable = middle.trainable = trainable
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((6, 5, 4, 3)) * 2 + 4).astype(np.float32)
    dy = rng.standard_normal(x.shape).astype(np.float32)
    to_middle = (0, 3, 1, 2)
    y = last(x, training=training)
    y_middle = middle(np.ascontiguousarray(x.transpose(to_middle)),
                      training=training)
    np.testing.assert_allclose(y.transpose(to_middle), y_middle, rtol=1e-5,
                               atol=1e-5)
    for a, b in zip(last.weights, middle.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6,
                                   err_msg=a.name)
    if not training:
        return
    for layer in (last, middle):
        for w in layer.trainable_weights:
            w.grad = np.zeros(w.shape, np.float32)
    dx = last.backward(dy)
    dx_middle = middle.backward(np.ascontiguousarray(
        dy.transpose(to_middle)))
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx.transpose(to_middle), dx_middle,
                               rtol=1e-4, atol=1e-5)
    for a, b in zip(last.trainable_weights, middle.trainable_weights):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-4, atol=1e-5,
                                   err_msg=a.name)


@pytest.mark.parametrize("activation", ["relu", "relu6", "swish",
                                        "sigmoid", "gelu"])
@pytest.mark.parametrize("rows,c", [(1, 7), (33, 16), (5000, 7),
                                    (2001, 100)])
def test_channel_affine_applies_the_activation(isa, threads, activation,
                                               rows, c):
    # blocks of rows (about 8192 floats each) end at odd places here
    x, _ = data(rows, c, offset=0.0)
    rng = np.random.default_rng(c + 2)
    scale = rng.standard_normal(c).astype(np.float32)
    shift = rng.standard_normal(c).astype(np.float32)
    y = same_bits_with_threads(threads, lambda: _kernels.channel_affine(
        x, scale, shift, activation=activation))
    affine = _kernels.channel_affine(x, scale, shift)
    np.testing.assert_array_equal(
        y, _kernels.activation(affine, activation))


def _conv_norm_act(activation_layer, data_format="channels_last",
                   producer=layers.Conv2D):
    shape = (6, 6, 3) if data_format == "channels_last" else (3, 6, 6)
    inputs = keras.Input(shape)
    z = layers.Conv2D(5, 3, data_format=data_format)(inputs) \
        if producer is layers.Conv2D else producer(5)(inputs)
    z = layers.BatchNormalization(
        axis=-1 if data_format == "channels_last" else 1)(z)
    out = activation_layer(z)
    model = keras.Model(inputs, layers.GlobalAveragePooling2D(
        data_format=data_format)(out))
    rng = np.random.default_rng(5)
    norm = model.layers[2]
    norm.moving_mean.assign(rng.standard_normal(5).astype(np.float32))
    norm.moving_variance.assign(rng.uniform(0.5, 2, 5).astype(np.float32))
    norm.gamma.assign(rng.uniform(0.5, 2, 5).astype(np.float32))
    norm.beta.assign(rng.standard_normal(5).astype(np.float32))
    return model, rng.standard_normal((4,) + shape).astype(np.float32)


def _apart(model, x):
    """The model's output with each layer called on its own."""
    conv, norm, act, pool = model.layers[1:]
    return pool(act(norm(conv(x), training=False)))


@pytest.mark.parametrize("make", [
    lambda: layers.ReLU(max_value=6.0), lambda: layers.ReLU(),
    lambda: layers.Activation("swish"), lambda: layers.Activation("relu")])
def test_inference_fuses_the_activation_into_the_normalization(make):
    model, x = _conv_norm_act(make(), producer=layers.Dense)
    steps = model._get_plan().steps
    assert [type(s).__name__ for s in steps] == \
        ["LayerStep", "NormActStep", "LayerStep"]
    np.testing.assert_allclose(model.predict(x, verbose=0), _apart(model, x),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: layers.ReLU(max_value=6.0), lambda: layers.Activation("swish")])
def test_after_a_convolution_both_fold_into_it(make):
    model, x = _conv_norm_act(make())
    steps = model._get_plan().steps
    assert [type(s).__name__ for s in steps] == ["ConvNormStep", "LayerStep"]
    assert type(steps[0].second).__name__ == "NormActStep"
    np.testing.assert_allclose(model.predict(x, verbose=0), _apart(model, x),
                               rtol=1e-5, atol=1e-6)


def test_training_runs_the_fused_pair_apart_with_the_same_gradients():
    model, x = _conv_norm_act(layers.ReLU(max_value=6.0))
    twin, _ = _conv_norm_act(layers.ReLU(max_value=6.0))
    twin.set_weights(model.get_weights())
    y = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    for m in (model, twin):
        m.compile(optimizer="sgd", loss="mse")
    # the twin's plan has no fused step: its normalization is a model
    # output too, so the activation is not its only consumer
    model.train_on_batch(x, y)
    conv, norm, act, pool = twin.layers[1:]
    twin_model = keras.Model(twin.inputs, [twin.outputs[0],
                                           norm.output])
    assert "NormActStep" not in [type(s).__name__
                                 for s in twin_model._get_plan().steps]
    twin_model.compile(optimizer="sgd", loss=["mse", None])
    twin_model.train_on_batch(x, [y, np.zeros((4, 4, 4, 5), np.float32)])
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_channels_first_normalization_runs_apart():
    model, x = _conv_norm_act(layers.ReLU(), data_format="channels_first")
    # planned as folded, declined at run time (the normalization's axis is
    # not the last), so conv, normalization and activation run apart
    steps = model._get_plan().steps
    assert type(steps[0]).__name__ == "ConvNormStep"
    assert type(steps[0].second).__name__ == "NormActStep"
    np.testing.assert_allclose(model.predict(x, verbose=0), _apart(model, x),
                               rtol=1e-6, atol=1e-6)
