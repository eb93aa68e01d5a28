"""DenseNet121/169/201 (`keras.applications.densenet`): dense blocks of
BN-ReLU-1x1-BN-ReLU-3x3 convolutions concatenated to their input, with
halving transitions. Input 224x224 by default, at least 32x32; "torch"
preprocessing. channels_last only, as Keras."""
from seqcore import config, layers
from seqcore.applications import _common, _frame
from seqcore.applications._blocks import bn_act_conv, conv_bn

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/densenet/")
_EPS = 1.001e-5
_NAMES = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169",
          (6, 12, 48, 32): "densenet201"}
_CLASSES_MESSAGE = ('If using `weights` as `"imagenet"` with `include_top` '
                    'as true, `classes` should be 1000')


def dense_block(x, blocks, name):
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def _bn_relu_conv(x, name, bn, relu, conv_name, filters, kernel, **conv_kw):
    """BN (`{name}_{bn}`) -> ReLU (`{name}_{relu}`) -> an unbiased
    convolution (`{name}_{conv_name}`)."""
    conv = layers.Conv2D(filters, kernel, use_bias=False,
                         name=f"{name}_{conv_name}", **conv_kw)
    return bn_act_conv(x, conv, _common.bn_axis(), f"{name}_{bn}", "relu",
                       f"{name}_{relu}", epsilon=_EPS)


def transition_block(x, reduction, name):
    filters = int(x.shape[_common.bn_axis()] * reduction)
    x = _bn_relu_conv(x, name, "bn", "relu", "conv", filters, 1)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def conv_block(x, growth_rate, name):
    x1 = _bn_relu_conv(x, name, "0_bn", "0_relu", "1_conv",
                       4 * growth_rate, 1)
    x1 = _bn_relu_conv(x1, name, "1_bn", "1_relu", "2_conv", growth_rate, 3,
                       padding="same")
    return layers.Concatenate(axis=_common.bn_axis(),
                              name=f"{name}_concat")([x, x1])


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
    img_input, _ = _frame.image_input(weights, include_top, classes,
                                      input_tensor, input_shape, 224, 32,
                                      _CLASSES_MESSAGE)
    axis = _common.bn_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = conv_bn(x, layers.Conv2D(64, 7, strides=2, use_bias=False,
                                 name="conv1_conv"),
                axis, "conv1_bn", "relu", "conv1_relu", epsilon=_EPS)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, count in enumerate(blocks):
        x = dense_block(x, count, name=f"conv{i + 2}")
        if i < 3:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights,
                          pool_names=("avg_pool", "max_pool"))
    file_name = None
    if weights == "imagenet":
        stem = _NAMES.get(tuple(blocks))
        if stem is None:
            raise ValueError("weights_path undefined")
        file_name = _frame.weights_file(stem, include_top)
    return _frame.model(input_tensor, img_input, x, name, weights,
                        file_name, BASE_WEIGHTS_PATH)


def _variant(title, blocks):
    def build(**kwargs):
        return DenseNet(list(blocks), **kwargs)
    doc = _frame.constructor_doc(
        f"{title}: dense blocks of {', '.join(map(str, blocks))} conv "
        f"blocks; images (N, 224,\n    224, 3) through `preprocess_input` "
        f"(\"torch\").")
    return _frame.constructor(title, title.lower(), build, doc, __name__)


DenseNet121 = _variant("DenseNet121", (6, 12, 24, 16))
DenseNet169 = _variant("DenseNet169", (6, 12, 32, 32))
DenseNet201 = _variant("DenseNet201", (6, 12, 48, 32))

preprocess_input, decode_predictions = _frame.preprocessing("torch",
                                                            __name__)
