"""keras.models: the model classes, loading and saving, cloning."""
from seqcore.engine.functional import Functional
from seqcore.engine.model import Model
from seqcore.engine.sequential import Sequential
from seqcore.saving.cloning import clone_model
from seqcore.saving.files import load_model, model_from_json, save_model

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model",
           "model_from_json", "save_model"]
