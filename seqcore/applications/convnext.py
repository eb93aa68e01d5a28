"""ConvNeXtTiny/Small/Base/Large/XLarge (`keras.applications.convnext`):
7x7 depthwise convolutions, LayerNormalization, inverted MLPs with GELU,
LayerScale. The ImageNet normalization is part of the model
(`include_preprocessing`), so `preprocess_input` is the identity (pixels
in [0, 255]). channels_last only, as Keras."""
import numpy as np

from seqcore import config, initializers, layers, ops
from seqcore.applications import _common, _frame, _weights, imagenet_utils
from seqcore.engine.layer import Layer
from seqcore.engine.sequential import Sequential
from seqcore.saving.serialization import register_keras_serializable

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/convnext/")
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3],
             "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": [3, 3, 27, 3],
              "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": [3, 3, 27, 3],
             "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": [3, 3, 27, 3],
              "projection_dims": [192, 384, 768, 1536], "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3],
               "projection_dims": [256, 512, 1024, 2048],
               "default_size": 224},
}


@register_keras_serializable(package="keras.src.applications.convnext")
class StochasticDepth(Layer):
    """Drops whole samples of a residual branch with probability
    `drop_path_rate` in training (survivors scaled by 1/keep); the
    identity at inference.

    Args:
        drop_path_rate: float in [0, 1).
    """

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training or not self.drop_path_rate:
            return x
        from seqcore import random
        keep = 1.0 - self.drop_path_rate
        shape = (ops.shape(x)[0],) + (1,) * (len(ops.shape(x)) - 1)
        mask = ops.floor(keep + random.uniform(shape, 0.0, 1.0))
        return (x / keep) * mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config_ = super().get_config()
        config_["drop_path_rate"] = self.drop_path_rate
        return config_


@register_keras_serializable(package="keras.src.applications.convnext")
class LayerScale(Layer):
    """Multiplies the last axis by a learned vector (`variable`, shape
    (projection_dim,), initialised to `init_values`).

    Args:
        init_values: initial value of the scale.
        projection_dim: size of the last axis.
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight(
            shape=(self.projection_dim,), name="variable",
            initializer=initializers.Constant(self.init_values),
            trainable=True)
        self.built = True

    def call(self, x, training=None):
        return ops.multiply(x, self.gamma)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config_ = super().get_config()
        config_.update({"init_values": self.init_values,
                        "projection_dim": self.projection_dim})
        return config_


def _default_name(name, uid_key, template):
    """`name`, or `template` filled with the next uid of `uid_key`."""
    if name is not None:
        return name
    from seqcore import backend
    return template.format(backend.get_uid(uid_key))


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0,
                  layer_scale_init_value=1e-6, name=None):
    """A block: depthwise 7x7 (a grouped Conv2D, as Keras), LayerNorm,
    Dense 4x + GELU, Dense back, LayerScale, drop path, residual add."""
    name = _default_name(name, "prestem", "prestem{}")

    def apply(inputs):
        x = layers.Conv2D(filters=projection_dim, kernel_size=7,
                          padding="same", groups=projection_dim,
                          name=f"{name}_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6,
                                      name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim,
                         name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim,
                           name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            last = StochasticDepth(drop_path_rate,
                                   name=f"{name}_stochastic_depth")
        else:
            last = layers.Activation("linear", name=f"{name}_identity")
        return inputs + last(x)
    return apply


def PreStem(name=None):
    """The ImageNet mean/variance Normalization of 0-255 pixels."""
    name = _default_name(name, "prestem", "prestem{}")

    def apply(x):
        return layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2,
                      (0.225 * 255) ** 2],
            name=f"{name}_prestem_normalization")(x)
    return apply


def Head(num_classes=1000, classifier_activation=None, name=None):
    """Global average pooling, LayerNorm, Dense."""
    name = _default_name(name, "head", "{}")

    def apply(x):
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6,
                                      name=f"{name}_head_layernorm")(x)
        return layers.Dense(num_classes, activation=classifier_activation,
                            name=f"{name}_head_dense")(x)
    return apply


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0,
             layer_scale_init_value=1e-6, default_size=224, name="convnext",
             include_preprocessing=True, include_top=True, weights=None,
             input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", weights_name=None):
    """The ConvNeXt frame: a 4x4/4 stem (a nested Sequential, as Keras),
    four stages of blocks with 2x2/2 downsampling between them."""
    if config.image_data_format() == "channels_first":
        raise ValueError(
            "ConvNeXt does not support the `channels_first` image data "
            "format. Switch to `channels_last` by editing your local config "
            "file at ~/.keras/keras.json")
    img_input, input_shape = _frame.image_input(
        weights, include_top, classes, input_tensor, input_shape,
        default_size, 32,
        'If using `weights="imagenet"` with `include_top=True`, '
        '`classes` should be 1000. Received classes={classes}')
    if input_tensor is not None:
        inputs = _common.source_inputs(input_tensor)[0]
        x = input_tensor
    else:
        inputs = x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = PreStem(name=name)(x)

    stem = Sequential(
        [layers.Conv2D(projection_dims[0], kernel_size=4, strides=4,
                       name=f"{name}_stem_conv"),
         layers.LayerNormalization(epsilon=1e-6,
                                   name=f"{name}_stem_layernorm")],
        name=f"{name}_stem")
    downsample = [stem]
    for i in range(3):
        downsample.append(Sequential(
            [layers.LayerNormalization(
                epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
             layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                           name=f"{name}_downsampling_conv_{i}")],
            name=f"{name}_downsampling_block_{i}"))
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    cur = 0
    for i in range(4):
        x = downsample[i](x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dims[i], rates[cur + j],
                              layer_scale_init_value,
                              name=f"{name}_stage_{i}_block_{j}")(x)
        cur += depths[i]
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Head(num_classes=classes,
                 classifier_activation=classifier_activation, name=name)(x)
    else:
        x = _common.pool(x, pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = _common.functional(inputs, x, name)
    if weights == "imagenet":
        expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
        if list(depths) != expected["depths"] or \
                list(projection_dims) != expected["projection_dims"]:
            raise ValueError(
                f"Architecture configuration does not match {weights_name} "
                f"variant. Expected depths: {expected['depths']}, got: "
                f"{depths}. Expected projection_dims: "
                f"{expected['projection_dims']}, got: {projection_dims}.")
        if weights_name not in name:
            raise ValueError(
                f'Model name "{name}" does not match weights variant '
                f'"{weights_name}". When using imagenet weights, model name '
                f'must contain the weights variant (e.g., "{weights_name}").')
        file_name = name + (".h5" if include_top else "_notop.h5")
        _weights.load_weights(model, weights, file_name,
                              BASE_WEIGHTS_PATH + file_name)
    else:
        _weights.load_weights(model, weights)
    return model


_DOC = """ConvNeXt{size}: pixels in [0, 255] (the model normalizes them
    when `include_preprocessing`).

    Args:
        include_top: with the pooled LayerNorm + Dense head.
        include_preprocessing: with the ImageNet Normalization first.
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        input_shape: (rows, cols, 3), at least 32x32.
        pooling: headless output: None (4D), "avg" or "max" (then a
            LayerNormalization).
        classes: output classes with the top.
        classifier_activation: activation of the head's Dense.
        name: the model's name (also the weight file's stem).
    """


def _variant(size):
    cfg = MODEL_CONFIGS[size]

    def constructor(include_top=True, include_preprocessing=True,
                    weights="imagenet", input_tensor=None, input_shape=None,
                    pooling=None, classes=1000,
                    classifier_activation="softmax",
                    name=f"convnext_{size}"):
        return ConvNeXt(cfg["depths"], cfg["projection_dims"],
                        drop_path_rate=0.0, layer_scale_init_value=1e-6,
                        default_size=cfg["default_size"], name=name,
                        include_preprocessing=include_preprocessing,
                        include_top=include_top, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape,
                        pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation,
                        weights_name=f"convnext_{size}")
    title = {"xlarge": "XLarge"}.get(size, size.capitalize())
    constructor.__name__ = constructor.__qualname__ = f"ConvNeXt{title}"
    constructor.__doc__ = _DOC.format(size=title)
    return constructor


ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")


preprocess_input, decode_predictions = _frame.preprocessing(
    None, __name__, "The identity: the model normalizes its input itself.")
