"""keras.datasets-style loaders. `load_digits()` returns data bundled with
seqcore; the others (issue 6) read files already on the machine."""
from seqcore.datasets.digits import load_digits

__all__ = ["load_digits"]
