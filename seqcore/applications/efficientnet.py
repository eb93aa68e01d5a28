"""EfficientNetB0-B7 (`keras.applications.efficientnet`): compound-scaled
MBConv networks with squeeze-and-excite and swish. The rescaling and
normalization are part of the model, so `preprocess_input` is the
identity (pixels in [0, 255])."""
import copy
import math

from seqcore import config, layers
from seqcore.applications import _common, _weights, imagenet_utils

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"

# (kernel_size, repeats, filters_in, filters_out, expand_ratio, strides)
# of the seven stages of B0; id_skip True and se_ratio 0.25 throughout.
_STAGES = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1),
           (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]
DEFAULT_BLOCKS_ARGS = [
    {"kernel_size": k, "repeats": r, "filters_in": fi, "filters_out": fo,
     "expand_ratio": e, "id_skip": True, "strides": s, "se_ratio": 0.25}
    for k, r, fi, fo, e, s in _STAGES]

CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out",
               "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out",
               "distribution": "uniform"}}
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def _init(spec):
    from seqcore import initializers
    return initializers.get(copy.deepcopy(spec))


def EfficientNet(width_coefficient, depth_coefficient, default_size,
                 dropout_rate=0.2, drop_connect_rate=0.2, depth_divisor=8,
                 activation="swish", blocks_args="default",
                 name="efficientnet", include_top=True, weights="imagenet",
                 input_tensor=None, input_shape=None, pooling=None,
                 classes=1000, classifier_activation="softmax",
                 weights_name=None):
    """The EfficientNet frame: widths scaled by `width_coefficient`, block
    repeats by `depth_coefficient`, stochastic depth rising linearly to
    `drop_connect_rate` over the blocks."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS
    _weights.check_weights_argument(weights)
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights="imagenet"` with `include_top` '
                         'as true, `classes` should be 1000')
    input_shape = imagenet_utils.obtain_input_shape(
        _common.to_shape(input_shape), default_size=default_size,
        min_size=32, data_format=config.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.bn_axis()

    def round_filters(filters, divisor=depth_divisor):
        filters *= width_coefficient
        new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
        if new < 0.9 * filters:
            new += divisor
        return int(new)

    def round_repeats(repeats):
        return int(math.ceil(depth_coefficient * repeats))

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=axis)(x)
    if weights == "imagenet":
        # the published weights' variance is that of the std, not its
        # square: undo it (as Keras does)
        x = layers.Rescaling(
            [1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                             name="stem_conv_pad")(x)
    x = layers.Conv2D(round_filters(32), 3, strides=2, padding="valid",
                      use_bias=False,
                      kernel_initializer=_init(CONV_KERNEL_INITIALIZER),
                      name="stem_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(round_repeats(a["repeats"]) for a in blocks_args))
    for i, args in enumerate(blocks_args):
        if args["repeats"] <= 0:
            raise ValueError(f"The number of repeats in `EfficientNet` must "
                             f"be > 0. Received: repeats={args['repeats']}")
        args["filters_in"] = round_filters(args["filters_in"])
        args["filters_out"] = round_filters(args["filters_out"])
        for j in range(round_repeats(args.pop("repeats"))):
            if j > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = block(x, activation, drop_connect_rate * b / blocks,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)
            b += 1

    x = layers.Conv2D(round_filters(1280), 1, padding="same", use_bias=False,
                      kernel_initializer=_init(CONV_KERNEL_INITIALIZER),
                      name="top_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=_init(DENSE_KERNEL_INITIALIZER),
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    model = _common.functional(
        _common.model_inputs(input_tensor, img_input), x, name)
    if weights == "imagenet":
        file_name = name + (".h5" if include_top else "_notop.h5")
        _weights.load_weights(model, weights, file_name,
                              BASE_WEIGHTS_PATH + file_name)
    else:
        _weights.load_weights(model, weights)
    return model


def block(inputs, activation="swish", drop_rate=0.0, name="", filters_in=32,
          filters_out=16, kernel_size=3, strides=1, expand_ratio=1,
          se_ratio=0.0, id_skip=True):
    """MBConv: 1x1 expansion, depthwise kxk (stride), squeeze-and-excite,
    1x1 projection; the skip (with stochastic depth) when shapes allow."""
    axis = _common.bn_axis()
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          kernel_initializer=_init(CONV_KERNEL_INITIALIZER),
                          name=f"{name}expand_conv")(inputs)
        x = layers.BatchNormalization(axis=axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    else:
        x = inputs
    if strides == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"{name}dwconv_pad")(x)
        conv_pad = "valid"
    else:
        conv_pad = "same"
    x = layers.DepthwiseConv2D(
        kernel_size, strides=strides, padding=conv_pad, use_bias=False,
        depthwise_initializer=_init(CONV_KERNEL_INITIALIZER),
        name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        filters_se = max(1, int(filters_in * se_ratio))
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se_shape = (filters, 1, 1) if axis == 1 else (1, 1, filters)
        se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
        se = layers.Conv2D(filters_se, 1, padding="same",
                           activation=activation,
                           kernel_initializer=_init(CONV_KERNEL_INITIALIZER),
                           name=f"{name}se_reduce")(se)
        se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                           kernel_initializer=_init(CONV_KERNEL_INITIALIZER),
                           name=f"{name}se_expand")(se)
        x = layers.multiply([x, se], name=f"{name}se_excite")
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=_init(CONV_KERNEL_INITIALIZER),
                      name=f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1),
                               name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


_SCALES = {  # width, depth, default size, dropout
    "b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3), "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5)}

_DOC = """EfficientNet{v}: default input {size}x{size}, pixels in [0, 255].

    Args:
        include_top: with avg_pool + top_dropout + predictions.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        input_shape: (rows, cols, 3), at least 32x32.
        pooling: headless output: None (4D), "avg" or "max".
        classes: output classes with the top.
        classifier_activation: activation of "predictions".
        name: the model's name (also the weight file's stem).
    """


def _variant(v):
    width, depth, size, dropout = _SCALES[v]

    def constructor(include_top=True, weights="imagenet", input_tensor=None,
                    input_shape=None, pooling=None, classes=1000,
                    classifier_activation="softmax",
                    name=f"efficientnet{v}"):
        return EfficientNet(width, depth, size, dropout, name=name,
                            include_top=include_top, weights=weights,
                            input_tensor=input_tensor,
                            input_shape=input_shape, pooling=pooling,
                            classes=classes,
                            classifier_activation=classifier_activation,
                            weights_name=v)
    constructor.__name__ = constructor.__qualname__ = \
        f"EfficientNet{v.upper()}"
    constructor.__doc__ = _DOC.format(v=v.upper(), size=size)
    return constructor


EfficientNetB0 = _variant("b0")
EfficientNetB1 = _variant("b1")
EfficientNetB2 = _variant("b2")
EfficientNetB3 = _variant("b3")
EfficientNetB4 = _variant("b4")
EfficientNetB5 = _variant("b5")
EfficientNetB6 = _variant("b6")
EfficientNetB7 = _variant("b7")


def preprocess_input(x, data_format=None):
    """The identity: the model rescales and normalizes its input."""
    return x


def decode_predictions(preds, top=5):
    """See imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
