"""Normalization and Rescaling map each channel in one C pass
(layers/preprocessing/_channel_map.py) when the input allows it; the
values must be Keras's formulas, whichever path computes them."""
import numpy as np
import pytest

from seqcore import _kernels, layers
from seqcore.layers.preprocessing._channel_map import channel_map

MEAN = [0.485, 0.456, 0.406]
VARIANCE = [0.229 ** 2, 0.224 ** 2, 0.225 ** 2]


def images(shape=(2, 5, 7, 3), dtype=np.float32):
    return np.random.default_rng(0).uniform(0, 255, shape).astype(dtype)


def normalized(x, invert=False):
    """Keras 3's Normalization: (x - mean) / max(sqrt(var), eps)."""
    mean = np.asarray(MEAN, np.float64)
    scale = np.maximum(np.sqrt(np.asarray(VARIANCE, np.float64)), 1e-7)
    x = x.astype(np.float64)
    return mean + x * scale if invert else (x - mean) / scale


@pytest.mark.parametrize("invert", [False, True])
@pytest.mark.parametrize("shape", [(1, 1, 1, 3), (2, 5, 7, 3), (33, 3),
                                   (3,)])
def test_normalization_matches_the_formula(invert, shape):
    x = images(shape)
    layer = layers.Normalization(mean=MEAN, variance=VARIANCE, invert=invert)
    got = layer(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got, normalized(x, invert), rtol=2e-6,
                               atol=1e-6)


def test_normalization_after_adapt_takes_the_same_path():
    data = images((4, 6, 6, 3))
    layer = layers.Normalization()
    layer.adapt(data)
    got = layer(data)
    mean = data.astype(np.float64).mean(axis=(0, 1, 2))
    std = data.astype(np.float64).std(axis=(0, 1, 2))
    np.testing.assert_allclose(got, (data - mean) / std, rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda x: x.astype(np.float64),            # another dtype
    lambda x: x[:, ::2],                       # not contiguous
])
def test_inputs_the_c_pass_declines_give_the_same_values(make):
    """call() itself (past __call__'s conversion to float32) on inputs
    channel_map declines: numpy computes the same values."""
    x = images()
    layer = layers.Normalization(mean=MEAN, variance=VARIANCE)
    layer(x)
    assert channel_map(make(x), 1.0, 0.0) is None
    got = layer.call(make(x))
    np.testing.assert_allclose(got, normalized(make(x)), rtol=2e-6,
                               atol=1e-6)


def test_normalization_over_another_axis_stays_numpy():
    x = images((2, 3, 4))
    layer = layers.Normalization(axis=1, mean=[1.0, 2.0, 3.0],
                                 variance=[4.0, 9.0, 16.0])
    got = layer(x)
    want = (x - np.array([1.0, 2.0, 3.0])[None, :, None]) / \
        np.array([2.0, 3.0, 4.0])[None, :, None]
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("scale,offset", [(1 / 255, 0.0), (2.0, -1.0),
                                          ([0.5, 1.0, 2.0], [1.0, 0.0, -1.0])])
def test_rescaling_matches_the_formula(scale, offset):
    x = images()
    got = layers.Rescaling(scale, offset)(x)
    want = x.astype(np.float64) * np.asarray(scale) + np.asarray(offset)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def test_rescaling_of_integer_images_stays_numpy():
    x = images().astype(np.uint8)
    got = layers.Rescaling(1 / 255)(x)
    np.testing.assert_allclose(got, x / 255.0, rtol=1e-6)


def test_channel_map_declines_what_is_not_per_channel():
    x = images((2, 4, 3))
    assert channel_map(x, np.ones((2, 1, 3)), 0.0) is None   # per sample
    assert channel_map(x, np.ones(4), 0.0) is None           # wrong width
    assert channel_map(x.astype(np.float16), 1.0, 0.0) is None
    assert channel_map(np.zeros((0, 3), np.float32), 1.0, 0.0) is None


def test_one_and_two_threads_give_identical_bits(threads):
    x = images((8, 64, 64, 3))
    layer = layers.Normalization(mean=MEAN, variance=VARIANCE)
    threads(1)
    one = layer(x)
    threads(2)
    np.testing.assert_array_equal(layer(x), one)


# ---- global average pooling: _kernels.channel_means --------------------------

@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 7, 33), (3, 5, 7, 16),
                                   (1, 112, 3, 17), (2, 4, 4, 600),
                                   (1, 2, 3, 4, 5)])
def test_channel_means_are_numpy_means_to_the_bit(isa, threads, shape):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    want = x.mean(axis=tuple(range(1, x.ndim - 1)))
    for nthreads in (1, 2):
        threads(nthreads)
        np.testing.assert_array_equal(_kernels.channel_means(x), want)


def test_channel_means_rejects_what_it_cannot_read():
    with pytest.raises(ValueError, match="float32"):
        _kernels.channel_means(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(n, \.\.\., c\)"):
        _kernels.channel_means(np.zeros(3, np.float32))


@pytest.mark.parametrize("layer,shape", [
    (layers.GlobalAveragePooling2D(), (2, 5, 6, 7)),
    (layers.GlobalAveragePooling2D(keepdims=True), (3, 4, 4, 33)),
    (layers.GlobalAveragePooling1D(), (2, 9, 5)),
    (layers.GlobalAveragePooling3D(), (1, 2, 3, 4, 5)),
    (layers.GlobalAveragePooling2D(data_format="channels_first"),
     (2, 7, 5, 6)),
])
def test_global_average_pooling_is_the_mean(layer, shape):
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    axes = tuple(range(2, x.ndim)) if layer.data_format == "channels_first" \
        else tuple(range(1, x.ndim - 1))
    want = x.mean(axis=axes, keepdims=layer.keepdims)
    got = layer(x)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


# ---- Multiply by a per-channel gate (squeeze and excite) --------------------

@pytest.mark.parametrize("shape", [(1, 5, 7, 3), (2, 4, 4, 33),
                                   (3, 9, 16), (1, 2, 3, 4, 5)])
@pytest.mark.parametrize("gate_first", [False, True])
def test_multiply_by_a_channel_gate_is_numpy_product(threads, shape,
                                                     gate_first):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    gate_shape = (shape[0],) + (1,) * (len(shape) - 2) + (shape[-1],)
    gate = rng.uniform(0, 1, gate_shape).astype(np.float32)
    pair = [gate, x] if gate_first else [x, gate]
    want = x * gate
    for nthreads in (1, 2):
        threads(nthreads)
        got = layers.Multiply()(pair)
        assert got.shape == want.shape and got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


def test_multiply_of_other_shapes_takes_numpy():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    for other in (rng.standard_normal((2, 3, 4)).astype(np.float32),
                  rng.standard_normal((2, 3, 1)).astype(np.float32)):
        np.testing.assert_array_equal(layers.Multiply()([x, other]),
                                      x * other)
