"""MobileNetV2 (`keras.applications.mobilenet_v2`): inverted residual
blocks with linear bottlenecks, width `alpha`. Input 224x224 by default
(96, 128, 160, 192 also published), at least 32x32; "tf" preprocessing."""
import warnings

from seqcore import config, layers
from seqcore.applications import _common, _weights, imagenet_utils

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/"
                    "keras-applications/mobilenet_v2/")
_SIZES = (96, 128, 160, 192, 224)
_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
# (filters, stride, expansion) of blocks 0..16
_BLOCKS = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6),
           (32, 1, 6), (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
           (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6),
           (160, 1, 6), (320, 1, 6)]


def _make_divisible(v, divisor, min_value=None):
    """`v` rounded to a multiple of `divisor`, never 10% below `v`."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _rows_cols(shape, batch=False):
    offset = 1 if batch else 0
    if config.image_data_format() == "channels_first":
        return shape[offset + 1], shape[offset + 2]
    return shape[offset], shape[offset + 1]


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True,
                weights="imagenet", input_tensor=None, pooling=None,
                classes=1000, classifier_activation="softmax", name=None):
    """MobileNetV2: a 3x3/2 convolution, 17 inverted residual blocks and a
    1x1 convolution to 1280 channels; images (N, 224, 224, 3) through
    `preprocess_input`.

    Args:
        input_shape: (rows, cols, 3), at least 32x32.
        alpha: width multiplier (published: 0.35, 0.5, 0.75, 1.0, 1.3,
            1.4).
        include_top: with pooling + predictions.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        pooling: headless output: None (4D), "avg" or "max".
        classes: output classes with the top.
        classifier_activation: activation of "predictions".
        name: the model's name (default `mobilenetv2_{alpha:.2f}_{rows}`).
    """
    _weights.check_weights_argument(weights)
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            f'If using `weights="imagenet"` with `include_top` as true, '
            f'`classes` should be 1000. Received `classes={classes}`')
    input_shape = _common.to_shape(input_shape)
    from seqcore.engine.keras_tensor import KerasTensor
    if input_tensor is not None and \
            not isinstance(input_tensor, KerasTensor):
        raise ValueError(f"input_tensor is not a Keras tensor; Received "
                         f"`input_tensor={input_tensor}`")
    if input_shape is not None and input_tensor is not None:
        tensor_cols = input_tensor.shape[3] \
            if config.image_data_format() == "channels_first" \
            else input_tensor.shape[2]
        if tensor_cols != input_shape[1]:
            raise ValueError(
                f"input_tensor.shape[2] must equal input_shape[1]; Received "
                f"`input_tensor.shape={input_tensor.shape}`, "
                f"`input_shape={input_shape}`")
    default_size = 224
    if input_shape is None and input_tensor is not None:
        rows, cols = _rows_cols(input_tensor.shape, batch=True)
        if rows == cols and rows in _SIZES:
            default_size = rows
    elif input_shape is not None:
        rows, cols = _rows_cols(input_shape)
        if rows == cols and rows in _SIZES:
            default_size = rows
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top,
        weights=weights)
    rows, cols = _rows_cols(input_shape)
    if weights == "imagenet":
        if alpha not in _ALPHAS:
            raise ValueError(
                f"If imagenet weights are being loaded, alpha must be one of "
                f"`0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; "
                f"Received `alpha={alpha}`")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is not "
                "in [96, 128, 160, 192, 224]. Weights for input shape "
                "(224, 224) will be loaded as the default.", stacklevel=2)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()

    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3,
                      strides=(2, 2), padding="same", use_bias=False,
                      name="Conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                  name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion, stride, alpha, filters,
                                block_id, axis)
    last = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                  name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    model = _common.functional(
        _common.model_inputs(input_tensor, img_input), x, name)
    if weights == "imagenet":
        file_name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_" + \
            f"{float(alpha)}_{rows}" + ("" if include_top else "_no_top") + \
            ".h5"
        _weights.load_weights(model, weights, file_name,
                              BASE_WEIGHT_PATH + file_name)
    else:
        _weights.load_weights(model, weights)
    return model


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id,
                        axis):
    """1x1 expansion (not in block 0) -> 3x3 depthwise (stride) -> 1x1
    linear projection, BN + ReLU6 between, plus the input when shapes
    allow."""
    in_channels = inputs.shape[axis]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1,
                          padding="same", use_bias=False, activation=None,
                          name=f"{prefix}expand")(x)
        x = layers.BatchNormalization(axis=axis, epsilon=1e-3,
                                      momentum=0.999,
                                      name=f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                 name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride,
                               activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                  name=f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same",
                      use_bias=False, activation=None,
                      name=f"{prefix}project")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999,
                                  name=f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def preprocess_input(x, data_format=None):
    """"tf" mode: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


def decode_predictions(preds, top=5):
    """See imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
