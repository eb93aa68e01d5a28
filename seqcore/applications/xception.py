"""Xception (`keras.applications.xception`): depthwise-separable
convolutions with residual 1x1 shortcuts. Input 299x299 by default, at
least 71x71; "tf" preprocessing ([-1, 1])."""
from seqcore import layers
from seqcore.applications import _common, _frame
from seqcore.applications._blocks import conv_bn

_BASE = ("https://storage.googleapis.com/tensorflow/keras-applications/"
         "xception/")


def _sep_bn(x, filters, name, axis):
    conv = layers.SeparableConv2D(filters, (3, 3), padding="same",
                                  use_bias=False, name=name)
    return conv_bn(x, conv, axis, f"{name}_bn")


def _shortcut(x, filters, axis):
    """The strided 1x1 convolution + BN shortcut (unnamed, as Keras)."""
    conv = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same",
                         use_bias=False)
    return conv_bn(x, conv, axis)


def Xception(include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="xception"):
    img_input, _ = _frame.image_input(weights, include_top, classes,
                                      input_tensor, input_shape, 299, 71)
    axis = _common.channel_axis()

    x = conv_bn(img_input, layers.Conv2D(32, (3, 3), strides=(2, 2),
                                         use_bias=False, name="block1_conv1"),
                axis, "block1_conv1_bn", "relu", "block1_conv1_act")
    x = conv_bn(x, layers.Conv2D(64, (3, 3), use_bias=False,
                                 name="block1_conv2"),
                axis, "block1_conv2_bn", "relu", "block1_conv2_act")

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

    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights)
    return _frame.model(input_tensor, img_input, x, name, weights,
                        _frame.weights_file("xception", include_top), _BASE)


Xception.__doc__ = _frame.constructor_doc(
    """Xception: entry flow (blocks 1-4), 8 middle blocks (5-12), exit
    flow (13-14); images (N, 299, 299, 3) through `preprocess_input`.""", 71)

preprocess_input, decode_predictions = _frame.preprocessing("tf", __name__)
