"""The model engine: layers, symbolic tensors, Sequential and functional
models, naming and summaries."""
