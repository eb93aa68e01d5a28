"""keras.legacy.saving: Keras 2's object serialization, the same functions
as keras.utils.legacy."""
from seqcore.utils.legacy import (deserialize_keras_object,
                                  serialize_keras_object)

__all__ = ["deserialize_keras_object", "serialize_keras_object"]
