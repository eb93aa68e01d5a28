"""GroupNormalization, UnitNormalization, SpectralNormalization and
BatchNormalization(renorm=True): forward and updated weights against Keras 3
fixtures (make_attention_fixtures.py), backward against float64 finite
differences of numpy references, configs, training and `.keras` files."""
import json
import os

import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from tests.conftest import same_bits_with_threads
from tests.numeric import central_difference

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
with open(os.path.join(HERE, "keras_attention.json")) as _f:
    META = json.load(_f)
ARRAYS = np.load(os.path.join(HERE, "keras_attention.npz"))
RNG = np.random.default_rng(161)
NORM_CASES = sorted(n for n, m in META.items() if "calls" in m)


def make_layer(class_name, kwargs):
    kwargs = dict(kwargs)
    if class_name == "SpectralNormalization":
        inner = getattr(layers, kwargs.pop("layer"))
        inner_kwargs = {k: kwargs.pop(k) for k in list(kwargs)
                        if k != "power_iterations"}
        return layers.SpectralNormalization(inner(**inner_kwargs), **kwargs)
    return getattr(layers, class_name)(**kwargs)


@pytest.mark.parametrize("name", NORM_CASES)
def test_forward_and_state_match_keras(name):
    meta = META[name]
    x = ARRAYS[f"{name}/in/x"]
    layer = make_layer(meta["class_name"], meta["kwargs"])
    layer(x)
    depth_and_name = lambda p: (p.count("/"), p.rsplit("/", 1)[1])
    assert [depth_and_name(w.path) for w in layer.weights] == \
        [depth_and_name(p) for p in meta["weight_paths"]]
    layer.set_weights([ARRAYS[f"{name}/weight/{i}"]
                       for i in range(meta["n_weights"])])
    if meta["calls"] == 0:
        out = layer(x, training=False)
    for _ in range(meta["calls"]):
        out = layer(x, training=True)
    np.testing.assert_allclose(out, ARRAYS[f"{name}/out/0"], atol=1e-5,
                               rtol=1e-5)
    for i, w in enumerate(layer.get_weights()):
        np.testing.assert_allclose(w, ARRAYS[f"{name}/after/{i}"], atol=1e-5,
                                   rtol=1e-5, err_msg=f"weight {i}")


def _without_fan_axes(config):
    for value in config.values():
        if isinstance(value, dict):
            inner = value.get("config")
            if isinstance(inner, dict):
                for key in ("input_axes", "output_axes"):
                    if inner.get(key, 0) is None:
                        del inner[key]
                _without_fan_axes(inner)
    return config


@pytest.mark.parametrize("name", NORM_CASES)
def test_config_matches_keras(name):
    meta = META[name]
    layer = make_layer(meta["class_name"], meta["kwargs"])
    layer(ARRAYS[f"{name}/in/x"])
    config = _without_fan_axes(json.loads(json.dumps(layer.get_config(),
                                                     default=list)))
    want = _without_fan_axes(json.loads(json.dumps(meta["config"])))
    for c in (config, want):
        c.pop("name")
        inner = c.get("layer", {})
        inner.get("config", {}).pop("name", None)
        # Dense's own config (quantization_config) is not this file's concern
        inner.get("config", {}).pop("quantization_config", None)
        if "dtype" in c and isinstance(c["dtype"], dict):
            c["dtype"].pop("shared_object_id", None)
        inner.pop("build_config", None)
    assert config == want
    clone = type(layer).from_config(layer.get_config())
    clone(ARRAYS[f"{name}/in/x"])
    assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights]


# ---- backward against finite differences -----------------------------------

def _check(layer, x, reference, extra=()):
    """layer.backward against d sum(reference(x, *weights) * w)."""
    for v in layer.trainable_weights:
        v.grad = np.full(v.shape, np.nan, np.float32)
        v._grad_fresh = True
    weights = [v.numpy().astype(np.float64) for v in layer.trainable_weights]
    y = layer(x.astype(np.float32), training=True)
    w = RNG.standard_normal(y.shape)
    dx = layer.backward(w.astype(np.float32))
    grads = [v.grad.copy() for v in layer.trainable_weights]
    arrays = [x.astype(np.float64)] + weights + list(extra)
    for got, index in zip([dx] + grads, range(len(arrays))):
        want = central_difference(lambda: np.sum(reference(*arrays) * w),
                        arrays[index])
        scale = max(np.abs(want).max(), 1e-3)
        np.testing.assert_allclose(got, want, atol=2e-3 * scale, rtol=2e-3,
                                   err_msg=f"gradient {index}")


def group_norm_reference(x, gamma, beta, groups, axis, eps):
    x = np.moveaxis(x, axis, -1)
    shape = x.shape
    xg = x.reshape(shape[0], -1, groups, shape[-1] // groups)
    mean = xg.mean(axis=(1, 3), keepdims=True)
    var = xg.var(axis=(1, 3), keepdims=True)
    y = ((xg - mean) / np.sqrt(var + eps)).reshape(shape) * gamma + beta
    return np.moveaxis(y, -1, axis)


@pytest.mark.parametrize("groups,axis,shape", [(2, -1, (2, 3, 4)),
                                               (3, 1, (2, 6, 2, 3)),
                                               (1, -1, (3, 5))])
def test_group_norm_backward(groups, axis, shape):
    layer = layers.GroupNormalization(groups=groups, axis=axis, epsilon=0.01)
    x = RNG.standard_normal(shape)
    layer(x.astype(np.float32))
    layer.set_weights([RNG.standard_normal(w.shape) for w in layer.weights])
    _check(layer, x, lambda x, g, b: group_norm_reference(
        x, g, b, groups, axis, 0.01))


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_unit_norm_backward(axis):
    layer = layers.UnitNormalization(axis=axis)
    x = RNG.standard_normal((2, 3, 4))
    axes = tuple(axis) if isinstance(axis, list) else axis
    _check(layer, x, lambda x: x / np.sqrt(np.sum(x * x, axis=axes,
                                                  keepdims=True)))


def test_unit_norm_of_zero_is_zero():
    layer = layers.UnitNormalization()
    x = np.zeros((2, 3), np.float32)
    np.testing.assert_array_equal(layer(x, training=True), x)
    np.testing.assert_allclose(layer.backward(np.ones_like(x)), 1e12)


def renorm_reference(x, gamma, beta, r, d, eps):
    mean, var = x.mean(axis=0), x.var(axis=0)
    return ((x - mean) / np.sqrt(var + eps) * r + d) * gamma + beta


def test_batch_renorm_backward_treats_r_and_d_as_constants():
    layer = layers.BatchNormalization(renorm=True, epsilon=0.01,
                                      renorm_clipping={"rmax": 3.0})
    x = RNG.standard_normal((6, 3)) * 2 + 1
    layer(x.astype(np.float32))
    layer.set_weights([RNG.standard_normal(3), RNG.standard_normal(3),
                       RNG.standard_normal(3), np.full(3, 2.0),
                       np.full(3, 1.5), RNG.standard_normal(3) * 0.3,
                       np.full(3, 0.8)])
    renorm_mean = layer.renorm_mean.numpy().astype(np.float64)
    renorm_stddev = layer.renorm_stddev.numpy().astype(np.float64)
    std = np.sqrt(x.var(axis=0) + 0.01)
    r = np.minimum(std / renorm_stddev, 3.0)
    d = (x.mean(axis=0) - renorm_mean) / renorm_stddev
    _check(layer, x, lambda x, g, b: renorm_reference(x, g, b, r, d, 0.01))


def test_spectral_normalization_backward_is_the_wrapped_layers():
    layer = layers.SpectralNormalization(layers.Dense(3, activation="tanh"))
    x = RNG.standard_normal((4, 5))
    layer(x.astype(np.float32))
    for v in layer.trainable_weights:
        v.grad = np.full(v.shape, np.nan, np.float32)
        v._grad_fresh = True
    before = layer.kernel.numpy()
    y = layer(x.astype(np.float32), training=True)
    kernel = layer.kernel.numpy().astype(np.float64)  # normalized by now
    # power iteration underestimates sigma: the result's norm is >= 1
    assert np.linalg.svd(kernel, compute_uv=False)[0] >= 1 - 1e-5
    assert not np.allclose(kernel, before)
    bias = layer.layer.bias.numpy().astype(np.float64)
    w = RNG.standard_normal(y.shape)
    dx = layer.backward(w.astype(np.float32))
    assert [v.name for v in layer.trainable_weights] == ["kernel", "bias"]
    grads = [v.grad.copy() for v in layer.trainable_weights]
    arrays = [x, kernel, bias]
    loss = lambda: np.sum(np.tanh(arrays[0] @ arrays[1] + arrays[2]) * w)
    for got, array in zip([dx] + grads, arrays):
        want = central_difference(loss, array)
        np.testing.assert_allclose(got, want, atol=2e-3 * np.abs(want).max())


def test_spectral_normalization_converges_to_unit_spectral_norm():
    layer = layers.SpectralNormalization(layers.Dense(4), power_iterations=3)
    x = RNG.standard_normal((2, 6)).astype(np.float32)
    layer(x)
    layer.kernel.assign(RNG.standard_normal((6, 4)) * 3)
    for _ in range(5):
        layer(x, training=True)
    sigma = np.linalg.svd(layer.kernel.numpy(), compute_uv=False)[0]
    assert abs(sigma - 1.0) < 1e-3


def test_group_norm_same_bits_at_one_and_two_threads(threads):
    x = RNG.standard_normal((4, 33, 8)).astype(np.float32)
    layer = layers.GroupNormalization(groups=4)
    layer(x)

    def run():
        y = layer(x, training=True)
        return [y, layer.backward(np.ones_like(y))]
    same_bits_with_threads(threads, run)


def test_bad_arguments():
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="multiple"):
        layers.GroupNormalization(groups=3)(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="cannot be more"):
        layers.GroupNormalization(groups=8)(np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis="last")
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="kernel"):
        layers.SpectralNormalization(layers.Flatten())(
            np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"r": 1})
    with pytest.raises(ValueError, match="rmax"):
        layers.BatchNormalization(renorm=True,
                                  renorm_clipping={"rmax": 1, "rmin": 2})


def test_normalization_layers_train_and_reload(tmp_path):
    model = keras.Sequential([
        keras.Input((6, 8)),
        layers.GroupNormalization(groups=4),
        layers.SpectralNormalization(layers.Dense(8, activation="relu")),
        layers.UnitNormalization(),
        layers.BatchNormalization(renorm=True),
        layers.GlobalAveragePooling1D(),
        layers.Dense(1),
    ])
    x = RNG.standard_normal((64, 6, 8)).astype(np.float32)
    y = x[:, :, :2].mean(axis=(1, 2))[:, None].astype(np.float32)
    model.compile(optimizer="adam", loss="mse")
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.7 * first
    path = str(tmp_path / "norms.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               model.predict(x, verbose=0), atol=1e-5)
    assert len(loaded.weights) == len(model.weights)
