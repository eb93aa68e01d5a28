"""Bad arguments and inputs to the issue-16 convolution layers get clear
Python errors naming what was expected and what was received."""
import numpy as np
import pytest

from seqcore import layers


@pytest.mark.parametrize("make,match", [
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0),
     "depth_multiplier must be a positive integer, received "
     "depth_multiplier=0"),
    (lambda: layers.DepthwiseConv1D(3, padding="causal"),
     r"padding must be one of \['valid', 'same'\], received "
     r"padding='causal'"),
    (lambda: layers.SeparableConv2D(0, 3), "filters must be a positive"),
    (lambda: layers.SeparableConv2D(4, (3, 3, 3)), "kernel_size must be"),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2),
     "output_padding.*strictly less than.*strides"),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, dilation_rate=2),
     "strides > 1.*dilation_rate > 1"),
    (lambda: layers.Conv1DTranspose(4, 3, output_padding=-1),
     "output_padding must be a non-negative integer"),
    (lambda: layers.Conv2D(5, 3, groups=2),
     "filters must be evenly divisible by the number of groups. "
     "Received: groups=2, filters=5"),
    (lambda: layers.Conv1D(4, 3, groups=0),
     "groups must be a positive integer, received groups=0"),
    (lambda: layers.Conv3D(4, 3, padding="causal"),
     r"padding must be one of \['valid', 'same'\]"),
    (lambda: layers.MaxPooling3D((2, 2)), "pool_size must be"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_grouped_conv_refuses_channels_not_split_by_groups():
    layer = layers.Conv2D(4, 3, groups=2)
    with pytest.raises(ValueError, match="input channels must be evenly "
                       "divisible by the number of groups. Received "
                       "groups=2, but the input has 3 channels"):
        layer(np.zeros((1, 5, 5, 3), np.float32))


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.DepthwiseConv2D(3), (1, 5, 5, 3)),
    (lambda: layers.SeparableConv2D(2, 3), (1, 5, 5, 3)),
    (lambda: layers.Conv2DTranspose(2, 3), (1, 5, 5, 3)),
    (lambda: layers.Conv3D(2, 2), (1, 3, 3, 3, 3)),
])
def test_wrong_channel_count_after_build(make, shape):
    layer = make()
    layer(np.zeros(shape, np.float32))
    wrong = shape[:-1] + (shape[-1] + 1,)
    with pytest.raises(ValueError, match=str(shape[-1])):
        layer(np.zeros(wrong, np.float32))


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.DepthwiseConv2D(5), (1, 3, 8, 2)),
    (lambda: layers.SeparableConv1D(2, 9), (1, 4, 2)),
    (lambda: layers.Conv3D(2, 4), (1, 3, 5, 5, 1)),
    (lambda: layers.MaxPooling3D(4), (1, 3, 5, 5, 1)),
])
def test_window_larger_than_the_input(make, shape):
    with pytest.raises(ValueError, match="non-positive"):
        make()(np.zeros(shape, np.float32))


def test_unknown_channels_are_refused_at_build():
    with pytest.raises(ValueError, match="channel axis of the input must be "
                       "known"):
        layers.DepthwiseConv2D(3).build((None, 5, 5, None))
