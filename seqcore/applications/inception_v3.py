"""InceptionV3 (`keras.applications.inception_v3`). Input 299x299 by
default, at least 75x75; "tf" preprocessing. Every convolution is
unbiased and followed by BatchNormalization(scale=False) and ReLU."""
from seqcore import layers
from seqcore.applications import _common, _frame
from seqcore.applications._blocks import conv_bn

_BASE = ("https://storage.googleapis.com/tensorflow/keras-applications/"
         "inception_v3/")
_CLASSES_MESSAGE = ('If using `weights="imagenet"` with `include_top=True`, '
                    '`classes` should be 1000. Received classes={classes}')


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1),
              name=None):
    """Conv2D (no bias) -> BatchNormalization(scale=False) -> ReLU; named
    `{name}_conv`, `{name}_bn`, `{name}` when `name` is given."""
    conv_name = None if name is None else f"{name}_conv"
    bn_name = None if name is None else f"{name}_bn"
    conv = layers.Conv2D(filters, (num_row, num_col), strides=strides,
                         padding=padding, use_bias=False, name=conv_name)
    return conv_bn(x, conv, _common.bn_axis(), bn_name, "relu", name,
                   scale=False)


def _avg_branch(x, filters):
    p = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(p, filters, 1, 1)


def _block_35(x, pool_filters, name, axis):
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(x, 48, 1, 1)
    b5 = conv2d_bn(b5, 64, 5, 5)
    b3 = conv2d_bn(x, 64, 1, 1)
    b3 = conv2d_bn(b3, 96, 3, 3)
    b3 = conv2d_bn(b3, 96, 3, 3)
    bp = _avg_branch(x, pool_filters)
    return layers.concatenate([b1, b5, b3, bp], axis=axis, name=name)


def _block_17(x, mid, name, axis):
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(x, mid, 1, 1)
    b7 = conv2d_bn(b7, mid, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    bd = conv2d_bn(x, mid, 1, 1)
    bd = conv2d_bn(bd, mid, 7, 1)
    bd = conv2d_bn(bd, mid, 1, 7)
    bd = conv2d_bn(bd, mid, 7, 1)
    bd = conv2d_bn(bd, 192, 1, 7)
    bp = _avg_branch(x, 192)
    return layers.concatenate([b1, b7, bd, bp], axis=axis, name=name)


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="inception_v3"):
    img_input, _ = _frame.image_input(weights, include_top, classes,
                                      input_tensor, input_shape, 299, 75,
                                      _CLASSES_MESSAGE)
    axis = _common.bn_axis()

    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    x = _block_35(x, 32, "mixed0", axis)
    x = _block_35(x, 64, "mixed1", axis)
    x = _block_35(x, 64, "mixed2", axis)

    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    bd = conv2d_bn(x, 64, 1, 1)
    bd = conv2d_bn(bd, 96, 3, 3)
    bd = conv2d_bn(bd, 96, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, bd, bp], axis=axis, name="mixed3")

    x = _block_17(x, 128, "mixed4", axis)
    x = _block_17(x, 160, "mixed5", axis)
    x = _block_17(x, 160, "mixed6", axis)
    x = _block_17(x, 192, "mixed7", axis)

    b3 = conv2d_bn(x, 192, 1, 1)
    b3 = conv2d_bn(b3, 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(b7, 192, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b7, bp], axis=axis, name="mixed8")

    for i in range(2):
        b1 = conv2d_bn(x, 320, 1, 1)
        b3 = conv2d_bn(x, 384, 1, 1)
        b3_1 = conv2d_bn(b3, 384, 1, 3)
        b3_2 = conv2d_bn(b3, 384, 3, 1)
        b3 = layers.concatenate([b3_1, b3_2], axis=axis, name=f"mixed9_{i}")
        bd = conv2d_bn(x, 448, 1, 1)
        bd = conv2d_bn(bd, 384, 3, 3)
        bd_1 = conv2d_bn(bd, 384, 1, 3)
        bd_2 = conv2d_bn(bd, 384, 3, 1)
        bd = layers.concatenate([bd_1, bd_2], axis=axis)
        bp = _avg_branch(x, 192)
        x = layers.concatenate([b1, b3, bd, bp], axis=axis,
                               name=f"mixed{9 + i}")

    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights)
    return _frame.model(
        input_tensor, img_input, x, name, weights,
        _frame.weights_file("inception_v3", include_top), _BASE)


InceptionV3.__doc__ = _frame.constructor_doc(
    """InceptionV3: stem, mixed0-10; images (N, 299, 299, 3) through
    `preprocess_input`.""", 75)

preprocess_input, decode_predictions = _frame.preprocessing("tf", __name__)
