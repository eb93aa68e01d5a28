"""NASNetMobile and NASNetLarge (`keras.applications.nasnet`): NASNet-A
normal and reduction cells (separable-convolution and pooling branches
added pairwise and concatenated), each cell fed by the two cells before
it through an adjusting block. channels_last only; "tf" preprocessing
([-1, 1]). NASNetMobile: 224x224 by default; NASNetLarge: 331x331; at
least 32x32."""
from seqcore import config, layers
from seqcore.applications import _common, _frame, _weights, imagenet_utils

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/nasnet/")
# (local file name, published file name) as Keras's get_file uses them
_FILES = {
    (224, True): ("nasnet_mobile.h5", "NASNet-mobile.h5"),
    (224, False): ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5"),
    (331, True): ("nasnet_large.h5", "NASNet-large.h5"),
    (331, False): ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5"),
}
_BN = {"momentum": 0.9997, "epsilon": 1e-3}
_AXIS = -1


def _bn(x, name):
    return layers.BatchNormalization(axis=_AXIS, name=name, **_BN)(x)


def _conv1x1(x, filters, name):
    return layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same",
                         use_bias=False, name=name,
                         kernel_initializer="he_normal")(x)


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1),
                          block_id=None):
    """relu -> SeparableConv2D (strided: after Keras's correct padding)
    -> BN -> relu -> SeparableConv2D -> BN."""
    x = layers.Activation("relu")(ip)
    if strides == (2, 2):
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"separable_conv_1_pad_{block_id}")(x)
        conv_pad = "valid"
    else:
        conv_pad = "same"
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                               name=f"separable_conv_1_{block_id}",
                               padding=conv_pad, use_bias=False)(x)
    x = _bn(x, f"separable_conv_1_bn_{block_id}")
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel_size,
                               name=f"separable_conv_2_{block_id}",
                               padding="same", use_bias=False)(x)
    return _bn(x, f"separable_conv_2_bn_{block_id}")


def _adjust_block(p, ip, filters, block_id=None):
    """The previous cell's output `p` brought to `ip`'s size (two
    half-width strided 1x1 paths, the second shifted by one pixel) or to
    `filters` channels (a 1x1 projection); `ip` itself when p is None."""
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = _conv1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = _conv1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
        p = layers.concatenate([p1, p2], axis=_AXIS)
        return _bn(p, f"adjust_bn_{block_id}")
    if p.shape[_AXIS] != filters:
        p = layers.Activation("relu")(p)
        p = _conv1x1(p, filters, f"adjust_conv_projection_{block_id}")
        return _bn(p, f"adjust_bn_{block_id}")
    return p


def _avg3(x, strides, padding, name):
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding,
                                   name=name)(x)


def _normal_a_cell(ip, p, filters, block_id=None):
    """A normal cell: (output, ip) at ip's size, 6 * filters channels."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _conv1x1(layers.Activation("relu")(ip), filters,
                 f"normal_conv_1_{block_id}")
    h = _bn(h, f"normal_bn_1_{block_id}")
    x1 = layers.add([
        _separable_conv_block(h, filters, kernel_size=(5, 5),
                              block_id=f"normal_left1_{block_id}"),
        _separable_conv_block(p, filters,
                              block_id=f"normal_right1_{block_id}")],
        name=f"normal_add_1_{block_id}")
    x2 = layers.add([
        _separable_conv_block(p, filters, (5, 5),
                              block_id=f"normal_left2_{block_id}"),
        _separable_conv_block(p, filters, (3, 3),
                              block_id=f"normal_right2_{block_id}")],
        name=f"normal_add_2_{block_id}")
    x3 = _avg3(h, (1, 1), "same", f"normal_left3_{block_id}")
    x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
    x4 = layers.add([_avg3(p, (1, 1), "same", f"normal_left4_{block_id}"),
                     _avg3(p, (1, 1), "same", f"normal_right4_{block_id}")],
                    name=f"normal_add_4_{block_id}")
    x5 = _separable_conv_block(h, filters,
                               block_id=f"normal_left5_{block_id}")
    x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=_AXIS,
                           name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """A reduction cell: (output, ip), half ip's size, 4 * filters
    channels."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _conv1x1(layers.Activation("relu")(ip), filters,
                 f"reduction_conv_1_{block_id}")
    h = _bn(h, f"reduction_bn_1_{block_id}")
    h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                              name=f"reduction_pad_1_{block_id}")(h)
    x1 = layers.add([
        _separable_conv_block(h, filters, (5, 5), strides=(2, 2),
                              block_id=f"reduction_left1_{block_id}"),
        _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                              block_id=f"reduction_right1_{block_id}")],
        name=f"reduction_add_1_{block_id}")
    x2 = layers.add([
        layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                            name=f"reduction_left2_{block_id}")(h3),
        _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                              block_id=f"reduction_right2_{block_id}")],
        name=f"reduction_add_2_{block_id}")
    x3 = layers.add([
        _avg3(h3, (2, 2), "valid", f"reduction_left3_{block_id}"),
        _separable_conv_block(p, filters, (5, 5), strides=(2, 2),
                              block_id=f"reduction_right3_{block_id}")],
        name=f"reduction_add3_{block_id}")
    x4 = _avg3(x1, (1, 1), "same", f"reduction_left4_{block_id}")
    x4 = layers.add([x2, x4])
    x5 = layers.add([
        _separable_conv_block(x1, filters, (3, 3),
                              block_id=f"reduction_left4_{block_id}"),
        layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                            name=f"reduction_right5_{block_id}")(h3)],
        name=f"reduction_add4_{block_id}")
    x = layers.concatenate([x2, x3, x4, x5], axis=_AXIS,
                           name=f"reduction_concat_{block_id}")
    return x, ip


def _check_arguments(weights, include_top, classes, input_shape):
    if config.image_data_format() == "channels_first":
        raise ValueError(
            "NASNet does not support the `channels_first` image data format. "
            "Switch to `channels_last` by editing your local config file at "
            "~/.keras/keras.json")
    try:
        _weights.check_weights_argument(weights)
    except ValueError:
        raise ValueError(
            "The `weights` argument should be either `None` (random "
            "initialization), `imagenet` (pre-training on ImageNet), or the "
            "path to the weights file to be loaded.") from None
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with '
                         '`include_top` as true, `classes` should be 1000')
    if isinstance(input_shape, tuple) and None in input_shape and \
            weights == "imagenet":
        raise ValueError(
            f"When specifying the input shape of a NASNet and loading "
            f"`ImageNet` weights, the input_shape argument must be static "
            f"(no None entries). Got: `input_shape={input_shape}`.")


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6,
           stem_block_filters=96, skip_reduction=True, filter_multiplier=2,
           include_top=True, weights="imagenet", input_tensor=None,
           pooling=None, classes=1000, default_size=None,
           classifier_activation="softmax", name="NASNet"):
    """The NASNet-A frame: a strided stem convolution, two stem reduction
    cells, then `num_blocks` normal cells at each of three widths
    (filters = penultimate_filters // 24, times filter_multiplier at each
    reduction), relu, and the head. ImageNet weights exist for the
    default sizes 224 (Mobile) and 331 (Large) only."""
    _check_arguments(weights, include_top, classes, input_shape)
    if default_size is None:
        default_size = 331
    input_shape = imagenet_utils.obtain_input_shape(
        _common.to_shape(input_shape), default_size=default_size,
        min_size=32, data_format=config.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    if penultimate_filters % (24 * (filter_multiplier ** 2)) != 0:
        raise ValueError(
            f"For NASNet-A models, the `penultimate_filters` must be a "
            f"multiple of 24 * (`filter_multiplier` ** 2). Current value: "
            f"{penultimate_filters}")
    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2),
                      padding="valid", use_bias=False, name="stem_conv1",
                      kernel_initializer="he_normal")(img_input)
    x = _bn(x, "stem_bn1")
    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier ** 2),
                             block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier,
                             block_id="stem_2")
    for stage in range(3):
        width = filters * filter_multiplier ** stage
        if stage:
            x, p0 = _reduction_a_cell(x, p, width,
                                      block_id=f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            block_id = f"{stage * num_blocks + i + 1}" if stage else \
                f"{i}"
            x, p = _normal_a_cell(x, p, width, block_id=block_id)
    x = layers.Activation("relu")(x)
    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights, gap_name=None)
    model = _common.functional(_common.model_inputs(input_tensor, img_input),
                               x, name)
    if weights == "imagenet":
        if default_size not in (224, 331):
            raise ValueError("ImageNet weights can only be loaded with "
                             "NASNetLarge or NASNetMobile")
        local, published = _FILES[(default_size, bool(include_top))]
        _weights.load_into(model, _weights.find_file(
            local, BASE_WEIGHTS_PATH + published))
    elif weights is not None:
        _weights.load_into(model, weights)
    return model


_ARGS_DOC = """
    Args:
        input_shape: (rows, cols, 3), at least 32x32 (default {size}x{size}
            with the top; headless NASNetMobile also defaults to 224).
        include_top: with the global average pooling + predictions.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        pooling: headless output: None (4D), "avg" or "max".
        classes: output classes with the top.
        classifier_activation: activation of "predictions".
        name: the model's name.
    """


def NASNetMobile(input_shape=None, include_top=True, weights="imagenet",
                 input_tensor=None, pooling=None, classes=1000,
                 classifier_activation="softmax", name="nasnet_mobile"):
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4,
                  stem_block_filters=32, skip_reduction=False,
                  filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor,
                  pooling=pooling, classes=classes, default_size=224,
                  classifier_activation=classifier_activation, name=name)


def NASNetLarge(input_shape=None, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="nasnet_large"):
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6,
                  stem_block_filters=96, skip_reduction=True,
                  filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor,
                  pooling=pooling, classes=classes, default_size=331,
                  classifier_activation=classifier_activation, name=name)


NASNetMobile.__doc__ = "NASNetMobile: 4 normal cells per stage, 1056 " \
    "penultimate filters; images (N, 224, 224, 3) through " \
    "`preprocess_input`.\n" + _ARGS_DOC.format(size=224)
NASNetLarge.__doc__ = "NASNetLarge: 6 normal cells per stage, 4032 " \
    "penultimate filters; images (N, 331, 331, 3) through " \
    "`preprocess_input`.\n" + _ARGS_DOC.format(size=331)

preprocess_input, decode_predictions = _frame.preprocessing("tf", __name__)
