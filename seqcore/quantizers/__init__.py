"""keras.quantizers: the quantization functions and the Quantizer classes
on numpy arrays. Left out: the QuantizationConfig family, GPTQConfig and
AWQConfig, which configure `Model.quantize` (seqcore has no quantized
layers)."""
import inspect

from seqcore.quantizers.functions import (
    abs_max_quantize, abs_max_quantize_grouped_with_zero_point,
    compute_float8_amax_history, compute_float8_scale,
    fake_quant_with_min_max_vars, pack_int4, quantize_and_dequantize,
    unpack_int4)
from seqcore.quantizers.quantizer_classes import AbsMaxQuantizer, Quantizer


def _objects():
    from seqcore.engine.naming import to_snake_case
    found = {cls.__name__: cls for cls in (Quantizer, AbsMaxQuantizer)}
    found.update({to_snake_case(name): cls
                  for name, cls in list(found.items())})
    return found


def serialize(initializer):
    """Keras's serialized form of a quantizer."""
    from seqcore.saving.serialization import serialize_keras_object
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The quantizer of a config (from `serialize`)."""
    from seqcore.saving.object_registration import all_custom_objects
    objects = dict(_objects())
    objects.update(all_custom_objects(custom_objects))
    name = config.get("class_name") if isinstance(config, dict) else None
    cls = objects.get(name)
    if cls is None:
        raise ValueError(f"Unknown quantizer: {name!r}. Known quantizers: "
                         f"{sorted(_objects())}")
    return cls.from_config(config.get("config", {}))


def get(identifier, **kwargs):
    """A quantizer from a config dict, a name ('abs_max_quantizer') or an
    instance; None gives None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _objects().get(identifier)
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj(**kwargs)
        return obj
    raise ValueError(f"Could not interpret quantizer identifier: "
                     f"{identifier}")


__all__ = ["AbsMaxQuantizer", "Quantizer", "abs_max_quantize",
           "abs_max_quantize_grouped_with_zero_point",
           "compute_float8_amax_history", "compute_float8_scale",
           "deserialize", "fake_quant_with_min_max_vars", "get", "pack_int4",
           "quantize_and_dequantize", "serialize", "unpack_int4"]
