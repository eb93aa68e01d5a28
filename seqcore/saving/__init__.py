"""Saving and loading: configs (serialization.py) and Keras file formats."""
from seqcore.saving.serialization import (deserialize_keras_object,
                                          register_keras_serializable,
                                          serialize_keras_object)

__all__ = ["deserialize_keras_object", "register_keras_serializable",
           "serialize_keras_object"]
