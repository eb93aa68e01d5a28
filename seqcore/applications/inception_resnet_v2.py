"""InceptionResNetV2 (`keras.applications.inception_resnet_v2`): an
Inception stem, then 10 block35, 20 block17 and 10 block8 residual
Inception blocks (branch outputs concatenated, a 1x1 biased convolution
back to the input width, added to the input after scaling by
CustomScaleLayer). Input 299x299 by default, at least 75x75; "tf"
preprocessing ([-1, 1])."""
from seqcore import layers, ops
from seqcore.applications import _common, _frame, _weights
from seqcore.applications._blocks import activate
from seqcore.saving.serialization import register_builtin

_BASE = ("https://storage.googleapis.com/tensorflow/keras-applications/"
         "inception_resnet_v2/")
_CLASSES_MESSAGE = ('If using `weights="imagenet"` with `include_top=True`, '
                    '`classes` should be 1000. Received classes={classes}')


@register_builtin
class CustomScaleLayer(layers.Layer):
    """inputs [x, r] -> x + scale * r (the residual add of the blocks).

    Args:
        scale: the factor of the residual branch.
    """

    # written with seqcore.ops: the tape gives its backward
    _differentiated_by_tape = True

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale})
        return config

    def call(self, inputs):
        return ops.add(inputs[0], ops.multiply(inputs[1], self.scale))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])


def conv2d_bn(x, filters, kernel_size, strides=1, padding="same",
              activation="relu", use_bias=False, name=None):
    """Conv2D, then (without a bias) BatchNormalization(scale=False), then
    the activation; named `name`, `{name}_bn`, `{name}_ac` when `name` is
    given (automatic names otherwise)."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(
            axis=_common.bn_axis(), scale=False,
            name=None if name is None else f"{name}_bn")(x)
    if activation is None:
        return x
    return activate(x, activation, None if name is None else f"{name}_ac")


_BRANCHES = {  # block type: branches of (filters, kernel size) convolutions
    "block35": [[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]],
    "block17": [[(192, 1)], [(128, 1), (160, (1, 7)), (192, (7, 1))]],
    "block8": [[(192, 1)], [(192, 1), (224, (1, 3)), (256, (3, 1))]],
}


def inception_resnet_block(x, scale, block_type, block_idx,
                           activation="relu"):
    """x + scale * (1x1 conv of the concatenated branches), activated.

    Args:
        x: the 4-D input; the output has its shape.
        scale: the factor of the residual branch.
        block_type: "block35", "block17" or "block8".
        block_idx: the number in the layer names (`{block_type}_{idx}_*`).
        activation: the final activation (None for none).
    """
    if block_type not in _BRANCHES:
        raise ValueError(
            f'Unknown Inception-ResNet block type. Expects "block35", '
            f'"block17" or "block8", but got: {block_type}')
    branches = []
    for convs in _BRANCHES[block_type]:
        b = x
        for filters, kernel in convs:
            b = conv2d_bn(b, filters, kernel)
        branches.append(b)
    block_name = f"{block_type}_{block_idx}"
    axis = _common.bn_axis()
    mixed = layers.Concatenate(axis=axis,
                               name=f"{block_name}_mixed")(branches)
    up = conv2d_bn(mixed, x.shape[axis], 1, activation=None, use_bias=True,
                   name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    return activate(x, activation, f"{block_name}_ac")


def _stem(img_input, axis):
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    b0 = conv2d_bn(x, 96, 1)
    b1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5)
    b2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3)
    bp = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    bp = conv2d_bn(bp, 64, 1)
    return layers.Concatenate(axis=axis, name="mixed_5b")([b0, b1, b2, bp])


def InceptionResNetV2(include_top=True, weights="imagenet",
                      input_tensor=None, input_shape=None, pooling=None,
                      classes=1000, classifier_activation="softmax",
                      name="inception_resnet_v2"):
    try:
        _weights.check_weights_argument(weights)
    except ValueError:
        raise ValueError(
            "The `weights` argument should be either `None` (random "
            "initialization), `imagenet` (pre-training on ImageNet), or the "
            "path to the weights file to be loaded.") from None
    img_input, _ = _frame.image_input(weights, include_top, classes,
                                      input_tensor, input_shape, 299, 75,
                                      _CLASSES_MESSAGE)
    axis = _common.bn_axis()
    x = _stem(img_input, axis)
    for idx in range(1, 11):
        x = inception_resnet_block(x, 0.17, "block35", idx)

    b0 = conv2d_bn(x, 384, 3, strides=2, padding="valid")
    b1 = conv2d_bn(conv2d_bn(x, 256, 1), 256, 3)
    b1 = conv2d_bn(b1, 384, 3, strides=2, padding="valid")
    bp = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_6a")([b0, b1, bp])
    for idx in range(1, 21):
        x = inception_resnet_block(x, 0.1, "block17", idx)

    b0 = conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid")
    b1 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid")
    b2 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3)
    b2 = conv2d_bn(b2, 320, 3, strides=2, padding="valid")
    bp = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_7a")([b0, b1, b2, bp])
    for idx in range(1, 10):
        x = inception_resnet_block(x, 0.2, "block8", idx)
    x = inception_resnet_block(x, 1.0, "block8", 10, activation=None)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")

    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights)
    return _frame.model(
        input_tensor, img_input, x, name, weights,
        _frame.weights_file("inception_resnet_v2", include_top), _BASE)


InceptionResNetV2.__doc__ = _frame.constructor_doc(
    """InceptionResNetV2: stem, mixed_5b, 10 block35, mixed_6a, 20
    block17, mixed_7a, 10 block8, conv_7b; images (N, 299, 299, 3) through
    `preprocess_input`.""", 75)

preprocess_input, decode_predictions = _frame.preprocessing("tf", __name__)
