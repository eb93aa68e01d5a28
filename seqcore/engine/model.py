"""Model: a layer made of layers. `Model(inputs, outputs)` builds a
functional model (see functional.py); Sequential is in sequential.py."""
from seqcore.engine.array_cache import uses_array_cache
from seqcore.engine.layer import Layer
from seqcore.engine.trainer import Trainer


class Model(Trainer, Layer):
    _is_model = True

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or
                             "outputs" in kwargs):
            from seqcore.engine.functional import Functional
            return Layer.__new__(Functional)
        return Layer.__new__(cls, *args, **kwargs)

    def __init__(self, *args, trainable=True, name=None, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            # `class MyModel(keras.Model)` built as MyModel(inputs,
            # outputs): as Keras, the subclass becomes a functional model
            # (its bases get Functional in place of Model).
            from seqcore.engine.functional import Functional
            if not isinstance(self, Functional):
                _inject_functional(type(self))
                Functional.__init__(self, *args, trainable=trainable,
                                    name=name, **kwargs)
                return
        if args:
            raise TypeError(f"Model() takes inputs and outputs for a "
                            f"functional model; received {len(args)} "
                            f"positional arguments")
        super().__init__(trainable=trainable, name=name, **kwargs)

    @uses_array_cache
    def __call__(self, inputs, *args, **kwargs):
        return Layer.__call__(self, inputs, *args, **kwargs)

    def build(self, input_shape=None):
        """A subclassed model builds its layers by running `call` once on
        zeros of `input_shape` (None dimensions taken as 1), as Keras
        builds it symbolically."""
        self.built = True
        if input_shape is None or not self._uses_tape():
            return
        import numpy as np

        def zeros(shape):
            return np.zeros(tuple(1 if d is None else d for d in shape),
                            np.float32)
        nested = isinstance(input_shape, (list, tuple)) and input_shape and \
            isinstance(input_shape[0], (list, tuple))
        self(zeros(input_shape) if not nested else
             [zeros(s) for s in input_shape])
        self._clear_losses()

    # ---- saving (seqcore/saving/files.py) -------------------------------

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Write Keras 3's `.keras` file: config, weights, optimizer state
        (or, for a `.h5` name, the legacy HDF5 file; `include_optimizer`
        applies to it)."""
        from seqcore.distribution.state import is_chief
        from seqcore.saving.files import save_model
        include_optimizer = kwargs.pop("include_optimizer", True)
        if kwargs:
            raise ValueError(f"The following argument(s) are not supported: "
                             f"{list(kwargs)}")
        if is_chief():      # under distribution rank 0 writes
            save_model(self, filepath, overwrite=overwrite,
                       include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Write Keras 3's `.weights.h5` file (with the optimizer state)."""
        from seqcore.distribution.state import is_chief
        from seqcore.saving.files import save_weights
        if is_chief():      # under distribution rank 0 writes
            save_weights(self, filepath, overwrite=overwrite)

    def export(self, filepath, format="tf_saved_model", verbose=None,
               input_signature=None, **kwargs):
        """Keras's export to SavedModel/ONNX/...: not possible without
        TensorFlow; raises NotImplementedError naming the alternative
        (seqcore/export)."""
        from seqcore.export import export_model
        export_model(self, filepath, format, verbose, input_signature,
                     **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Read a `.weights.h5`, `.keras` or Keras 2 `.h5` file's weights;
        every weight is checked before any is assigned."""
        from seqcore.saving.files import load_weights
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        """The model's config as a JSON string (`models.model_from_json`)."""
        import json
        from seqcore.saving.files import _json_default
        from seqcore.saving.serialization import serialize_keras_object
        return json.dumps(serialize_keras_object(self),
                          default=_json_default, **kwargs)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A functional model from a functional config (layers, inputs,
        outputs), else `cls(**config)` for a subclassed model (Keras's
        `Model.from_config`)."""
        from seqcore.saving.serialization import functional_from_config
        functional_keys = ("name", "layers", "input_layers", "output_layers")
        if all(k in config for k in functional_keys) and \
                (cls is Model or cls.__name__ == "Functional"):
            return functional_from_config(config, custom_objects)
        try:
            return cls(**config)
        except TypeError as exc:
            raise TypeError(f"Unable to revive model from config. When "
                            f"overriding the `get_config()` method, make "
                            f"sure that the returned config contains all "
                            f"items used as arguments in the constructor to "
                            f"{cls}, which is the default behavior. You can "
                            f"override this default behavior by defining a "
                            f"`from_config(cls, config)` class method to "
                            f"specify how to create an instance of "
                            f"{cls.__name__} from its config.\n\nReceived "
                            f"config={config}\n\nError encountered during "
                            f"deserialization: {exc}") from None

    def _convert_input(self, inputs):
        # Each layer converts its own input: an Embedding wants integers.
        import numpy as np
        if isinstance(inputs, (list, tuple)):
            return [self._convert_input(x) for x in inputs]
        if isinstance(inputs, dict):
            return {k: self._convert_input(v) for k, v in inputs.items()}
        return inputs if isinstance(inputs, np.ndarray) else np.asarray(inputs)

    @property
    def layers(self):
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or the one at position `index`."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. "
                             f"Received: index={index}, name={name}.")
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model "
                    f"only has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in layers]}.")
        raise ValueError("Provide either a layer name or layer index at "
                         "`get_layer`.")

    def _require_built(self, what):
        if not self.built:
            raise ValueError(
                f"This model has not yet been built, so it has no {what}. "
                f"Build the model first by calling it on a batch of data "
                f"(`model(x)`), by calling `model.build(input_shape)`, or by "
                f"starting it with `keras.Input(shape=...)` (or passing "
                f"`input_shape` to its first layer).")

    @property
    def weights(self):
        self._require_built("weights")
        return super().weights

    def count_params(self):
        self._require_built("parameters to count")
        return super().count_params()

    def summary(self, line_length=None, positions=None, print_fn=None,
                expand_nested=False, show_trainable=False, layer_range=None):
        """Print the layer table, parameter counts and their sizes."""
        from seqcore.engine.summary import print_summary
        self._require_built("summary")
        print_summary(self, line_length=line_length, positions=positions,
                      print_fn=print_fn, expand_nested=expand_nested,
                      show_trainable=show_trainable, layer_range=layer_range)


def _inject_functional(cls):
    """Replace Model by Functional among the bases of `cls` (and of its
    bases, up to Model), as Keras 3 does for a subclass of Model given
    functional inputs and outputs."""
    from seqcore.engine.functional import Functional
    if cls is Model:
        return Functional
    if cls is object or not issubclass(cls, Model):
        return cls
    cls.__bases__ = tuple(_inject_functional(base) for base in cls.__bases__)
    return cls
