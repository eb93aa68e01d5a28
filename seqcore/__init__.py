"""seqcore: a Keras-compatible deep-learning engine for multicore CPUs.

`import seqcore as keras` and build models as in Keras 3, on numpy arrays.
"""
from seqcore._version import __version__
from seqcore._runtime import build_info, get_num_threads, set_num_threads
from seqcore import (activations, backend, callbacks, config, datasets,
                     initializers, layers, losses, metrics, models, ops,
                     optimizers, preprocessing, random, regularizers, utils)
from seqcore.engine.input_layer import Input
from seqcore.engine.keras_tensor import KerasTensor
from seqcore.engine.model import Model
from seqcore.engine.sequential import Sequential
from seqcore.saving.serialization import register_keras_serializable
from seqcore import applications  # noqa: E402  (keras.applications)
from seqcore import distribution  # noqa: E402  (keras.distribution)

__all__ = ["__version__", "activations", "backend", "build_info", "callbacks",
           "config", "datasets", "get_num_threads", "preprocessing", "random",
           "initializers", "Input", "KerasTensor", "layers", "losses", "metrics",
           "Model", "optimizers",
           "models", "ops", "register_keras_serializable", "regularizers",
           "Sequential", "set_num_threads", "utils"]
