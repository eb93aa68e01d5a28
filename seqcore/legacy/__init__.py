"""keras.legacy: what Keras 3 keeps of Keras 2 under this name
(`keras.legacy.saving`)."""
from seqcore.legacy import saving

__all__ = ["saving"]
