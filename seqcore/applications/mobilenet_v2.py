"""MobileNetV2 (`keras.applications.mobilenet_v2`): inverted residual
blocks with linear bottlenecks, width `alpha`. Input 224x224 by default
(96, 128, 160, 192 also published), at least 32x32; "tf" preprocessing."""
from seqcore import config, layers
from seqcore.applications import _common, _frame, _weights, imagenet_utils
from seqcore.applications._blocks import conv_bn, make_divisible, relu6

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/"
                    "keras-applications/mobilenet_v2/")
_SIZES = (96, 128, 160, 192, 224)
_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
# (filters, stride, expansion) of blocks 0..16
_BLOCKS = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6),
           (32, 1, 6), (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
           (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6),
           (160, 1, 6), (320, 1, 6)]


_BN = {"epsilon": 1e-3, "momentum": 0.999}


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
    _weights.check_classes(
        weights, include_top, classes,
        'If using `weights="imagenet"` with `include_top` as true, '
        '`classes` should be 1000. Received `classes={classes}`')
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
    if input_shape is not None:
        default_size = _frame.square_size(_frame.rows_cols(input_shape),
                                          _SIZES)
    elif input_tensor is not None:
        default_size = _frame.square_size(
            _frame.rows_cols(input_tensor.shape, batch=True), _SIZES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top,
        weights=weights)
    rows, cols = _frame.rows_cols(input_shape)
    if weights == "imagenet":
        if alpha not in _ALPHAS:
            raise ValueError(
                f"If imagenet weights are being loaded, alpha must be one of "
                f"`0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; "
                f"Received `alpha={alpha}`")
        rows = _frame.published_rows(rows, cols, _SIZES)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()

    x = conv_bn(img_input, layers.Conv2D(make_divisible(32 * alpha, 8),
                                         kernel_size=3, strides=(2, 2),
                                         padding="same", use_bias=False,
                                         name="Conv1"),
                axis, "bn_Conv1", relu6("Conv1_relu"), **_BN)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion, stride, alpha, filters,
                                block_id, axis)
    last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = conv_bn(x, layers.Conv2D(last, kernel_size=1, use_bias=False,
                                 name="Conv_1"),
                axis, "Conv_1_bn", relu6("out_relu"), **_BN)
    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights, gap_name=None)
    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    file_name = None
    if weights == "imagenet":
        file_name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_" + \
            f"{float(alpha)}_{rows}" + ("" if include_top else "_no_top") + \
            ".h5"
    return _frame.model(input_tensor, img_input, x, name, weights,
                        file_name, BASE_WEIGHT_PATH)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id,
                        axis):
    """1x1 expansion (not in block 0) -> 3x3 depthwise (stride) -> 1x1
    linear projection, BN + ReLU6 between, plus the input when shapes
    allow."""
    in_channels = inputs.shape[axis]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        expand = layers.Conv2D(expansion * in_channels, kernel_size=1,
                               padding="same", use_bias=False,
                               activation=None, name=f"{prefix}expand")
        x = conv_bn(x, expand, axis, f"{prefix}expand_BN",
                    relu6(f"{prefix}expand_relu"), **_BN)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                 name=f"{prefix}pad")(x)
    dw = layers.DepthwiseConv2D(kernel_size=3, strides=stride,
                                activation=None, use_bias=False,
                                padding="same" if stride == 1 else "valid",
                                name=f"{prefix}depthwise")
    x = conv_bn(x, dw, axis, f"{prefix}depthwise_BN",
                relu6(f"{prefix}depthwise_relu"), **_BN)
    project = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same",
                            use_bias=False, activation=None,
                            name=f"{prefix}project")
    x = conv_bn(x, project, axis, f"{prefix}project_BN", **_BN)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


preprocess_input, decode_predictions = _frame.preprocessing("tf", __name__)
