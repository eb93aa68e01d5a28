"""backward() of the issue-16 convolution layers against float64 central
differences of the independent numpy references (tests/conv_references.py),
with odd channel counts (1, 7, 33); identical bits at 1 and 2 threads; and
every ISA's kernels against the references.

The loss is L = sum(y * w) for a fixed random w, so dL/dy = w."""
import numpy as np
import pytest

from seqcore import layers
from tests import conv_references as cref
from tests.conftest import same_bits_with_threads
from tests.test_gradients import analytic, numeric

RNG = np.random.default_rng(16)


def _act(name, y):
    return {"linear": lambda v: v, "tanh": np.tanh,
            "relu": lambda v: np.maximum(v, 0),
            "sigmoid": lambda v: 1 / (1 + np.exp(-v))}[name](y)


def _nhwc(x, layer):
    """x as NHWC (or NDHWC / NWC), as the references take it."""
    return np.moveaxis(x, 1, -1) if layer.data_format == "channels_first" \
        else x


def _back(y, layer):
    return np.moveaxis(y, -1, 1) if layer.data_format == "channels_first" \
        else y


def _as2d(x, rank):
    return x[:, None] if rank == 1 else x


def reference(layer):
    """fn(x, *weights) -> y in float64, from the references and the
    layer's hyper-parameters."""
    name = layer.__class__.__name__
    rank = getattr(layer, "rank", 2)
    fill = (1,) * (2 - rank)
    act = getattr(getattr(layer, "activation", None), "__name__", "linear")

    def run(x, *weights):
        x2 = _nhwc(x, layer)
        bias = weights[-1] if getattr(layer, "use_bias", False) else None
        if name.startswith("Depthwise"):
            k = weights[0][None] if rank == 1 else weights[0]
            y = cref.depthwise2d(_as2d(x2, rank), k, bias,
                                 fill + layer.strides,
                                 fill + layer.dilation_rate, layer.padding)
        elif name.startswith("Separable"):
            dk = weights[0][None] if rank == 1 else weights[0]
            pk = weights[1][None] if rank == 1 else weights[1]
            y = cref.depthwise2d(_as2d(x2, rank), dk, None,
                                 fill + layer.strides,
                                 fill + layer.dilation_rate, layer.padding)
            y = np.einsum("nhwc,cf->nhwf", y, pk[0, 0])
            y = y if bias is None else y + bias
        elif name.endswith("Transpose"):
            y = cref.conv_transpose(x2, weights[0], bias, layer.strides,
                                    layer.dilation_rate, layer.padding,
                                    layer.output_padding)
            y = y[:, None] if rank == 1 else y
        elif "Pooling3D" in name:
            if name.startswith("Global"):
                axes = (1, 2, 3)
                y = x2.max(axis=axes, keepdims=True) if "Max" in name \
                    else x2.mean(axis=axes, keepdims=True)
                y = y if layer.keepdims else y.reshape(y.shape[0], -1)
            else:
                y = cref.pool3d(x2, layer.pool_size, layer.strides,
                                layer.padding,
                                "max" if "Max" in name else "avg")
            return _back(y, layer) if y.ndim == 5 else y
        elif name == "Conv3D":
            y = cref.conv3d(x2, weights[0], bias, layer.strides,
                            layer.dilation_rate, layer.padding, layer.groups)
        else:  # grouped Conv1D / Conv2D
            k = weights[0][None] if rank == 1 else weights[0]
            padding = layer.padding
            x3 = _as2d(x2, rank)
            if padding == "causal":
                pad = (layer.kernel_size[0] - 1) * layer.dilation_rate[0]
                x3 = np.pad(x3, ((0, 0), (0, 0), (pad, 0), (0, 0)))
                padding = "valid"
            y = cref.grouped_conv2d(x3, k, layer.groups, bias,
                                    fill + layer.strides,
                                    fill + layer.dilation_rate, padding)
        if rank == 1 and y.ndim == 4:
            y = y[:, 0]
        return _back(_act(act, y), layer)
    return run


CASES = [
    ("dw2d_c7_same_tanh", lambda: layers.DepthwiseConv2D(
        3, padding="same", activation="tanh"), (2, 5, 4, 7)),
    ("dw2d_c1_stride", lambda: layers.DepthwiseConv2D(
        (2, 3), strides=(2, 1), depth_multiplier=3), (2, 5, 6, 1)),
    ("dw2d_c33_dilated", lambda: layers.DepthwiseConv2D(
        2, dilation_rate=2, padding="same"), (1, 4, 5, 33)),
    ("dw2d_c7_stride2_same", lambda: layers.DepthwiseConv2D(
        3, strides=2, padding="same"), (2, 6, 7, 7)),
    ("dw2d_c33_stride_valid", lambda: layers.DepthwiseConv2D(
        (3, 2), strides=(1, 3), activation="relu"), (1, 5, 8, 33)),
    ("dw2d_first_mult", lambda: layers.DepthwiseConv2D(
        3, strides=2, depth_multiplier=2, data_format="channels_first",
        use_bias=False), (2, 3, 5, 5)),
    ("dw1d_same_mult", lambda: layers.DepthwiseConv1D(
        3, padding="same", depth_multiplier=2, activation="sigmoid"),
     (2, 7, 3)),
    ("sep2d_c7_same_tanh", lambda: layers.SeparableConv2D(
        4, 3, padding="same", activation="tanh"), (2, 4, 5, 7)),
    ("sep2d_c1_mult_stride", lambda: layers.SeparableConv2D(
        3, (2, 3), strides=2, depth_multiplier=3), (2, 5, 6, 1)),
    ("sep2d_first_dilated", lambda: layers.SeparableConv2D(
        2, 2, dilation_rate=2, data_format="channels_first",
        use_bias=False), (1, 3, 5, 5)),
    ("sep1d_same_mult", lambda: layers.SeparableConv1D(
        3, 3, padding="same", depth_multiplier=2), (2, 7, 3)),
    ("conv2d_groups3_c33", lambda: layers.Conv2D(
        6, 3, groups=3, padding="same", activation="tanh"), (1, 4, 3, 33)),
    ("conv2d_groups7_stride_first", lambda: layers.Conv2D(
        7, (2, 3), strides=2, groups=7, data_format="channels_first"),
     (2, 7, 5, 6)),
    ("conv1d_groups_causal", lambda: layers.Conv1D(
        4, 3, groups=2, padding="causal", dilation_rate=2), (2, 7, 6)),
    ("conv3d_c7_same_stride", lambda: layers.Conv3D(
        3, (2, 3, 2), strides=(2, 1, 2), padding="same",
        activation="tanh"), (1, 5, 3, 4, 7)),
    ("conv3d_groups_dilated_first", lambda: layers.Conv3D(
        2, 2, dilation_rate=(2, 1, 1), groups=2,
        data_format="channels_first"), (2, 4, 5, 3, 3)),
    ("tr3d_same_s2", lambda: layers.Conv3DTranspose(
        2, 3, strides=(2, 1, 2), padding="same"), (1, 3, 2, 3, 3)),
    ("tr3d_valid_outpad_first", lambda: layers.Conv3DTranspose(
        3, 2, strides=2, output_padding=(1, 0, 1),
        data_format="channels_first", activation="sigmoid"),
     (1, 1, 2, 3, 2)),
    ("maxpool3d_same", lambda: layers.MaxPooling3D(
        (3, 2, 2), strides=(2, 1, 2), padding="same"), (2, 5, 4, 5, 3)),
    ("maxpool3d_overlap_first", lambda: layers.MaxPooling3D(
        2, strides=1, data_format="channels_first"), (1, 2, 3, 4, 3)),
    ("avgpool3d_same", lambda: layers.AveragePooling3D(
        (2, 3, 2), padding="same"), (2, 3, 5, 4, 1)),
    ("gmax3d_keep", lambda: layers.GlobalMaxPooling3D(keepdims=True),
     (2, 3, 2, 4, 3)),
    ("gavg3d_first", lambda: layers.GlobalAveragePooling3D(
        data_format="channels_first"), (2, 3, 2, 4, 3)),
    ("tr2d_same_s2", lambda: layers.Conv2DTranspose(
        3, 3, strides=2, padding="same", activation="tanh"), (2, 3, 4, 7)),
    ("tr2d_valid_outpad", lambda: layers.Conv2DTranspose(
        2, (3, 2), strides=(3, 2), output_padding=(1, 1)), (1, 3, 3, 1)),
    ("tr2d_dilated_first", lambda: layers.Conv2DTranspose(
        3, 3, dilation_rate=2, padding="same",
        data_format="channels_first"), (2, 2, 4, 3)),
    ("tr1d_same", lambda: layers.Conv1DTranspose(
        4, 3, strides=2, padding="same"), (2, 5, 3)),
]


def _prepared(make, shape, seed=0):
    layer = make()
    layer.build(shape)
    rng = np.random.default_rng(seed)
    for v in layer.weights:
        v.assign((rng.standard_normal(v.shape) * 0.4).astype(np.float32))
    return layer


@pytest.mark.parametrize("name,make,shape", CASES, ids=[c[0] for c in CASES])
def test_backward_matches_finite_differences(name, make, shape, isa):
    layer = _prepared(make, shape)
    x = RNG.standard_normal(shape).astype(np.float32)
    weights = [v.value.copy() for v in layer.trainable_weights]
    fn = reference(layer)
    y = fn(x, *weights)
    np.testing.assert_allclose(layer(x), y, rtol=1e-5, atol=1e-5)
    w = RNG.standard_normal(y.shape)
    dx, grads = analytic(layer, x, w)
    arrays = [x] + weights
    for index, got in enumerate([dx] + grads):
        expected = numeric(fn, arrays, index, w)
        scale = max(1.0, np.abs(expected).max())
        np.testing.assert_allclose(got, expected, rtol=1e-3,
                                   atol=1e-4 * scale)


# (maker, input shape) with enough work for the kernels to use 2 threads.
THREADED = [
    ("dw2d", lambda: layers.DepthwiseConv2D(3, padding="same",
                                            activation="relu"),
     (4, 32, 32, 33)),
    ("dw2d_mult_stride", lambda: layers.DepthwiseConv2D(
        3, strides=2, depth_multiplier=3), (3, 33, 31, 16)),
    ("sep2d", lambda: layers.SeparableConv2D(32, 3, padding="same"),
     (4, 28, 28, 33)),
    ("conv2d_groups", lambda: layers.Conv2D(32, 3, groups=4,
                                            padding="same"),
     (4, 20, 20, 32)),
    ("conv3d", lambda: layers.Conv3D(8, 3, padding="same"),
     (2, 8, 10, 10, 8)),
    ("tr3d", lambda: layers.Conv3DTranspose(4, 3, strides=2,
                                            padding="same"),
     (2, 4, 6, 6, 8)),
    ("tr2d", lambda: layers.Conv2DTranspose(16, 3, strides=2,
                                            padding="same"),
     (4, 14, 14, 32)),
]


@pytest.mark.parametrize("name,make,shape", THREADED,
                         ids=[c[0] for c in THREADED])
def test_same_bits_at_1_and_2_threads(name, make, shape, threads):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)

    def run():
        layer = _prepared(make, shape)
        y = layer(x, training=True)
        w = np.random.default_rng(2).standard_normal(y.shape)
        dx, grads = analytic(layer, x, w)
        return [y, dx] + grads
    same_bits_with_threads(threads, run)


@pytest.mark.parametrize("name,make,shape", THREADED,
                         ids=[c[0] for c in THREADED])
def test_every_isa_matches_the_reference(name, make, shape, isa):
    layer = _prepared(make, shape)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    y = reference(layer)(x, *[v.value for v in layer.trainable_weights])
    np.testing.assert_allclose(layer(x), y, rtol=1e-4, atol=1e-4)
    w = np.random.default_rng(2).standard_normal(y.shape)
    dx, grads = analytic(layer, x, w)
    # dx against the reference's adjoint, <dx, e> = <w, J e> for a random
    # direction e (the layer is affine before its activation)
    if getattr(layer.activation, "__name__", "linear") == "linear":
        e = np.random.default_rng(3).standard_normal(shape)
        weights = [v.value.astype(np.float64)
                   for v in layer.trainable_weights]
        fn = reference(layer)
        jvp = fn(e, *weights) - fn(np.zeros_like(e), *weights)
        np.testing.assert_allclose(np.sum(dx * e), np.sum(w * jvp),
                                   rtol=1e-4)
    # the kernel gradient is the adjoint in the kernel: <dk, e> = <w, J e>
    k = layer.trainable_weights[0].value.astype(np.float64)
    e = np.random.default_rng(4).standard_normal(k.shape)
    # the other weights as they are, but a zero bias (separable layers are
    # linear in each kernel with the other fixed)
    others = [v.value.astype(np.float64) * (v is not layer.bias)
              for v in layer.trainable_weights[1:]]
    if getattr(layer.activation, "__name__", "linear") == "linear":
        fn = reference(layer)
        np.testing.assert_allclose(np.sum(grads[0] * e),
                                   np.sum(w * fn(x, e, *others)), rtol=1e-4)
