"""MobileNetV3Small and MobileNetV3Large
(`keras.applications.mobilenet_v3`): inverted residual blocks with
squeeze-and-excite and hard-swish; the Rescaling to [-1, 1] is part of
the model (`include_preprocessing`), so `preprocess_input` is the
identity."""
import warnings

from seqcore import config, layers
from seqcore.applications import _common, _frame, _weights, imagenet_utils
from seqcore.applications._blocks import conv_bn
from seqcore.applications._blocks import make_divisible as _depth

BASE_WEIGHT_PATH = ("https://storage.googleapis.com/tensorflow/"
                    "keras-applications/mobilenet_v3/")
_BN = {"epsilon": 1e-3, "momentum": 0.999}


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    """ReLU6(x + 3) / 6, written with symbolic ops as Keras does."""
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _se_block(inputs, filters, se_ratio, prefix):
    x = layers.GlobalAveragePooling2D(
        keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1,
                      padding="same", name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio,
                        activation, block_id):
    axis = _common.channel_axis()
    shortcut = x
    prefix = "expanded_conv_"
    infilters = x.shape[axis]
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        expand = layers.Conv2D(_depth(infilters * expansion), kernel_size=1,
                               padding="same", use_bias=False,
                               name=f"{prefix}expand")
        x = conv_bn(x, expand, axis, f"{prefix}expand_bn", activation,
                    **_BN)
    if stride == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"{prefix}depthwise_pad")(x)
    dw = layers.DepthwiseConv2D(kernel_size, strides=stride,
                                padding="same" if stride == 1 else "valid",
                                use_bias=False, name=f"{prefix}depthwise")
    x = conv_bn(x, dw, axis, f"{prefix}depthwise_bn", activation, **_BN)
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    project = layers.Conv2D(filters, kernel_size=1, padding="same",
                            use_bias=False, name=f"{prefix}project")
    x = conv_bn(x, project, axis, f"{prefix}project_bn", **_BN)
    if stride == 1 and infilters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def MobileNetV3(stack_fn, last_point_ch, input_shape=None, alpha=1.0,
                model_type="large", minimalistic=False, include_top=True,
                weights="imagenet", input_tensor=None, classes=1000,
                pooling=None, dropout_rate=0.2,
                classifier_activation="softmax", include_preprocessing=True,
                name=None):
    """The MobileNetV3 frame around `stack_fn(x, kernel, activation,
    se_ratio)`."""
    _weights.check_weights_argument(weights)
    _weights.check_classes(
        weights, include_top, classes,
        'If using `weights="imagenet"` with `include_top` as true, '
        '`classes` should be 1000.  Received classes={classes}')
    from seqcore.engine.keras_tensor import KerasTensor
    first = config.image_data_format() == "channels_first"
    input_shape = _common.to_shape(input_shape)
    if input_tensor is not None and \
            not isinstance(input_tensor, KerasTensor):
        raise ValueError(f"input_tensor specified: {input_tensor} is not a "
                         f"keras tensor")
    if input_shape is not None and input_tensor is not None:
        tensor_dim = input_tensor.shape[1] if first else input_tensor.shape[2]
        if tensor_dim != input_shape[1]:
            raise ValueError(
                f"input_shape[1] must equal input_tensor.shape[2].  "
                f"Received input_shape={input_shape}, input_tensor.shape="
                f"{input_tensor.shape}")
    if input_shape is None and input_tensor is not None:
        if first:
            rows, cols = input_tensor.shape[2], input_tensor.shape[3]
            input_shape = (3, cols, rows)
        else:
            rows, cols = input_tensor.shape[1], input_tensor.shape[2]
            input_shape = (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    rows, cols = (input_shape[1], input_shape[2]) if first else \
        (input_shape[0], input_shape[1])
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received "
                         f"`input_shape={input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or \
                (minimalistic and alpha != 1.0):
            raise ValueError(
                "If imagenet weights are being loaded, alpha can be one of "
                "`0.75`, `1.0` for non minimalistic or `1.0` for "
                "minimalistic only.")
        if rows != cols or rows != 224:
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is not "
                "224. Weights for input shape (224, 224) will be loaded as "
                "the default.", stacklevel=3)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()
    if minimalistic:
        kernel, activation, se_ratio = 3, relu, None
    else:
        kernel, activation, se_ratio = 5, hard_swish, 0.25

    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = conv_bn(x, layers.Conv2D(16, kernel_size=3, strides=(2, 2),
                                 padding="same", use_bias=False,
                                 name="conv"),
                axis, "conv_bn", activation, **_BN)
    x = stack_fn(x, kernel, activation, se_ratio)
    last_conv_ch = _depth(x.shape[axis] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = conv_bn(x, layers.Conv2D(last_conv_ch, kernel_size=1,
                                 padding="same", use_bias=False,
                                 name="conv_1"),
                axis, "conv_1_bn", activation, **_BN)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same",
                          use_bias=True, name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same",
                          name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation,
                              name="predictions")(x)
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    file_name = None
    if weights == "imagenet":
        model_name = f"{model_type}" + \
            ("_minimalistic" if minimalistic else "") + f"_224_{alpha}_float"
        file_name = f"weights_mobilenet_v3_{model_name}" + \
            (".h5" if include_top else "_no_top_v2.h5")
    return _frame.model(input_tensor, img_input, x, name, weights,
                        file_name, BASE_WEIGHT_PATH)


_DOC = """{title}: MobileNetV3 ({size} variant). Takes pixels in [0, 255]
    (the model rescales them when `include_preprocessing`).

    Args:
        input_shape: (rows, cols, 3), at least 32x32; default (None,
            None, 3).
        alpha: width multiplier (published: 0.75 and 1.0; 1.0 for
            minimalistic).
        minimalistic: no squeeze-and-excite, no hard-swish, 3x3 kernels.
        include_top: with the 1x1 convolution classifier.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        classes: output classes with the top.
        pooling: headless output: None (4D), "avg" or "max".
        dropout_rate: before the classifier's last convolution.
        classifier_activation: activation of "predictions".
        include_preprocessing: with the Rescaling layer first.
        name: the model's name.
    """


# (expansion, filters, kernel, stride, squeeze-excite, activation) of each
# block: kernel "k" is the variant's (5, or 3 when minimalistic), "se"
# its se_ratio (None when minimalistic), "act" its activation (hard-swish,
# or ReLU when minimalistic).
_SMALL = [(1, 16, 3, 2, "se", "relu"), (72.0 / 16, 24, 3, 2, None, "relu"),
          (88.0 / 24, 24, 3, 1, None, "relu"), (4, 40, "k", 2, "se", "act"),
          (6, 40, "k", 1, "se", "act"), (6, 40, "k", 1, "se", "act"),
          (3, 48, "k", 1, "se", "act"), (3, 48, "k", 1, "se", "act"),
          (6, 96, "k", 2, "se", "act"), (6, 96, "k", 1, "se", "act"),
          (6, 96, "k", 1, "se", "act")]
_LARGE = [(1, 16, 3, 1, None, "relu"), (4, 24, 3, 2, None, "relu"),
          (3, 24, 3, 1, None, "relu"), (3, 40, "k", 2, "se", "relu"),
          (3, 40, "k", 1, "se", "relu"), (3, 40, "k", 1, "se", "relu"),
          (6, 80, 3, 2, None, "act"), (2.5, 80, 3, 1, None, "act"),
          (2.3, 80, 3, 1, None, "act"), (2.3, 80, 3, 1, None, "act"),
          (6, 112, 3, 1, "se", "act"), (6, 112, 3, 1, "se", "act"),
          (6, 160, "k", 2, "se", "act"), (6, 160, "k", 1, "se", "act"),
          (6, 160, "k", 1, "se", "act")]


def _stack(plan, alpha):
    """The stack_fn running the inverted residual blocks of `plan`."""
    def stack_fn(x, kernel, activation, se_ratio):
        for block_id, (e, f, k, s, se, act) in enumerate(plan):
            x = _inverted_res_block(
                x, e, _depth(f * alpha), kernel if k == "k" else k, s,
                se_ratio if se else None,
                activation if act == "act" else relu, block_id)
        return x
    return stack_fn


def _variant(title, plan, last_point_ch, model_type):
    def constructor(input_shape=None, alpha=1.0, minimalistic=False,
                    include_top=True, weights="imagenet", input_tensor=None,
                    classes=1000, pooling=None, dropout_rate=0.2,
                    classifier_activation="softmax",
                    include_preprocessing=True, name=title):
        return MobileNetV3(_stack(plan, alpha), last_point_ch, input_shape,
                           alpha, model_type, minimalistic, include_top,
                           weights, input_tensor, classes, pooling,
                           dropout_rate, classifier_activation,
                           include_preprocessing, name=name)
    constructor.__name__ = constructor.__qualname__ = title
    constructor.__doc__ = _DOC.format(title=title, size=model_type)
    return constructor


MobileNetV3Small = _variant("MobileNetV3Small", _SMALL, 1024, "small")
MobileNetV3Large = _variant("MobileNetV3Large", _LARGE, 1280, "large")


preprocess_input, decode_predictions = _frame.preprocessing(
    None, __name__, "The identity: the model rescales its input itself.")
