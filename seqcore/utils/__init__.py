"""keras.utils helpers."""
import numpy as np

from seqcore.backend import clear_session
from seqcore.random import set_seed as set_random_seed
from seqcore.saving.object_registration import (CustomObjectScope,
                                                custom_object_scope,
                                                get_custom_objects,
                                                get_registered_name,
                                                get_registered_object,
                                                register_keras_serializable)
from seqcore.saving.serialization import (deserialize_keras_object,
                                          serialize_keras_object)
from seqcore.backend import standardize_dtype
from seqcore.config import (disable_interactive_logging,
                            enable_interactive_logging,
                            is_interactive_logging_enabled)
from seqcore.utils import legacy
from seqcore.utils.config import Config
from seqcore.utils.data_tuples import (pack_x_y_sample_weight,
                                       unpack_x_y_sample_weight)
from seqcore.utils.dataset_utils import (image_dataset_from_directory,
                                         split_dataset,
                                         text_dataset_from_directory,
                                         timeseries_dataset_from_array)
from seqcore.utils import bounding_boxes
from seqcore.utils.audio_dataset_utils import audio_dataset_from_directory
from seqcore.utils.feature_space import FeatureSpace
from seqcore.utils.file_utils import get_file
from seqcore.utils.image_utils import (array_to_img, img_to_array, load_img,
                                       save_img)
from seqcore.utils.model_visualization import model_to_dot, plot_model
from seqcore.utils.py_dataset import PyDataset, Sequence
from seqcore.utils.progbar import Progbar
from seqcore.utils.sequences import pad_sequences
from seqcore.utils.source_inputs import get_source_inputs


def is_keras_tensor(x):
    """True when `x` is a symbolic tensor (a KerasTensor)."""
    from seqcore.engine.keras_tensor import KerasTensor
    return isinstance(x, KerasTensor)


def to_categorical(x, num_classes=None):
    """Class indices (any shape; a trailing axis of 1 is dropped) as one-hot
    rows of num_classes (default: the largest index + 1), float64 as in
    Keras."""
    x = np.asarray(x)
    if x.dtype.kind == "f" and not np.array_equal(x, np.round(x)):
        raise ValueError("to_categorical: expected integer class indices, "
                         "received non-integral floats")
    x = x.astype(np.int64)
    shape = x.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = x.reshape(-1)
    if num_classes is None:
        num_classes = int(flat.max()) + 1 if flat.size else 0
    if flat.size and (flat.min() < 0 or flat.max() >= num_classes):
        bad = flat.min() if flat.min() < 0 else flat.max()
        raise ValueError(f"to_categorical: class index {bad} is out of range "
                         f"for num_classes={num_classes}")
    categorical = np.zeros((flat.size, num_classes))
    categorical[np.arange(flat.size), flat] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero norms count as 1).

    Args:
        x: an array.
        axis: the axis to normalize along.
        order: the norm's order (2: Euclidean).
    """
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis if axis is not None else -1)


__all__ = ["Config", "audio_dataset_from_directory", "bounding_boxes", "CustomObjectScope", "FeatureSpace", "legacy", "Progbar", "PyDataset", "Sequence", "clear_session",
           "custom_object_scope", "deserialize_keras_object",
           "get_custom_objects", "get_file", "get_source_inputs", "get_registered_name",
           "get_registered_object", "image_dataset_from_directory",
           "model_to_dot", "normalize", "pad_sequences", "plot_model",
           "register_keras_serializable", "serialize_keras_object",
           "set_random_seed", "split_dataset", "text_dataset_from_directory",
           "timeseries_dataset_from_array", "to_categorical",
           "disable_interactive_logging", "enable_interactive_logging",
           "is_interactive_logging_enabled", "is_keras_tensor",
           "pack_x_y_sample_weight", "standardize_dtype",
           "unpack_x_y_sample_weight", "array_to_img", "img_to_array",
           "load_img", "save_img"]
