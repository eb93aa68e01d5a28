"""ImageNet helpers shared by every family (Keras's
`keras.applications.imagenet_utils`): `preprocess_input` in the "caffe",
"tf" and "torch" modes, `decode_predictions`, and the input-shape checks
of the constructors (`obtain_input_shape`, `correct_pad`,
`validate_activation`).
"""
import json
import warnings

import numpy as np

from seqcore import config

CLASS_INDEX = None
CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")

_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def _data_format(data_format):
    if data_format is None:
        return config.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            f"Expected data_format to be one of `channels_first` or "
            f"`channels_last`. Received: data_format={data_format}")
    return data_format


def preprocess_input(x, data_format=None, mode="caffe"):
    """Scale a batch of RGB images in [0, 255] as a family's weights expect.

    Args:
        x: array of shape (H, W, 3) or (N, H, W, 3) (channels first: the
            channel axis first after the batch). A floating numpy array is
            modified in place, as in Keras.
        data_format: "channels_last" / "channels_first", None for the
            global setting.
        mode: "caffe" (RGB to BGR, minus the ImageNet mean, no scaling),
            "tf" (to [-1, 1]) or "torch" (to [0, 1], minus the mean, over
            the standard deviation, per channel).

    Returns:
        The preprocessed float32 (or the input's floating dtype) array.
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or "
                         f"`torch`. Received: mode={mode}")
    data_format = _data_format(data_format)
    if _is_tensor(x):
        return _preprocess_tensor(x, data_format, mode)
    if not isinstance(x, np.ndarray):
        x = np.array(x, dtype=config.floatx())
    elif not np.issubdtype(x.dtype, np.floating):
        x = x.astype(config.floatx())
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    first = data_format == "channels_first"
    if x.ndim < 3:
        raise ValueError(f"preprocess_input expects a 3D image or a 4D "
                         f"batch of images; received shape {x.shape}")
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        if first:
            x = x[::-1] if x.ndim == 3 else x[:, ::-1]
        else:
            x = x[..., ::-1]
        mean, std = _CAFFE_MEAN, None
    for c in range(3):
        if first:
            view = x[c] if x.ndim == 3 else x[:, c]
        else:
            view = x[..., c]
        view -= mean[c]
        if std is not None:
            view /= std[c]
    return x


def _is_tensor(x):
    """A symbolic KerasTensor or a value traced in training."""
    from seqcore.engine.keras_tensor import KerasTensor
    from seqcore.engine.traced import Traced
    return isinstance(x, (KerasTensor, Traced))


def _preprocess_tensor(x, data_format, mode):
    """preprocess_input on a symbolic (or traced) batch, written with ops
    so that it becomes part of the model, as Keras does for tensors."""
    ndim = len(x.shape)
    if mode == "tf":
        x = x / 127.5
        return x - 1.0
    if mode == "torch":
        x = x / 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        # RGB to BGR: the channel axis reversed (a slice node).
        if data_format == "channels_first":
            x = x[::-1] if ndim == 3 else x[:, ::-1]
        else:
            x = x[..., ::-1]
        mean, std = _CAFFE_MEAN, None
    if data_format == "channels_first":
        shape = (3, 1, 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)
    else:
        shape = (1,) * (ndim - 1) + (3,)
    x = x + (-np.array(mean, "float32")).reshape(shape)
    if std is not None:
        std_shape = (-1, 1, 1) if data_format == "channels_first" else (3,)
        x = x / np.array(std, "float32").reshape(std_shape)
    return x


def decode_predictions(preds, top=5):
    """The `top` classes of each row of ImageNet predictions.

    Args:
        preds: array (samples, 1000).
        top: how many guesses per sample.

    Returns:
        One list per sample of (class_name, description, score) tuples,
        best first. The class index is read from `imagenet_class_index.json`
        in Keras's cache folder or $SEQCORE_DATA (never downloaded).
    """
    global CLASS_INDEX
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError(
            f"`decode_predictions` expects a batch of predictions (i.e. a "
            f"2D array of shape (samples, 1000)). Received array with "
            f"shape: {preds.shape}")
    if CLASS_INDEX is None:
        from seqcore.applications._weights import find_file
        path = find_file(CLASS_INDEX_FILE, CLASS_INDEX_PATH)
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    results = []
    for pred in preds:
        order = pred.argsort()[-top:][::-1]
        row = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in order]
        row.sort(key=lambda r: r[2], reverse=True)
        results.append(row)
    return results


def obtain_input_shape(input_shape, default_size, min_size, data_format,
                       require_flatten, weights=None):
    """Check a constructor's `input_shape` and fill in its default, with
    Keras's rules and errors.

    Args:
        input_shape: None or a 3-tuple (may hold None for rows/cols).
        default_size: the family's default image size.
        min_size: the smallest rows/cols it accepts.
        data_format: "channels_last" or "channels_first".
        require_flatten: True with a classification top (static shape).
        weights: None, "imagenet" or a path.

    Returns:
        The input shape, a 3-tuple.
    """
    if input_shape is not None:
        input_shape = tuple(input_shape)
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn(
                f"This model usually expects 1 or 3 input channels. "
                f"However, it was passed an input_shape with {channels} "
                f"input channels.", stacklevel=3)
        default_shape = (channels, default_size, default_size) if first \
            else (default_size, default_size, channels)
    else:
        default_shape = (3, default_size, default_size) if first \
            else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError(
                f"When setting `include_top=True` and loading `imagenet` "
                f"weights, `input_shape` should be {default_shape}.  "
                f"Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three "
                             "integers.")
        channels = input_shape[0] if first else input_shape[-1]
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        rows, cols = (input_shape[1], input_shape[2]) if first else \
            (input_shape[0], input_shape[1])
        if (rows is not None and rows < min_size) or \
                (cols is not None and cols < min_size):
            raise ValueError(f"Input size must be at least {min_size}x"
                             f"{min_size}; Received: input_shape="
                             f"{input_shape}")
    else:
        if require_flatten:
            input_shape = default_shape
        else:
            input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(f"If `include_top` is True, you should specify a "
                         f"static `input_shape`. Received: input_shape="
                         f"{input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size):
    """Zero padding ((top, bottom), (left, right)) that makes a stride-2
    "valid" convolution of `kernel_size` over `inputs` (a symbolic
    tensor) match TensorFlow's "same" padding."""
    first = config.image_data_format() == "channels_first"
    size = inputs.shape[2:4] if first else inputs.shape[1:3]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else \
        (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]),
            (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """Pretrained tops allow only softmax or no activation."""
    if weights is None:
        return
    from seqcore import activations
    allowed = (activations.get("softmax"), activations.get(None))
    if activations.get(classifier_activation) not in allowed:
        raise ValueError(
            f"Only `None` and `softmax` activations are allowed for the "
            f"`classifier_activation` argument when using pretrained "
            f"weights, with `include_top=True`; Received: "
            f"classifier_activation={classifier_activation}")
