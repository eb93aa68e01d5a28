"""Keras's layers that run TensorFlow, JAX, Flax or PyTorch code exist
under their names and refuse at construction with a clear message."""
import pytest

from seqcore import layers


@pytest.mark.parametrize("name, framework", [
    ("TFSMLayer", "TensorFlow SavedModel"), ("JaxLayer", "JAX"),
    ("FlaxLayer", "Flax"), ("TorchModuleWrapper", "PyTorch")])
def test_refused_at_construction(name, framework):
    cls = getattr(layers, name)
    assert issubclass(cls, layers.Layer)
    with pytest.raises(NotImplementedError, match=framework):
        cls("anything", name="x")
