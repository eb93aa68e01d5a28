"""The frame every ImageNet constructor shares, around its own body: the
argument checks and the image input, the classifier head (or the pooling
of a headless base), the model and its weights, the public constructors
of a family's variants with Keras's signature, their docstrings, and the
module-level `preprocess_input` / `decode_predictions`."""
import warnings

from seqcore import config, layers
from seqcore.applications import _common, _weights, imagenet_utils

def image_input(weights, include_top, classes, input_tensor, input_shape,
                default_size, min_size,
                classes_message=_weights.CLASSES_MESSAGE):
    """Keras's checks of the constructor's arguments, then the image
    input (a new Input, or `input_tensor`).

    Args:
        weights, include_top, classes, input_tensor, input_shape: the
            constructor's arguments.
        default_size: the family's default rows and cols.
        min_size: the smallest rows and cols accepted.
        classes_message: the family's error text for classes != 1000 with
            the ImageNet top ({classes} is filled in).
    Returns:
        (the image input tensor, the checked input shape).
    """
    _weights.check_weights_argument(weights)
    _weights.check_classes(weights, include_top, classes, classes_message)
    input_shape = imagenet_utils.obtain_input_shape(
        _common.to_shape(input_shape), default_size=default_size,
        min_size=min_size, data_format=config.image_data_format(),
        require_flatten=include_top, weights=weights)
    return _common.image_input(input_tensor, input_shape), input_shape


def classifier(x, include_top, pooling, classes, classifier_activation,
               weights, gap_name="avg_pool", pool_names=(None, None),
               dropout=None, **dense_kwargs):
    """The head: global average pooling (`gap_name`), an optional Dropout
    (rate, name) and the Dense "predictions" layer; without the top, the
    `pooling` of the base (named `pool_names` = (avg, max)).

    Args:
        x: the base's 4-D output.
        include_top, pooling, classes, classifier_activation, weights:
            the constructor's arguments.
        gap_name: the name of the head's pooling layer.
        pool_names: the names of the headless "avg" and "max" poolings.
        dropout: None, or (rate, name) of a Dropout before the Dense.
        **dense_kwargs: more arguments of the Dense layer.
    """
    if not include_top:
        return _common.pool(x, pooling, *pool_names)
    x = layers.GlobalAveragePooling2D(name=gap_name)(x)
    if dropout is not None and dropout[0] > 0:
        x = layers.Dropout(dropout[0], name=dropout[1])(x)
    imagenet_utils.validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation,
                        name="predictions", **dense_kwargs)(x)


def weights_file(stem, include_top, notop="_notop"):
    """Keras's file name `{stem}_weights_tf_dim_ordering_tf_kernels.h5`
    (with `notop` before `.h5` for a headless model)."""
    return f"{stem}_weights_tf_dim_ordering_tf_kernels" + \
        ("" if include_top else notop) + ".h5"


def model(input_tensor, img_input, x, name, weights, file_name=None,
          base_url=""):
    """The Functional model from the image input (or `input_tensor`'s
    sources) to x, with its weights: Keras's `file_name` (found offline;
    Keras publishes it at base_url + file_name) for "imagenet", a path,
    or None."""
    built = _common.functional(
        _common.model_inputs(input_tensor, img_input), x, name)
    url = None if file_name is None else base_url + file_name
    _weights.load_weights(built, weights, file_name, url)
    return built


def rows_cols(shape, batch=False):
    """(rows, cols) of an image shape, (rows, cols, channels) or
    channels_first, after a batch axis when `batch`."""
    offset = 1 if batch else 0
    if config.image_data_format() == "channels_first":
        return shape[offset + 1], shape[offset + 2]
    return shape[offset], shape[offset + 1]


def square_size(rows_cols, sizes, default=224):
    """rows when (rows, cols) is square and rows is one of `sizes`, else
    `default`."""
    rows, cols = rows_cols
    return rows if rows == cols and rows in sizes else default


def published_rows(rows, cols, sizes, stacklevel=3):
    """The rows of the ImageNet weights to load: `rows` when the input is
    square and of a published size, else 224 with Keras's warning."""
    if square_size((rows, cols), sizes, None) is not None:
        return rows
    listed = ", ".join(str(s) for s in sizes)
    warnings.warn(
        f"`input_shape` is undefined or non-square, or `rows` is not in "
        f"[{listed}]. Weights for input shape (224, 224) will be loaded as "
        f"the default.", stacklevel=stacklevel)
    return 224


ARGS_DOC = """
    Args:
        include_top: {include_top}
        weights: None, "imagenet" (Keras's file, found offline) or a path.
        input_tensor: a symbolic tensor to use as the image input.
        input_shape: (rows, cols, 3), at least {min_size}x{min_size}.
        pooling: headless output: None (4D), "avg" or "max".
        classes: output classes with the top.
        classifier_activation: activation of "predictions".
        name: {name}
    """


def constructor_doc(summary, min_size=32,
                    include_top="with avg_pool + predictions.",
                    name="the model's name."):
    """A constructor's docstring: `summary`, then the Args of Keras's
    common signature."""
    return summary + "\n" + ARGS_DOC.format(
        include_top=include_top, min_size=min_size, name=name)


def constructor(title, default_name, build, doc, module):
    """A public constructor with Keras's common signature (include_top,
    weights, input_tensor, input_shape, pooling, classes,
    classifier_activation, name) that calls `build(**arguments)`.

    Args:
        title: the function's name (e.g. "ResNet50").
        default_name: the default model name.
        build: the family's builder, taking those keyword arguments.
        doc: the docstring.
        module: the public module's __name__.
    """
    def ctor(include_top=True, weights="imagenet", input_tensor=None,
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name=default_name):
        return build(include_top=include_top, weights=weights,
                     input_tensor=input_tensor, input_shape=input_shape,
                     pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, name=name)
    ctor.__name__ = ctor.__qualname__ = title
    ctor.__doc__ = doc
    ctor.__module__ = module
    return ctor


_PREPROCESS_DOCS = {
    "caffe": '"caffe" mode: RGB to BGR, minus the ImageNet channel means.',
    "tf": '"tf" mode: pixels scaled to [-1, 1].',
    "torch": '"torch" mode: to [0, 1], minus the ImageNet mean, over its '
             'std.',
    None: "The identity: the model rescales and normalizes its input.",
}


def preprocessing(mode, module, doc=None):
    """A family module's (preprocess_input, decode_predictions): Keras's
    ImageNet `mode` ("caffe", "tf", "torch"), or None when the model
    rescales its input itself (the identity).

    Args:
        mode: the preprocessing mode, or None.
        module: the family module's __name__.
        doc: preprocess_input's docstring (the mode's by default).
    """
    def preprocess_input(x, data_format=None):
        if mode is None:
            return x
        return imagenet_utils.preprocess_input(x, data_format=data_format,
                                               mode=mode)

    def decode_predictions(preds, top=5):
        """See imagenet_utils.decode_predictions."""
        return imagenet_utils.decode_predictions(preds, top=top)
    preprocess_input.__doc__ = doc or _PREPROCESS_DOCS[mode]
    for fn in (preprocess_input, decode_predictions):
        fn.__module__ = module
    return preprocess_input, decode_predictions
