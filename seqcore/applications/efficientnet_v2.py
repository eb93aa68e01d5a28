"""EfficientNetV2B0-B3, S, M, L (`keras.applications.efficientnet_v2`):
Fused-MBConv stages (a full kxk convolution in place of expansion +
depthwise) followed by MBConv stages with squeeze-and-excite; swish,
BatchNormalization momentum 0.9. The model rescales its own input
(`include_preprocessing`), so `preprocess_input` is the identity.
"""
import copy
import math

from seqcore import initializers, layers
from seqcore.applications import _common, _frame, _weights
from seqcore.applications._blocks import conv_bn
from seqcore.applications.efficientnet import (CONV_KERNEL_INITIALIZER,
                                               DENSE_KERNEL_INITIALIZER)

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/efficientnet_v2/")

_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters",
         "expand_ratio", "se_ratio", "strides", "conv_type")
_B_STAGES = [(3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1),
             (3, 2, 32, 48, 4, 0, 2, 1), (3, 3, 48, 96, 4, 0.25, 2, 0),
             (3, 5, 96, 112, 6, 0.25, 1, 0), (3, 8, 112, 192, 6, 0.25, 2, 0)]
# one row per stage, in _KEYS order; conv_type 1 is Fused-MBConv
_STAGES = {
    "efficientnetv2-s": [
        (3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1),
        (3, 4, 48, 64, 4, 0, 2, 1), (3, 6, 64, 128, 4, 0.25, 2, 0),
        (3, 9, 128, 160, 6, 0.25, 1, 0), (3, 15, 160, 256, 6, 0.25, 2, 0)],
    "efficientnetv2-m": [
        (3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1),
        (3, 5, 48, 80, 4, 0, 2, 1), (3, 7, 80, 160, 4, 0.25, 2, 0),
        (3, 14, 160, 176, 6, 0.25, 1, 0), (3, 18, 176, 304, 6, 0.25, 2, 0),
        (3, 5, 304, 512, 6, 0.25, 1, 0)],
    "efficientnetv2-l": [
        (3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1),
        (3, 7, 64, 96, 4, 0, 2, 1), (3, 10, 96, 192, 4, 0.25, 2, 0),
        (3, 19, 192, 224, 6, 0.25, 1, 0), (3, 25, 224, 384, 6, 0.25, 2, 0),
        (3, 7, 384, 640, 6, 0.25, 1, 0)],
    **{f"efficientnetv2-b{i}": _B_STAGES for i in range(4)},
}
DEFAULT_BLOCKS_ARGS = {name: [dict(zip(_KEYS, row)) for row in rows]
                       for name, rows in _STAGES.items()}

_CLASSES_MESSAGE = ('If using `weights="imagenet"` with `include_top` as '
                    'true, `classes` should be 1000')


def _conv_init():
    return initializers.get(copy.deepcopy(CONV_KERNEL_INITIALIZER))


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """`filters` scaled by the width and rounded to the divisor (no 10%
    correction, unlike EfficientNet V1)."""
    filters *= width_coefficient
    minimum = min_depth or depth_divisor
    return int(max(minimum, int(filters + depth_divisor / 2)
                   // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def _conv(filters, kernel_size, strides, name):
    return layers.Conv2D(filters, kernel_size, strides=strides,
                         padding="same", use_bias=False,
                         kernel_initializer=_conv_init(), name=name)


def _squeeze_excite(x, filters, input_filters, se_ratio, activation, name):
    axis = _common.bn_axis()
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se_shape = (filters, 1, 1) if axis == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=_conv_init(),
                       name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=_conv_init(),
                       name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _residual(x, inputs, strides, input_filters, output_filters, rate, name):
    # Keras passes the block's drop-connect value as the Dropout rate
    if strides == 1 and input_filters == output_filters:
        if rate:
            x = layers.Dropout(rate, noise_shape=(None, 1, 1, 1),
                               name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def mb_conv_block(inputs, input_filters, output_filters, expand_ratio=1,
                  kernel_size=3, strides=1, se_ratio=0.0, bn_momentum=0.9,
                  activation="swish", survival_probability=0.8, name=""):
    """MBConv: 1x1 expansion, depthwise kxk, squeeze-and-excite, 1x1
    projection, the skip when shapes allow. (N, H, W, input_filters) ->
    (N, H/strides, W/strides, output_filters)."""
    axis = _common.bn_axis()
    filters = input_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = conv_bn(x, _conv(filters, 1, 1, f"{name}expand_conv"), axis,
                    f"{name}expand_bn", activation,
                    f"{name}expand_activation", momentum=bn_momentum)
    dw = layers.DepthwiseConv2D(kernel_size, strides=strides, padding="same",
                                use_bias=False,
                                depthwise_initializer=_conv_init(),
                                name=f"{name}dwconv2")
    x = conv_bn(x, dw, axis, f"{name}bn", activation, f"{name}activation",
                momentum=bn_momentum)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, input_filters, se_ratio, activation,
                            name)
    x = conv_bn(x, _conv(output_filters, 1, 1, f"{name}project_conv"), axis,
                f"{name}project_bn", momentum=bn_momentum)
    return _residual(x, inputs, strides, input_filters, output_filters,
                     survival_probability, name)


def fused_mb_conv_block(inputs, input_filters, output_filters,
                        expand_ratio=1, kernel_size=3, strides=1,
                        se_ratio=0.0, bn_momentum=0.9, activation="swish",
                        survival_probability=0.8, name=""):
    """Fused-MBConv: one kxk (strided) expansion convolution, optional
    squeeze-and-excite, 1x1 projection (the kxk convolution itself when
    expand_ratio is 1, then activated), the skip when shapes allow."""
    axis = _common.bn_axis()
    filters = input_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = conv_bn(x, _conv(filters, kernel_size, strides,
                             f"{name}expand_conv"),
                    axis, f"{name}expand_bn", activation,
                    f"{name}expand_activation", momentum=bn_momentum)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, input_filters, se_ratio, activation,
                            name)
    fused = expand_ratio == 1
    x = conv_bn(x, _conv(output_filters, kernel_size if fused else 1,
                         strides if fused else 1, f"{name}project_conv"),
                axis, f"{name}project_bn",
                activation if fused else None,
                f"{name}project_activation", momentum=bn_momentum)
    return _residual(x, inputs, strides, input_filters, output_filters,
                     survival_probability, name)


def EfficientNetV2(width_coefficient, depth_coefficient, default_size,
                   dropout_rate=0.2, drop_connect_rate=0.2, depth_divisor=8,
                   min_depth=8, bn_momentum=0.9, activation="swish",
                   blocks_args="default", name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000,
                   classifier_activation="softmax",
                   include_preprocessing=True, weights_name=None):
    """The EfficientNetV2 frame. `blocks_args="default"` takes the stages
    of the model called `name` (as Keras: a custom name needs explicit
    `blocks_args`); the "-b*" names rescale and normalize 3-channel input
    with ImageNet's statistics, the others map [0, 255] to [-1, 1]."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
    if not (weights in ("imagenet", None) or _weights_exist(weights)):
        raise ValueError(
            f"The `weights` argument should be either `None` (random "
            f"initialization), `imagenet` (pre-training on ImageNet), or "
            f"the path to the weights file to be loaded.Received: "
            f"weights={weights}")
    img_input, input_shape = _frame.image_input(
        weights, include_top, classes, input_tensor, input_shape,
        default_size, 32, _CLASSES_MESSAGE)
    axis = _common.bn_axis()

    x = img_input
    if include_preprocessing:
        channels = input_shape[axis - 1]
        if name.split("-")[-1].startswith("b") and channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(
                mean=[0.485, 0.456, 0.406],
                variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2], axis=axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    def filters_of(n):
        return round_filters(n, width_coefficient, min_depth, depth_divisor)

    x = conv_bn(x, _conv(filters_of(blocks_args[0]["input_filters"]), 3, 2,
                         "stem_conv"),
                axis, "stem_bn", activation, "stem_activation",
                momentum=bn_momentum)

    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(args["num_repeat"] for args in blocks_args))
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError(
                f"The number of repeats in `EfficientNetV2` must be > 0. "
                f"Received: num_repeat={args['num_repeat']}")
        args["input_filters"] = filters_of(args["input_filters"])
        args["output_filters"] = filters_of(args["output_filters"])
        block = {0: mb_conv_block, 1: fused_mb_conv_block}[
            args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"),
                                     depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(x, activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * b / blocks,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)
            b += 1

    x = conv_bn(x, _conv(filters_of(1280), 1, 1, "top_conv"), axis,
                "top_bn", activation, "top_activation", momentum=bn_momentum)
    dense_kwargs = {}
    if include_top:
        dense_kwargs = {
            "kernel_initializer": initializers.get(
                copy.deepcopy(DENSE_KERNEL_INITIALIZER)),
            "bias_initializer": initializers.Constant(0.0)}
    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights,
                          pool_names=("avg_pool", "max_pool"),
                          dropout=(dropout_rate, "top_dropout"),
                          **dense_kwargs)
    file_name = name + (".h5" if include_top else "_notop.h5") \
        if weights == "imagenet" else None
    return _frame.model(input_tensor, img_input, x, name, weights,
                        file_name, BASE_WEIGHTS_PATH)


def _weights_exist(weights):
    try:
        _weights.check_weights_argument(weights)
    except ValueError:
        return False
    return True


_VARIANTS = {  # title: (width, depth, default size, Keras's weights_name)
    "B0": (1.0, 1.0, 224, "b0"), "B1": (1.0, 1.1, 240, "b1"),
    "B2": (1.1, 1.2, 260, "b2"), "B3": (1.2, 1.4, 300, "b3"),
    "S": (1.0, 1.0, 384, "-s"), "M": (1.0, 1.0, 480, "-m"),
    "L": (1.0, 1.0, 480, "-l")}


def _variant(v):
    width, depth, size, weights_name = _VARIANTS[v]
    default_name = f"efficientnetv2-{v.lower()}"

    def ctor(include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", include_preprocessing=True,
             name=default_name):
        return EfficientNetV2(
            width, depth, size, name=name, include_top=include_top,
            weights=weights, input_tensor=input_tensor,
            input_shape=input_shape, pooling=pooling, classes=classes,
            classifier_activation=classifier_activation,
            include_preprocessing=include_preprocessing,
            weights_name=weights_name)
    ctor.__name__ = ctor.__qualname__ = f"EfficientNetV2{v}"
    ctor.__module__ = __name__
    ctor.__doc__ = _frame.constructor_doc(
        f"EfficientNetV2{v}: default input {size}x{size}, pixels in "
        f"[0, 255] (the model rescales them).",
        include_top="with avg_pool + top_dropout + predictions.",
        name="the model's name (selects the stages and the weight file).") \
        + "        include_preprocessing: rescale (and normalize) the " \
          "input inside the model.\n"
    return ctor


EfficientNetV2B0 = _variant("B0")
EfficientNetV2B1 = _variant("B1")
EfficientNetV2B2 = _variant("B2")
EfficientNetV2B3 = _variant("B3")
EfficientNetV2S = _variant("S")
EfficientNetV2M = _variant("M")
EfficientNetV2L = _variant("L")

preprocess_input, decode_predictions = _frame.preprocessing(None, __name__)
