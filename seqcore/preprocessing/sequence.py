"""keras.preprocessing.sequence."""
from seqcore.utils.sequences import pad_sequences

__all__ = ["pad_sequences"]
