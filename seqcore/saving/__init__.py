"""Saving and loading: configs (serialization.py), Keras 3's `.keras` and
`.weights.h5` files and Keras 2's `.h5` files (files.py, weights_h5.py)."""
from seqcore.saving.files import load_model, load_weights, save_model, \
    save_weights
from seqcore.saving.serialization import (deserialize_keras_object,
                                          register_keras_serializable,
                                          serialize_keras_object)

__all__ = ["deserialize_keras_object", "load_model", "load_weights",
           "register_keras_serializable", "save_model", "save_weights",
           "serialize_keras_object"]
