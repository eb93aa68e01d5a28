"""ResNet50V2/101V2/152V2 (`keras.applications.resnet_v2`):
pre-activation residual networks; "tf" preprocessing ([-1, 1])."""
from seqcore.applications import imagenet_utils
from seqcore.applications.resnet import ResNet, stack_residual_blocks_v2


def _v2(depths):
    def stack_fn(x):
        x = stack_residual_blocks_v2(x, 64, depths[0], name="conv2")
        x = stack_residual_blocks_v2(x, 128, depths[1], name="conv3")
        x = stack_residual_blocks_v2(x, 256, depths[2], name="conv4")
        return stack_residual_blocks_v2(x, 512, depths[3], stride1=1,
                                        name="conv5")
    return stack_fn


def _build(depths, weights_name, include_top, weights, input_tensor,
           input_shape, pooling, classes, classifier_activation, name):
    return ResNet(_v2(depths), True, True, include_top=include_top,
                  weights=weights, input_tensor=input_tensor,
                  input_shape=input_shape, pooling=pooling, classes=classes,
                  classifier_activation=classifier_activation, name=name,
                  weights_name=weights_name)


_DOC = """{title}: pre-activation residual network ({depths} blocks per
    stage); images (N, 224, 224, 3) through `preprocess_input` ("tf").

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


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None,
               input_shape=None, pooling=None, classes=1000,
               classifier_activation="softmax", name="resnet50v2"):
    return _build((3, 4, 6, 3), "resnet50v2", include_top, weights,
                  input_tensor, input_shape, pooling, classes,
                  classifier_activation, name)


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="resnet101v2"):
    return _build((3, 4, 23, 3), "resnet101v2", include_top, weights,
                  input_tensor, input_shape, pooling, classes,
                  classifier_activation, name)


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None,
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="resnet152v2"):
    return _build((3, 8, 36, 3), "resnet152v2", include_top, weights,
                  input_tensor, input_shape, pooling, classes,
                  classifier_activation, name)


ResNet50V2.__doc__ = _DOC.format(title="ResNet50V2", depths="3, 4, 6, 3")
ResNet101V2.__doc__ = _DOC.format(title="ResNet101V2", depths="3, 4, 23, 3")
ResNet152V2.__doc__ = _DOC.format(title="ResNet152V2", depths="3, 8, 36, 3")


def preprocess_input(x, data_format=None):
    """"tf" mode: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="tf")


def decode_predictions(preds, top=5):
    """See imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
