"""Xception (`keras.applications.xception`): depthwise-separable
convolutions with residual 1x1 shortcuts. Input 299x299 by default, at
least 71x71; "tf" preprocessing ([-1, 1])."""
from seqcore import config, layers
from seqcore.applications import _common, _weights, imagenet_utils

_BASE = ("https://storage.googleapis.com/tensorflow/keras-applications/"
         "xception/")


def _sep_bn(x, filters, name, axis):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same",
                               use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=axis, name=f"{name}_bn")(x)


def _shortcut(x, filters, axis):
    """The strided 1x1 convolution + BN shortcut (unnamed, as Keras)."""
    r = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same",
                      use_bias=False)(x)
    return layers.BatchNormalization(axis=axis)(r)


def Xception(include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="xception"):
    """Xception: entry flow (blocks 1-4), 8 middle blocks (5-12), exit
    flow (13-14); images (N, 299, 299, 3) through `preprocess_input`.

    Args:
        include_top: with avg_pool + predictions.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        input_shape: (rows, cols, 3), at least 71x71.
        pooling: headless output: None (4D), "avg" or "max".
        classes: output classes with the top.
        classifier_activation: activation of "predictions".
        name: the model's name.
    """
    _weights.check_weights_argument(weights)
    _weights.check_classes(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        _common.to_shape(input_shape), default_size=299, min_size=71,
        data_format=config.image_data_format(), require_flatten=include_top,
        weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()

    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False,
                      name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)

    # Entry blocks 2-4: two separable convolutions, a strided max pooling,
    # plus the 1x1 shortcut. Block 2 starts without an activation and
    # names its one activation "block2_sepconv2_act".
    for block, filters in ((2, 128), (3, 256), (4, 728)):
        residual = _shortcut(x, filters, axis)
        p = f"block{block}"
        if block != 2:
            x = layers.Activation("relu", name=f"{p}_sepconv1_act")(x)
        x = _sep_bn(x, filters, f"{p}_sepconv1", axis)
        x = layers.Activation("relu", name=f"{p}_sepconv2_act")(x)
        x = _sep_bn(x, filters, f"{p}_sepconv2", axis)
        x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same",
                                name=f"{p}_pool")(x)
        x = layers.add([x, residual])

    for i in range(8):
        residual = x
        p = f"block{i + 5}"
        for j in (1, 2, 3):
            x = layers.Activation("relu", name=f"{p}_sepconv{j}_act")(x)
            x = _sep_bn(x, 728, f"{p}_sepconv{j}", axis)
        x = layers.add([x, residual])

    residual = _shortcut(x, 1024, axis)
    x = layers.Activation("relu", name="block13_sepconv1_act")(x)
    x = _sep_bn(x, 728, "block13_sepconv1", axis)
    x = layers.Activation("relu", name="block13_sepconv2_act")(x)
    x = _sep_bn(x, 1024, "block13_sepconv2", axis)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same",
                            name="block13_pool")(x)
    x = layers.add([x, residual])

    x = _sep_bn(x, 1536, "block14_sepconv1", axis)
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sep_bn(x, 2048, "block14_sepconv2", axis)
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    model = _common.functional(
        _common.model_inputs(input_tensor, img_input), x, name)
    file_name = "xception_weights_tf_dim_ordering_tf_kernels" + \
        ("" if include_top else "_notop") + ".h5"
    _weights.load_weights(model, weights, file_name, _BASE + file_name)
    return model


def preprocess_input(x, data_format=None):
    """"tf" mode: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


def decode_predictions(preds, top=5):
    """See imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
