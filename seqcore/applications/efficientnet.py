"""EfficientNetB0-B7 (`keras.applications.efficientnet`): compound-scaled
MBConv networks with squeeze-and-excite and swish. The rescaling and
normalization are part of the model, so `preprocess_input` is the
identity (pixels in [0, 255])."""
import copy
import math

from seqcore import layers
from seqcore.applications import _common, _frame, imagenet_utils
from seqcore.applications._blocks import conv_bn

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


def _conv_init():
    """A new VarianceScaling initializer of the convolutions."""
    return _init(CONV_KERNEL_INITIALIZER)


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
    img_input, _ = _frame.image_input(
        weights, include_top, classes, input_tensor, input_shape,
        default_size, 32,
        'If using `weights="imagenet"` with `include_top` as true, '
        '`classes` should be 1000')
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
    x = conv_bn(x, layers.Conv2D(round_filters(32), 3, strides=2,
                                 padding="valid", use_bias=False,
                                 kernel_initializer=_conv_init(),
                                 name="stem_conv"),
                axis, "stem_bn", activation, "stem_activation")

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

    x = conv_bn(x, layers.Conv2D(round_filters(1280), 1, padding="same",
                                 use_bias=False,
                                 kernel_initializer=_conv_init(),
                                 name="top_conv"),
                axis, "top_bn", activation, "top_activation")
    dense_init = _init(DENSE_KERNEL_INITIALIZER) if include_top else None
    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights,
                          pool_names=("avg_pool", "max_pool"),
                          dropout=(dropout_rate, "top_dropout"),
                          kernel_initializer=dense_init)
    file_name = name + (".h5" if include_top else "_notop.h5") \
        if weights == "imagenet" else None
    return _frame.model(input_tensor, img_input, x, name, weights,
                        file_name, BASE_WEIGHTS_PATH)


def block(inputs, activation="swish", drop_rate=0.0, name="", filters_in=32,
          filters_out=16, kernel_size=3, strides=1, expand_ratio=1,
          se_ratio=0.0, id_skip=True):
    """MBConv: 1x1 expansion, depthwise kxk (stride), squeeze-and-excite,
    1x1 projection; the skip (with stochastic depth) when shapes allow."""
    axis = _common.bn_axis()
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = conv_bn(inputs, layers.Conv2D(filters, 1, padding="same",
                                          use_bias=False,
                                          kernel_initializer=_conv_init(),
                                          name=f"{name}expand_conv"),
                    axis, f"{name}expand_bn", activation,
                    f"{name}expand_activation")
    else:
        x = inputs
    if strides == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"{name}dwconv_pad")(x)
        conv_pad = "valid"
    else:
        conv_pad = "same"
    dw = layers.DepthwiseConv2D(kernel_size, strides=strides,
                                padding=conv_pad, use_bias=False,
                                depthwise_initializer=_conv_init(),
                                name=f"{name}dwconv")
    x = conv_bn(x, dw, axis, f"{name}bn", activation, f"{name}activation")
    if 0 < se_ratio <= 1:
        filters_se = max(1, int(filters_in * se_ratio))
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se_shape = (filters, 1, 1) if axis == 1 else (1, 1, filters)
        se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
        se = layers.Conv2D(filters_se, 1, padding="same",
                           activation=activation,
                           kernel_initializer=_conv_init(),
                           name=f"{name}se_reduce")(se)
        se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                           kernel_initializer=_conv_init(),
                           name=f"{name}se_expand")(se)
        x = layers.multiply([x, se], name=f"{name}se_excite")
    x = conv_bn(x, layers.Conv2D(filters_out, 1, padding="same",
                                 use_bias=False,
                                 kernel_initializer=_conv_init(),
                                 name=f"{name}project_conv"),
                axis, f"{name}project_bn")
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

def _variant(v):
    width, depth, size, dropout = _SCALES[v]

    def build(**kwargs):
        return EfficientNet(width, depth, size, dropout, weights_name=v,
                            **kwargs)
    doc = _frame.constructor_doc(
        f"EfficientNet{v.upper()}: default input {size}x{size}, pixels in "
        f"[0, 255].",
        include_top="with avg_pool + top_dropout + predictions.",
        name="the model's name (also the weight file's stem).")
    return _frame.constructor(f"EfficientNet{v.upper()}",
                              f"efficientnet{v}", build, doc, __name__)


EfficientNetB0 = _variant("b0")
EfficientNetB1 = _variant("b1")
EfficientNetB2 = _variant("b2")
EfficientNetB3 = _variant("b3")
EfficientNetB4 = _variant("b4")
EfficientNetB5 = _variant("b5")
EfficientNetB6 = _variant("b6")
EfficientNetB7 = _variant("b7")


preprocess_input, decode_predictions = _frame.preprocessing(None,
                                                            __name__)
