"""keras.models: the model classes."""
from seqcore.engine.functional import Functional
from seqcore.engine.model import Model
from seqcore.engine.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential"]
