"""ResNet50/101/152 (`keras.applications.resnet`, also `resnet50`) and
the shared ResNet body of ResNet50V2/101V2/152V2 (resnet_v2.py). Input
224x224 by default, at least 32x32; "caffe" preprocessing for v1."""
from seqcore import config, layers
from seqcore.applications import _common, _weights, imagenet_utils

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/resnet/")
_EPS = 1.001e-5


def ResNet(stack_fn, preact, use_bias, include_top=True, weights="imagenet",
           input_tensor=None, input_shape=None, pooling=None, classes=1000,
           classifier_activation="softmax", name="resnet",
           weights_name=None):
    """The ResNet frame: 7x7/2 stem, 3x3/2 max pooling, `stack_fn(x)`, then
    the head. `preact` (v2): no BN after the stem, "post_bn" at the end."""
    _weights.check_weights_argument(weights)
    _weights.check_classes(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        _common.to_shape(input_shape), default_size=224, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top,
        weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.bn_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)),
                             name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias,
                      name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                      name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                      name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")
    model = _common.functional(
        _common.model_inputs(input_tensor, img_input), x, name)
    if weights == "imagenet" and weights_name:
        file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels" + \
            ("" if include_top else "_notop") + ".h5"
        _weights.load_weights(model, weights, file_name,
                              BASE_WEIGHTS_PATH + file_name)
    elif weights not in (None, "imagenet"):
        _weights.load_weights(model, weights)
    return model


def residual_block_v1(x, filters, kernel_size=3, stride=1,
                      conv_shortcut=True, name=None):
    """Bottleneck block: 1x1 (stride) -> kxk -> 1x1 (4 filters), BN after
    each, added to the (projected) shortcut, then ReLU."""
    axis = _common.bn_axis()
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                 name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(
            axis=axis, epsilon=_EPS, name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                  name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="SAME",
                      name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                  name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                  name=f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """`blocks` v1 blocks; the first projects and strides by `stride1`."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False,
                              name=f"{name}_block{i}")
    return x


def residual_block_v2(x, filters, kernel_size=3, stride=1,
                      conv_shortcut=False, name=None):
    """Pre-activation block: BN-ReLU first; 1x1 -> padded kxk (stride) ->
    1x1 (4 filters) added to the shortcut (a 1x1 projection of the
    pre-activation, a strided 1x1 max pooling, or the input)."""
    axis = _common.bn_axis()
    preact = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                       name=f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride,
                                 name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) \
            if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False,
                      name=f"{name}_1_conv")(preact)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                  name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)),
                             name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                  name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    """`blocks` v2 blocks: the first projects, the last strides."""
    x = residual_block_v2(x, filters, conv_shortcut=True,
                          name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1,
                             name=f"{name}_block{blocks}")


def _v1(depths, weights_name):
    def stack_fn(x):
        x = stack_residual_blocks_v1(x, 64, depths[0], stride1=1,
                                     name="conv2")
        x = stack_residual_blocks_v1(x, 128, depths[1], name="conv3")
        x = stack_residual_blocks_v1(x, 256, depths[2], name="conv4")
        return stack_residual_blocks_v1(x, 512, depths[3], name="conv5")
    return stack_fn


_DOC = """{title}: bottleneck residual network ({depths} blocks per
    stage); images (N, 224, 224, 3) through `preprocess_input` ("caffe").

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


def ResNet50(include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet50"):
    return ResNet(_v1((3, 4, 6, 3), "resnet50"), False, True,
                  include_top=include_top, weights=weights,
                  input_tensor=input_tensor, input_shape=input_shape,
                  pooling=pooling, classes=classes,
                  classifier_activation=classifier_activation, name=name,
                  weights_name="resnet50")


def ResNet101(include_top=True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet101"):
    return ResNet(_v1((3, 4, 23, 3), "resnet101"), False, True,
                  include_top=include_top, weights=weights,
                  input_tensor=input_tensor, input_shape=input_shape,
                  pooling=pooling, classes=classes,
                  classifier_activation=classifier_activation, name=name,
                  weights_name="resnet101")


def ResNet152(include_top=True, weights="imagenet", input_tensor=None,
              input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet152"):
    return ResNet(_v1((3, 8, 36, 3), "resnet152"), False, True,
                  include_top=include_top, weights=weights,
                  input_tensor=input_tensor, input_shape=input_shape,
                  pooling=pooling, classes=classes,
                  classifier_activation=classifier_activation, name=name,
                  weights_name="resnet152")


ResNet50.__doc__ = _DOC.format(title="ResNet50", depths="3, 4, 6, 3")
ResNet101.__doc__ = _DOC.format(title="ResNet101", depths="3, 4, 23, 3")
ResNet152.__doc__ = _DOC.format(title="ResNet152", depths="3, 8, 36, 3")


def preprocess_input(x, data_format=None):
    """"caffe" mode: RGB to BGR, minus the ImageNet channel means."""
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="caffe")


def decode_predictions(preds, top=5):
    """See imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
