"""DenseNet121/169/201 (`keras.applications.densenet`): dense blocks of
BN-ReLU-1x1-BN-ReLU-3x3 convolutions concatenated to their input, with
halving transitions. Input 224x224 by default, at least 32x32; "torch"
preprocessing. channels_last only, as Keras."""
from seqcore import config, layers
from seqcore.applications import _common, _weights, imagenet_utils

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/densenet/")
_EPS = 1.001e-5
_NAMES = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169",
          (6, 12, 48, 32): "densenet201"}


def dense_block(x, blocks, name):
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    axis = _common.bn_axis()
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                  name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[axis] * reduction), 1, use_bias=False,
                      name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def conv_block(x, growth_rate, name):
    axis = _common.bn_axis()
    x1 = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                   name=f"{name}_0_bn")(x)
    x1 = layers.Activation("relu", name=f"{name}_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False,
                       name=f"{name}_1_conv")(x1)
    x1 = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                   name=f"{name}_1_bn")(x1)
    x1 = layers.Activation("relu", name=f"{name}_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False,
                       name=f"{name}_2_conv")(x1)
    return layers.Concatenate(axis=axis, name=f"{name}_concat")([x, x1])


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="densenet"):
    """A DenseNet with `blocks` conv blocks in each of its four dense
    blocks."""
    if config.image_data_format() == "channels_first":
        raise ValueError(
            "DenseNet does not support the `channels_first` image data "
            "format. Switch to `channels_last` by editing your local config "
            "file at ~/.keras/keras.json")
    _weights.check_weights_argument(weights)
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with '
                         '`include_top` as true, `classes` should be 1000')
    input_shape = imagenet_utils.obtain_input_shape(
        _common.to_shape(input_shape), default_size=224, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top,
        weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.bn_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                  name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, count in enumerate(blocks):
        x = dense_block(x, count, name=f"conv{i + 2}")
        if i < 3:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    model = _common.functional(
        _common.model_inputs(input_tensor, img_input), x, name)
    if weights == "imagenet":
        stem = _NAMES.get(tuple(blocks))
        if stem is None:
            raise ValueError("weights_path undefined")
        file_name = f"{stem}_weights_tf_dim_ordering_tf_kernels" + \
            ("" if include_top else "_notop") + ".h5"
        _weights.load_weights(model, weights, file_name,
                              BASE_WEIGHTS_PATH + file_name)
    else:
        _weights.load_weights(model, weights)
    return model


_DOC = """{title}: dense blocks of {blocks} conv blocks; images (N, 224,
    224, 3) through `preprocess_input` ("torch").

    Args:
        include_top: with avg_pool + predictions.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        input_shape: (rows, cols, 3), at least 32x32.
        pooling: headless output: None (4D), "avg" or "max".
        classes: output classes with the top.
        classifier_activation: activation of "predictions".
        name: the model's name.
    """


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet121"):
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    name=name)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet169"):
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    name=name)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet201"):
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor,
                    input_shape, pooling, classes, classifier_activation,
                    name=name)


DenseNet121.__doc__ = _DOC.format(title="DenseNet121", blocks="6, 12, 24, 16")
DenseNet169.__doc__ = _DOC.format(title="DenseNet169", blocks="6, 12, 32, 32")
DenseNet201.__doc__ = _DOC.format(title="DenseNet201", blocks="6, 12, 48, 32")


def preprocess_input(x, data_format=None):
    """"torch" mode: to [0, 1], minus the ImageNet mean, over its std."""
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="torch")


def decode_predictions(preds, top=5):
    """See imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
