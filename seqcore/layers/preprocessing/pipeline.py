"""keras.layers.Pipeline: a plain layer applying a list of layers in order
(typically an augmentation pipeline), passing `training` on to those whose
call takes it."""
import inspect

from seqcore.engine.layer import Layer
from seqcore.engine.naming import to_snake_case
from seqcore.saving.serialization import (deserialize_keras_object,
                                          register_builtin,
                                          serialize_keras_object)


def _takes_training(layer):
    try:
        return "training" in inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False


@register_builtin
class Pipeline(Layer):
    """Applies `layers` in order: the output of one is the input of the
    next (an image batch, or a dict {"images", "labels", ...} for the
    image preprocessing layers that take one). Unlike Sequential it is a
    plain layer, not a model.

    Args:
        layers: a list of layers.
        name: the layer's name.
    """

    def __init__(self, layers, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(layers, (list, tuple)) or \
                not all(isinstance(v, Layer) for v in layers):
            raise ValueError(f"Pipeline: `layers` must be a list of layers, "
                             f"received layers={layers!r}")
        self._pipeline_layers = list(layers)
        for layer in self._pipeline_layers:
            self._track(layer)

    @property
    def layers(self):
        return self._pipeline_layers

    def _convert_input(self, inputs):
        if isinstance(inputs, dict):
            return dict(inputs)
        return super()._convert_input(inputs)

    def call(self, inputs, training=True):
        out = inputs
        for layer in self._pipeline_layers:
            if training is not None and _takes_training(layer):
                out = layer(out, training=training)
            else:
                out = layer(out)
        return out

    def build(self, input_shape):
        """Builds each layer on the shape its predecessor gives."""
        shape = input_shape
        if isinstance(shape, (tuple, list)) and \
                all(d is None or isinstance(d, int) for d in shape):
            for layer in self._pipeline_layers:
                layer._maybe_build(tuple(shape))
                shape = layer.compute_output_shape(tuple(shape))
        super().build(input_shape)

    def _saved_children(self):
        """The layers under `layers/<class in snake case>[_k]`, as Keras's
        .keras files keep a Pipeline's weights."""
        used, out = {}, []
        for layer in self._pipeline_layers:
            base = to_snake_case(type(layer).__name__)
            count = used.get(base, 0)
            used[base] = count + 1
            out.append((f"layers/{base}" if count == 0 else
                        f"layers/{base}_{count}", layer))
        return out

    def backward(self, dy):
        for layer in reversed(self._pipeline_layers):
            dy = layer.backward(dy)
        return dy

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._pipeline_layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def _inference_fn(self, input_shape):
        fns, shape = [], input_shape
        for layer in self._pipeline_layers:
            fn = layer._inference_fn(shape)
            if fn is None:
                return None
            fns.append(fn)
            shape = layer.compute_output_shape(shape)

        def run(x):
            for fn in fns:
                x = fn(x)
            return x
        return run

    def get_config(self):
        return {"layers": [serialize_keras_object(layer)
                           for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(
                f"`Pipeline` config must contain a `layers` key mapping to a "
                f"list of serialized layers. Received config with "
                f"layers={layers}.")
        config = dict(config)
        config["layers"] = [deserialize_keras_object(v, custom_objects)
                            for v in layers]
        return cls(**config)
