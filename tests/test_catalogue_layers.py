"""Behaviour of issue 16's layers beyond the Keras fixtures: argument
checks with clear errors, legacy arguments, masks flowing through."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers


# ---- activations ----------------------------------------------------------------

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


# ---- spatial reshaping -------------------------------------------------------------

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
    (lambda: layers.UpSampling2D(interpolation="lanczos3"), ValueError,
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
