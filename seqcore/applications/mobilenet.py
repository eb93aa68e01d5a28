"""MobileNet (`keras.applications.mobilenet`): depthwise-separable
convolutions with ReLU6, width `alpha`. Input 224x224 by default (128,
160, 192 also published), at least 32x32; "tf" preprocessing."""
from seqcore import config, layers
from seqcore.applications import _common, _frame, _weights, imagenet_utils
from seqcore.applications._blocks import conv_bn, relu6

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/"
                    "keras-applications/mobilenet/")
_SIZES = (128, 160, 192, 224)


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3,
              include_top=True, weights="imagenet", input_tensor=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              name=None):
    """MobileNet v1: a 3x3/2 convolution then 13 depthwise-separable
    blocks; images (N, 224, 224, 3) through `preprocess_input`.

    Args:
        input_shape: (rows, cols, 3), at least 32x32.
        alpha: width multiplier of every block's filters (published:
            0.25, 0.5, 0.75, 1.0).
        depth_multiplier: of the depthwise convolutions (1 for weights).
        dropout: rate before the 1x1 convolution classifier.
        include_top: with the pooled 1x1 convolution classifier.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        pooling: headless output: None (4D), "avg" or "max".
        classes: output classes with the top.
        classifier_activation: activation of "predictions".
        name: the model's name (default `mobilenet_{alpha:.2f}_{rows}`).
    """
    _weights.check_weights_argument(weights)
    _weights.check_classes(weights, include_top, classes)
    input_shape = _common.to_shape(input_shape)
    default_size = 224
    if input_shape is not None:
        default_size = _frame.square_size(_frame.rows_cols(input_shape),
                                          _SIZES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top,
        weights=weights)
    rows, cols = _frame.rows_cols(input_shape)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError(
                f"If imagenet weights are being loaded, depth multiplier "
                f"must be 1.  Received depth_multiplier={depth_multiplier}")
        if alpha not in (0.25, 0.50, 0.75, 1.0):
            raise ValueError(
                f"If imagenet weights are being loaded, alpha can be one of"
                f"`0.25`, `0.50`, `0.75` or `1.0` only.  Received "
                f"alpha={alpha}")
        rows = _frame.published_rows(rows, cols, _SIZES)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()

    filters = int(32 * alpha)
    x = conv_bn(img_input, layers.Conv2D(filters, (3, 3), padding="same",
                                         use_bias=False, strides=(2, 2),
                                         name="conv1"),
                axis, "conv1_bn", relu6("conv1_relu"))
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + \
        [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for block_id, (pointwise, stride) in enumerate(plan, start=1):
        x = _depthwise_conv_block(x, pointwise, alpha, depth_multiplier,
                                  stride, block_id, axis)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same",
                          name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation,
                              name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    file_name = None
    if weights == "imagenet":
        alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}.get(alpha, "2_5")
        file_name = f"mobilenet_{alpha_text}_{rows}_tf" + \
            ("" if include_top else "_no_top") + ".h5"
    return _frame.model(input_tensor, img_input, x, name, weights,
                        file_name, BASE_WEIGHT_PATH)


def _depthwise_conv_block(x, pointwise_filters, alpha, depth_multiplier,
                          stride, block_id, axis):
    """3x3 depthwise (stride; a strided one pads bottom/right first) ->
    BN -> ReLU6 -> 1x1 convolution -> BN -> ReLU6."""
    pointwise_filters = int(pointwise_filters * alpha)
    if stride != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)),
                                 name=f"conv_pad_{block_id}")(x)
    dw = layers.DepthwiseConv2D((3, 3),
                                padding="same" if stride == 1 else "valid",
                                depth_multiplier=depth_multiplier,
                                strides=(stride, stride), use_bias=False,
                                name=f"conv_dw_{block_id}")
    x = conv_bn(x, dw, axis, f"conv_dw_{block_id}_bn",
                relu6(f"conv_dw_{block_id}_relu"))
    pw = layers.Conv2D(pointwise_filters, (1, 1), padding="same",
                       use_bias=False, strides=(1, 1),
                       name=f"conv_pw_{block_id}")
    return conv_bn(x, pw, axis, f"conv_pw_{block_id}_bn",
                   relu6(f"conv_pw_{block_id}_relu"))


preprocess_input, decode_predictions = _frame.preprocessing("tf", __name__)
