"""VGG16 and VGG19 (shared body; vgg16.py and vgg19.py are the public
modules). Input 224x224 by default, at least 32x32; "caffe" preprocessing.
"""
from seqcore import layers
from seqcore.applications import _common, _frame, imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def build_vgg(convs_per_block, weights_prefix, include_top, weights,
              input_tensor, input_shape, pooling, classes,
              classifier_activation, name):
    """A VGG network: five blocks of 3x3 "same" ReLU convolutions (64,
    128, 256, 512, 512 filters; `convs_per_block[i]` of them) each ending
    in a 2x2 max pooling, then Flatten, fc1, fc2 (4096) and predictions."""
    img_input, _ = _frame.image_input(weights, include_top, classes,
                                      input_tensor, input_shape, 224, 32)
    x = img_input
    for block, (filters, count) in enumerate(
            zip((64, 128, 256, 512, 512), convs_per_block), start=1):
        for i in range(1, count + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu",
                              padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2),
                                name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    return _frame.model(input_tensor, img_input, x, name, weights,
                        _frame.weights_file(weights_prefix, include_top),
                        f"{_BASE}{weights_prefix}/")


def variant(title, convs_per_block, module):
    """The public constructor VGG16 or VGG19 (`title`) of `module`."""
    def build(**kwargs):
        return build_vgg(convs_per_block, title.lower(), **kwargs)
    counts = ", ".join(map(str, convs_per_block))
    doc = _frame.constructor_doc(
        f"{title}: {sum(convs_per_block)} convolutions ({counts} per "
        f"block) and 3 dense\n    layers; images (N, 224, 224, 3) "
        f"preprocessed by `preprocess_input`.",
        include_top="with the flatten + fc1 + fc2 + predictions head.")
    return _frame.constructor(title, title.lower(), build, doc, module)
