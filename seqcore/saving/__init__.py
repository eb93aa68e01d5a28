"""keras.saving: Keras 3's `.keras` and `.weights.h5` files and Keras 2's
`.h5` files (files.py, weights_h5.py), serialized configs
(serialization.py) and custom objects (object_registration.py)."""
from seqcore.saving.file_editor import KerasFileEditor
from seqcore.saving.files import load_model, load_weights, save_model, \
    save_weights
from seqcore.saving.object_registration import (CustomObjectScope,
                                                custom_object_scope,
                                                get_custom_objects,
                                                get_registered_name,
                                                get_registered_object,
                                                register_keras_serializable)
from seqcore.saving.serialization import (deserialize_keras_object,
                                          serialize_keras_object)

__all__ = ["CustomObjectScope", "KerasFileEditor", "custom_object_scope",
           "deserialize_keras_object", "get_custom_objects",
           "get_registered_name", "get_registered_object", "load_model",
           "load_weights", "register_keras_serializable", "save_model",
           "save_weights", "serialize_keras_object"]
