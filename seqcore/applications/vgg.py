"""VGG16 and VGG19 (shared body; vgg16.py and vgg19.py are the public
modules). Input 224x224 by default, at least 32x32; "caffe" preprocessing.
"""
from seqcore import layers
from seqcore.applications import _common, _weights, imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def build_vgg(convs_per_block, weights_prefix, include_top, weights,
              input_tensor, input_shape, pooling, classes,
              classifier_activation, name):
    """A VGG network: five blocks of 3x3 "same" ReLU convolutions (64,
    128, 256, 512, 512 filters; `convs_per_block[i]` of them) each ending
    in a 2x2 max pooling, then Flatten, fc1, fc2 (4096) and predictions."""
    _weights.check_weights_argument(weights)
    _weights.check_classes(weights, include_top, classes)
    from seqcore import config
    input_shape = imagenet_utils.obtain_input_shape(
        _common.to_shape(input_shape), default_size=224, min_size=32,
        data_format=config.image_data_format(), require_flatten=include_top,
        weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
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
    model = _common.functional(
        _common.model_inputs(input_tensor, img_input), x, name)
    suffix = "" if include_top else "_notop"
    file_name = f"{weights_prefix}_weights_tf_dim_ordering_tf_kernels" \
                f"{suffix}.h5"
    _weights.load_weights(model, weights, file_name,
                          f"{_BASE}{weights_prefix}/{file_name}")
    return model
