"""keras.preprocessing: `sequence.pad_sequences` and the dataset helpers'
Keras 2 location."""
from seqcore.preprocessing import image, sequence
from seqcore.utils.dataset_utils import (image_dataset_from_directory,
                                         text_dataset_from_directory,
                                         timeseries_dataset_from_array)

__all__ = ["image", "image_dataset_from_directory", "sequence",
           "text_dataset_from_directory", "timeseries_dataset_from_array"]
