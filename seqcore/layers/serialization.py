"""keras.layers.serialize / deserialize: a layer to and from its config
dict (Keras 3's `{"module", "class_name", "config", "registered_name"}`
form), through seqcore.saving's serializer."""


def serialize(layer):
    """The config dict of `layer` (what `.keras` files hold for it).

    Args:
        layer: a Layer instance.
    """
    from seqcore.saving.serialization import serialize_keras_object
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer a config dict describes.

    Args:
        config: a dict from `serialize` (or a `.keras` file).
        custom_objects: {name: class or function} for custom layers.

    Raises:
        ValueError: the config does not describe a layer.
    """
    from seqcore.engine.layer import Layer
    from seqcore.saving.serialization import deserialize_keras_object
    obj = deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(obj, Layer):
        raise ValueError(f"Could not deserialize layer config: {config!r} "
                         f"(it describes a {type(obj).__name__}, not a "
                         f"layer)")
    return obj
