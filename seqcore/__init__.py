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
from seqcore import wrappers  # noqa: E402  (keras.wrappers; sklearn lazily)
from seqcore import distillation  # noqa: E402  (keras.distillation)
from seqcore import legacy  # noqa: E402  (keras.legacy.saving)
from seqcore import (constraints, dtype_policies,  # noqa: E402
                     mixed_precision, tree)
from seqcore import export, quantizers, visualization  # noqa: E402
from seqcore.quantizers import Quantizer  # noqa: E402
from seqcore.dtype_policies import DTypePolicy, FloatDTypePolicy  # noqa: E402
from seqcore.engine.input_spec import InputSpec  # noqa: E402
from seqcore.engine.keras_variable import Variable  # noqa: E402
from seqcore.engine.layer import Layer  # noqa: E402
from seqcore.engine.operation import Function, Operation  # noqa: E402
from seqcore.engine.stateless import StatelessScope  # noqa: E402
from seqcore.initializers import Initializer  # noqa: E402
from seqcore.losses import Loss  # noqa: E402
from seqcore.metrics import Metric  # noqa: E402
from seqcore.optimizers import Optimizer  # noqa: E402
from seqcore.regularizers import Regularizer  # noqa: E402
from seqcore.scopes import (RematScope, SymbolicScope, device,  # noqa: E402
                            name_scope, remat)


def version():
    """seqcore's version string (the same as `__version__`)."""
    return __version__


__all__ = ["__version__", "activations", "backend", "build_info", "callbacks",
           "config", "datasets", "get_num_threads", "preprocessing", "random",
           "initializers", "Input", "KerasTensor", "layers", "losses", "metrics",
           "Model", "optimizers",
           "models", "ops", "register_keras_serializable", "regularizers",
           "Sequential", "set_num_threads", "utils",
           "constraints", "dtype_policies", "mixed_precision", "tree",
           "DTypePolicy", "FloatDTypePolicy", "Initializer", "InputSpec",
           "Layer", "Loss", "Metric", "Optimizer", "Regularizer", "Variable",
           "device", "name_scope", "version", "Operation", "Function",
           "RematScope", "SymbolicScope", "StatelessScope", "remat"]
__all__ += ["wrappers"]
__all__ += ["distillation"]
__all__ += ["legacy"]
__all__ += ["export", "quantizers", "visualization", "Quantizer"]
