"""Lambda: a layer around a function written with seqcore.ops.

In training the function is differentiated by the tape (engine/tape.py),
so a Lambda trains like any layer. Saving keeps the function's name; a
Python `lambda` cannot be saved and loaded, since seqcore never executes
code read from a file: load such models with the function in
`custom_objects` (by name), or write the Lambda as a custom layer.
"""
import inspect

from seqcore.engine.layer import Layer
from seqcore.saving.serialization import register_builtin


@register_builtin
class Lambda(Layer):
    """`Lambda(function, output_shape=None, mask=None, arguments=None)`.

    Args:
        function: called as `function(inputs, **arguments)` (plus `mask=`
            and `training=` when it takes them).
        output_shape: the output shape without the batch axis, or a
            function of the input shape; inferred by running the function
            when None.
        mask: the output mask, or a function `(inputs, mask) -> mask`.
        arguments: keyword arguments for `function`.
    """

    _differentiated_by_tape = True

    def __init__(self, function, output_shape=None, mask=None,
                 arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: `function` must be callable, "
                             f"received {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            names = inspect.getfullargspec(function).args
        except TypeError:
            names = []
        self._fn_expects_training_arg = "training" in names
        self._fn_expects_mask_arg = "mask" in names

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError(
                "We could not automatically infer the shape of the Lambda's "
                "output. Please specify the `output_shape` argument for this "
                "Lambda layer.")
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0] if isinstance(input_shape, list) \
            else input_shape
        return (first[0],) + tuple(self._output_shape)

    def _runs_for_shape(self):
        return self._output_shape is None

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        config = super().get_config()
        config["function"] = _function_config(self.function)
        if self._output_shape is not None:
            config["output_shape"] = _function_config(self._output_shape) \
                if callable(self._output_shape) else \
                list(self._output_shape)
        if self.mask is not None and not callable(self.mask):
            config["mask"] = self.mask
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Rebuild a Lambda: a named function is looked up (custom
        objects, registered objects, Keras's function namespaces); a Python
        lambda's code is loaded only when safe mode is off (`safe_mode=
        False` here or in the enclosing `load_model`, or
        `keras.config.enable_unsafe_deserialization()`)."""
        from seqcore.saving.object_registration import in_safe_mode
        if safe_mode is None:
            safe_mode = in_safe_mode()
        safe = safe_mode is not False
        config = dict(config)
        if not isinstance(config.get("function"), dict):
            raise ValueError(
                f"Lambda layers cannot be loaded without their function: "
                f"the config has no 'function' entry (received keys "
                f"{sorted(config)})")
        config["function"] = _function_from_config(
            config["function"], custom_objects, safe)
        shape = config.get("output_shape")
        if isinstance(shape, dict):
            config["output_shape"] = _function_from_config(
                shape, custom_objects, safe)
        elif isinstance(shape, list):
            config["output_shape"] = tuple(shape)
        return cls(**config)


def _function_config(fn):
    """How Keras 3 writes a function in a config: a named function by its
    (registered) name, a Python `lambda` as its marshalled code."""
    from seqcore.saving.python_functions import dump_function, is_lambda
    from seqcore.saving.serialization import serialize_keras_object
    if is_lambda(fn):
        code, defaults, closure = dump_function(fn)
        return {"class_name": "__lambda__", "config": {
            "code": code, "defaults": defaults, "closure": closure}}
    return serialize_keras_object(fn)


def _function_from_config(config, custom_objects, safe):
    from seqcore.saving import object_registration as registration
    from seqcore.saving.python_functions import (UNSAFE_LAMBDA_MESSAGE,
                                                 load_function)
    from seqcore.saving.serialization import _lookup_function
    if config.get("class_name") == "__lambda__":
        if safe:
            raise ValueError(UNSAFE_LAMBDA_MESSAGE.format(
                what=" as the `function` of a `Lambda` layer"))
        inner = config.get("config") or {}
        return load_function(inner.get("code"), inner.get("defaults"),
                             inner.get("closure"))
    name = config.get("config")
    objects = registration.all_custom_objects(custom_objects)
    if isinstance(name, str) and ">" in name and \
            registration.find((name,), objects) is None:
        short = registration.find((name.split(">")[-1],), objects)
        if short is not None:
            return short
    try:
        return _lookup_function(name, config.get("module"), objects, config)
    except TypeError:
        raise ValueError(
            f"Lambda: the function {name!r} is not in `custom_objects` and "
            f"not registered with `register_keras_serializable`.") from None
