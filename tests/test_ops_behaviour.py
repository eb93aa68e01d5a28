"""keras.ops beyond the Keras fixtures: custom layers built from the conv,
pool and normalization ops train exactly as the built-in layers do; the
control-flow ops run eagerly; bad arguments raise Keras's errors; and the
documented departures from Keras 3.15 (sparsemax) hold."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers, ops


class OpsConvPool(layers.Layer):
    """Conv2D(3x3, same) + relu + MaxPooling2D(2) written with keras.ops."""

    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(3, 3, input_shape[-1], self.filters),
            initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.filters,),
                                    initializer="zeros", name="bias")

    def call(self, x):
        y = ops.relu(ops.conv(x, self.kernel, padding="same") + self.bias)
        return ops.max_pool(y, 2, strides=2)


class OpsLayerNorm(layers.Layer):
    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],),
                                     initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(input_shape[-1],),
                                    initializer="zeros", name="beta")

    def call(self, x):
        return ops.layer_normalization(x, self.gamma, self.beta,
                                       epsilon=1e-3)


def _fit_pair(custom, builtin, x, y):
    builtin.set_weights(custom.get_weights())
    for model in (custom, builtin):
        model.compile(keras.optimizers.SGD(0.05), "mse")
    h1 = custom.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    h2 = builtin.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"],
                               rtol=1e-4)
    for a, b in zip(custom.get_weights(), builtin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_ops_conv_and_pool_train_like_conv2d_and_maxpooling2d():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 6, 6, 2)).astype(np.float32)
    y = rng.normal(size=(8, 1)).astype(np.float32)
    custom = keras.Sequential([keras.Input((6, 6, 2)), OpsConvPool(3),
                               layers.Flatten(), layers.Dense(1)])
    builtin = keras.Sequential([
        keras.Input((6, 6, 2)),
        layers.Conv2D(3, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(1)])
    _fit_pair(custom, builtin, x, y)


def test_ops_layer_normalization_trains_like_layernormalization():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 5)).astype(np.float32)
    y = rng.normal(size=(8, 1)).astype(np.float32)
    custom = keras.Sequential([keras.Input((5,)), layers.Dense(4),
                               OpsLayerNorm(), layers.Dense(1)])
    builtin = keras.Sequential([keras.Input((5,)), layers.Dense(4),
                                layers.LayerNormalization(epsilon=1e-3),
                                layers.Dense(1)])
    _fit_pair(custom, builtin, x, y)


def test_conv_odd_sizes_equal_a_direct_sum():
    """conv against a plain loop over output positions (sizes 1, 7)."""
    rng = np.random.default_rng(2)
    for shape, kshape, stride in [((1, 7, 1, 1), (3, 1, 1, 1), 2),
                                  ((2, 7, 7, 3), (2, 3, 3, 5), 3)]:
        x = rng.normal(size=shape)
        k = rng.normal(size=kshape)
        got = ops.conv(x, k, strides=stride)
        oh = (shape[1] - kshape[0]) // stride + 1
        ow = (shape[2] - kshape[1]) // stride + 1
        want = np.zeros((shape[0], oh, ow, kshape[-1]))
        for i in range(oh):
            for j in range(ow):
                patch = x[:, i * stride:i * stride + kshape[0],
                          j * stride:j * stride + kshape[1], :]
                want[:, i, j] = np.einsum("nhwc,hwcf->nf", patch, k)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_sparsemax_is_the_simplex_projection():
    x = np.array([[0.1, 0.2, 0.3, 0.0], [2.0, -1.0, 0.5, 1.8]], np.float32)
    got = ops.sparsemax(x)
    np.testing.assert_allclose(got, [[0.2, 0.3, 0.4, 0.1],
                                     [0.6, 0.0, 0.0, 0.4]], atol=1e-6)
    np.testing.assert_allclose(got.sum(-1), 1.0, rtol=1e-6)


def test_gelu_defaults_to_keras_ops_tanh_approximation():
    x = np.linspace(-3, 3, 7).astype(np.float32)
    np.testing.assert_allclose(ops.gelu(x), ops.gelu(x, approximate=True))
    assert not np.allclose(ops.gelu(x), ops.gelu(x, approximate=False),
                           atol=1e-5)


def test_control_flow_runs_eagerly_with_keras_structures():
    i, total = ops.while_loop(lambda i, t: i < 4,
                              lambda i, t: (i + 1, t + i), (0, 0))
    assert (i, total) == (4, 6)
    assert ops.while_loop(lambda v: v < 10, lambda v: v * 3, 1) == 27
    assert ops.while_loop(lambda v: True, lambda v: v + 1, 0,
                          maximum_iterations=5) == 5
    carry, ys = ops.scan(lambda c, x: (c + x, c), 0.0,
                         np.arange(4, dtype=np.float32), reverse=True)
    assert carry == 6.0
    np.testing.assert_array_equal(ys, [6.0, 5.0, 3.0, 0.0])
    assert ops.switch(5, [lambda v: v, lambda v: -v], 2.0) == -2.0
    np.testing.assert_array_equal(
        ops.associative_scan(lambda a, b: a + b, np.arange(1, 5)),
        [1, 3, 6, 10])
    assert ops.dtype(np.zeros(2, np.int32)) == "int32"
    assert isinstance(ops.convert_to_numpy([1.0, 2.0]), np.ndarray)


@pytest.mark.parametrize("call,error,words", [
    (lambda: ops.conv(np.zeros((2, 5, 3)), np.zeros((3, 3, 3, 4))),
     ValueError, "same rank"),
    (lambda: ops.conv(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 2, 4))),
     ValueError, "multiple of the kernel's input channels"),
    (lambda: ops.conv(np.zeros((1, 5, 5, 2)), np.zeros((3, 3, 2, 4)),
                      padding="causal"), ValueError, "'valid' or 'same'"),
    (lambda: ops.top_k(np.zeros((2, 3)), 4), ValueError, "k must be in"),
    (lambda: ops.split(np.zeros((5, 2)), 2), ValueError,
     "cannot be split into 2 equal sections"),
    (lambda: ops.normalize(np.ones(3), order=0), ValueError,
     "Argument `order` must be an int >= 1"),
    (lambda: ops.image.resize(np.zeros((1, 4, 4, 3)), (2, 2),
                              interpolation="area"), ValueError,
     "interpolation"),
    (lambda: ops.image.affine_transform(np.zeros((1, 4, 4, 3)),
                                        np.zeros(8), fill_mode="edge"),
     ValueError, "fill_mode"),
    (lambda: ops.image.crop_images(np.zeros((4, 4, 3)), top_cropping=1),
     ValueError, "Must specify exactly two of"),
    (lambda: ops.image.pad_images(np.zeros((4, 4, 3)), top_padding=1,
                                  bottom_padding=1, left_padding=-1,
                                  right_padding=0),
     ValueError, "left_padding must be >= 0"),
    (lambda: ops.binary_crossentropy(np.zeros(3), np.zeros(4)), ValueError,
     "must have the same shape"),
    (lambda: ops.sparse_categorical_crossentropy(np.zeros(3),
                                                 np.zeros((2, 4))),
     ValueError, "same shape up until the last dimension"),
    (lambda: ops.one_hot(np.zeros(3), 4, sparse=True), ValueError,
     "sparse"),
    (lambda: ops.einsum("ij,jk->ik", np.zeros((2, 2))), ValueError,
     "names 2 operands"),
    (lambda: ops.slice(np.zeros((3, 3)), (0,), (1, 1)), ValueError,
     "one entry per axis"),
    (lambda: ops.dot_product_attention(np.zeros((1, 2, 3, 4)),
                                       np.zeros((1, 2, 2, 4)),
                                       np.zeros((1, 2, 2, 4))),
     ValueError, "multiple of the key heads"),
    (lambda: ops.inv(np.zeros((2, 3))), ValueError, "square"),
    (lambda: ops.qr(np.zeros((3, 3)), mode="full"), ValueError, "mode"),
    (lambda: ops.scan(lambda c, x: (c, x), 0.0), ValueError, "xs"),
    (lambda: ops.rearrange(np.zeros((2, 3)), "a b -> a c"), ValueError,
     "same axes"),
    (lambda: ops.rearrange(np.zeros((2, 3)), "(a b) c -> a b c"),
     ValueError, "cannot infer"),
])
def test_bad_arguments_raise_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_namespaces_match_keras_layout():
    """keras.ops.nn / image / linalg hold their ops as Keras's do."""
    for name in ("conv", "conv_transpose", "max_pool", "average_pool",
                 "depthwise_conv", "separable_conv", "softmax", "one_hot",
                 "moments", "dot_product_attention", "binary_crossentropy"):
        assert callable(getattr(ops.nn, name)), name
    for name in ("resize", "affine_transform", "crop_images", "pad_images"):
        assert callable(getattr(ops.image, name)), name
    for name in ("inv", "det", "solve", "cholesky", "qr", "svd", "eig",
                 "eigh", "norm", "lstsq", "lu_factor", "solve_triangular"):
        assert callable(getattr(ops.linalg, name)), name
    assert keras.ops is ops


@pytest.mark.parametrize("window", ["hann", None])
def test_istft_inverts_stft(window):
    x = np.random.default_rng(3).normal(size=(2, 40)).astype(np.float32)
    spec = ops.stft(x, 8, 2, 8, window=window)
    back = ops.istft(spec, 8, 2, 8, length=40, window=window)
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-5)


def test_one_affine_transform_serves_a_whole_batch():
    images = np.random.default_rng(4).normal(size=(3, 5, 4, 2))
    t = np.array([0.9, 0.1, 0.4, -0.2, 1.1, 0.3, 0.0, 0.0])
    one = ops.image.affine_transform(images, t)
    each = ops.image.affine_transform(images, np.tile(t, (3, 1)))
    np.testing.assert_array_equal(one, each)
    shifted = ops.image.affine_transform(
        images, np.array([1.0, 0, 1.0, 0, 1.0, 0, 0, 0]),
        interpolation="nearest")
    np.testing.assert_array_equal(shifted[:, :, :-1], images[:, :, 1:])
    np.testing.assert_array_equal(shifted[:, :, -1], 0.0)
