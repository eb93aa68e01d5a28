"""ResNet50/101/152 (`keras.applications.resnet`, also `resnet50`) and
the shared ResNet body of ResNet50V2/101V2/152V2 (resnet_v2.py). Input
224x224 by default, at least 32x32; "caffe" preprocessing for v1."""
from seqcore import layers
from seqcore.applications import _common, _frame
from seqcore.applications._blocks import conv_bn

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/"
                     "keras-applications/resnet/")
_EPS = 1.001e-5


def ResNet(stack_fn, preact, use_bias, include_top=True, weights="imagenet",
           input_tensor=None, input_shape=None, pooling=None, classes=1000,
           classifier_activation="softmax", name="resnet",
           weights_name=None):
    """The ResNet frame: 7x7/2 stem, 3x3/2 max pooling, `stack_fn(x)`, then
    the head. `preact` (v2): no BN after the stem, "post_bn" at the end."""
    img_input, _ = _frame.image_input(weights, include_top, classes,
                                      input_tensor, input_shape, 224, 32)
    axis = _common.bn_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)),
                             name="conv1_pad")(img_input)
    conv1 = layers.Conv2D(64, 7, strides=2, use_bias=use_bias,
                          name="conv1_conv")
    if preact:
        x = conv1(x)
    else:
        x = conv_bn(x, conv1, axis, "conv1_bn", "relu", "conv1_relu",
                    epsilon=_EPS)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=axis, epsilon=_EPS,
                                      name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = _frame.classifier(x, include_top, pooling, classes,
                          classifier_activation, weights,
                          pool_names=("avg_pool", "max_pool"))
    file_name = None
    if weights == "imagenet" and weights_name:
        file_name = _frame.weights_file(weights_name, include_top)
    elif weights == "imagenet":
        weights = None          # no published file: random weights
    return _frame.model(input_tensor, img_input, x, name, weights,
                        file_name, BASE_WEIGHTS_PATH)


def _conv_bn_relu(x, filters, kernel_size, name, i, relu=True, **conv_kw):
    """`{name}_{i}_conv` -> `{name}_{i}_bn` (-> `{name}_{i}_relu`)."""
    conv = layers.Conv2D(filters, kernel_size, name=f"{name}_{i}_conv",
                         **conv_kw)
    return conv_bn(x, conv, _common.bn_axis(), f"{name}_{i}_bn",
                   "relu" if relu else None, f"{name}_{i}_relu",
                   epsilon=_EPS)


def residual_block_v1(x, filters, kernel_size=3, stride=1,
                      conv_shortcut=True, name=None):
    """Bottleneck block: 1x1 (stride) -> kxk -> 1x1 (4 filters), BN after
    each, added to the (projected) shortcut, then ReLU."""
    if conv_shortcut:
        shortcut = _conv_bn_relu(x, 4 * filters, 1, name, 0, relu=False,
                                 strides=stride)
    else:
        shortcut = x
    x = _conv_bn_relu(x, filters, 1, name, 1, strides=stride)
    x = _conv_bn_relu(x, filters, kernel_size, name, 2, padding="SAME")
    x = _conv_bn_relu(x, 4 * filters, 1, name, 3, relu=False)
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
    x = _conv_bn_relu(preact, filters, 1, name, 1, strides=1,
                      use_bias=False)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)),
                             name=f"{name}_2_pad")(x)
    x = _conv_bn_relu(x, filters, kernel_size, name, 2, strides=stride,
                      use_bias=False)
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


def stages(block_stack, depths, first_stride, last_stride):
    """stack_fn of the four stages conv2..conv5 (64, 128, 256, 512
    filters, `depths` blocks each); the first stage's stride1 is
    `first_stride`, the last's `last_stride`, the others' 2."""
    strides = (first_stride, 2, 2, last_stride)

    def stack_fn(x):
        for i, (filters, blocks) in enumerate(zip((64, 128, 256, 512),
                                                  depths)):
            x = block_stack(x, filters, blocks, stride1=strides[i],
                            name=f"conv{i + 2}")
        return x
    return stack_fn


_KINDS = {  # v2: (block stack, stride1 of conv2, of conv5, summary words)
    False: (stack_residual_blocks_v1, 1, 2, "bottleneck", "caffe"),
    True: (stack_residual_blocks_v2, 2, 1, "pre-activation", "tf"),
}


def variant(title, depths, v2, module):
    """A public constructor: ResNet (v2: pre-activation) with `depths`
    blocks in stages conv2..conv5, named and weighted `title.lower()`."""
    block_stack, first, last, kind, mode = _KINDS[v2]
    weights_name = title.lower()

    def build(**kwargs):
        return ResNet(stages(block_stack, depths, first, last), v2, True,
                      weights_name=weights_name, **kwargs)
    doc = _frame.constructor_doc(
        f"{title}: {kind} residual network "
        f"({', '.join(map(str, depths))} blocks per\n    stage); images "
        f"(N, 224, 224, 3) through `preprocess_input` (\"{mode}\").")
    return _frame.constructor(title, weights_name, build, doc, module)


ResNet50 = variant("ResNet50", (3, 4, 6, 3), False, __name__)
ResNet101 = variant("ResNet101", (3, 4, 23, 3), False, __name__)
ResNet152 = variant("ResNet152", (3, 8, 36, 3), False, __name__)

preprocess_input, decode_predictions = _frame.preprocessing("caffe",
                                                            __name__)
