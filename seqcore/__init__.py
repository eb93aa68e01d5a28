"""seqcore: a Keras-compatible deep-learning engine for multicore CPUs."""
from seqcore._version import __version__
from seqcore._runtime import build_info, get_num_threads, set_num_threads
from seqcore import ops

__all__ = ["__version__", "build_info", "get_num_threads", "ops",
           "set_num_threads"]
