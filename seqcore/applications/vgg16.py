"""VGG16 (`keras.applications.vgg16`)."""
from seqcore.applications import imagenet_utils
from seqcore.applications.vgg import build_vgg


def VGG16(include_top=True, weights="imagenet", input_tensor=None,
          input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg16"):
    """VGG16: 13 convolutions (2, 2, 3, 3, 3 per block) and 3 dense
    layers; images (N, 224, 224, 3) preprocessed by `preprocess_input`.

    Args:
        include_top: with the flatten + fc1 + fc2 + predictions head.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        input_shape: (rows, cols, 3), at least 32x32; fixed with the top.
        pooling: headless output: None (4D), "avg" or "max" (2D).
        classes: output classes with the top.
        classifier_activation: activation of "predictions".
        name: the model's name.
    """
    return build_vgg((2, 2, 3, 3, 3), "vgg16", include_top, weights,
                     input_tensor, input_shape, pooling, classes,
                     classifier_activation, name)


def preprocess_input(x, data_format=None):
    """"caffe" mode: RGB to BGR, minus the ImageNet channel means."""
    return imagenet_utils.preprocess_input(x, data_format=data_format,
                                           mode="caffe")


def decode_predictions(preds, top=5):
    """See imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
