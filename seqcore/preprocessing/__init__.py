"""keras.preprocessing: `sequence.pad_sequences` and the dataset helpers'
Keras 2 location."""
from seqcore.preprocessing import sequence

__all__ = ["sequence"]
