"""Keras's layers that run another framework's code: TFSMLayer (a
TensorFlow SavedModel), JaxLayer and FlaxLayer (JAX functions and Flax
modules), TorchModuleWrapper (a torch.nn.Module).

seqcore computes with numpy and its own kernels: it cannot execute or
differentiate those graphs, so each class exists under Keras's name and
refuses at construction, saying what is missing and what to do instead.
"""
from seqcore.engine.layer import Layer


class _ForeignLayer(Layer):
    framework = None
    advice = None

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} runs {self.framework} code, which "
            f"seqcore cannot execute or differentiate (it computes with "
            f"numpy and its own kernels, without TensorFlow, JAX or "
            f"PyTorch). {self.advice}")


class TFSMLayer(_ForeignLayer):
    """keras.layers.TFSMLayer(filepath, call_endpoint="serve", ...)."""

    framework = "a TensorFlow SavedModel's"
    advice = ("Save the model as a .keras file in Keras and load it with "
              "seqcore.saving.load_model instead.")


class JaxLayer(_ForeignLayer):
    """keras.layers.JaxLayer(call_fn, init_fn=None, params=None, ...)."""

    framework = "JAX"
    advice = ("Write the computation as a Layer with seqcore.ops (keras.ops), "
              "which seqcore differentiates.")


class FlaxLayer(_ForeignLayer):
    """keras.layers.FlaxLayer(module, method=None, variables=None, ...)."""

    framework = "a Flax module's JAX"
    advice = JaxLayer.advice


class TorchModuleWrapper(_ForeignLayer):
    """keras.layers.TorchModuleWrapper(module, name=None, ...)."""

    framework = "PyTorch"
    advice = JaxLayer.advice
