"""Lambda: a layer around a function written with seqcore.ops.

In training the function is differentiated by the tape (engine/tape.py),
so a Lambda trains like any layer. Saving keeps the function's name; a
Python `lambda` cannot be saved and loaded, since seqcore never executes
code read from a file: load such models with the function in
`custom_objects` (by name), or write the Lambda as a custom layer.
"""
import inspect
import types

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
    def from_config(cls, config, custom_objects=None):
        from seqcore.saving.serialization import _CUSTOM_OBJECTS
        config = dict(config)
        if not isinstance(config.get("function"), dict):
            raise ValueError(
                f"Lambda layers cannot be loaded without their function: "
                f"the config has no 'function' entry (received keys "
                f"{sorted(config)})")
        config["function"] = _function_from_config(
            config["function"], custom_objects or {}, _CUSTOM_OBJECTS)
        shape = config.get("output_shape")
        if isinstance(shape, dict):
            config["output_shape"] = _function_from_config(
                shape, custom_objects or {}, _CUSTOM_OBJECTS)
        elif isinstance(shape, list):
            config["output_shape"] = tuple(shape)
        return cls(**config)


def _function_config(fn):
    """How Keras 3 writes a function in a config: by name (a `lambda` is
    written as Keras's `__lambda__` entry without its bytecode, which
    seqcore cannot load back)."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        return {"class_name": "__lambda__", "config": {
            "code": None, "defaults": None, "closure": None}}
    name = getattr(fn, "_registered_name", None) or fn.__name__
    return {"module": "builtins", "class_name": "function",
            "config": name, "registered_name": "function"}


def _function_from_config(config, custom_objects, registered):
    if config.get("class_name") == "__lambda__":
        raise ValueError(
            "This Lambda layer wraps a Python lambda, whose code would have "
            "to be executed from the file: seqcore never does that. Pass "
            "the function by name in `custom_objects`, or rewrite the Lambda "
            "as a registered custom layer.")
    name = config.get("config")
    for table in (custom_objects, registered):
        if name in table:
            return table[name]
        short = name.split(">")[-1] if isinstance(name, str) else name
        if short in table:
            return table[short]
    raise ValueError(
        f"Lambda: the function {name!r} is not in `custom_objects` and not "
        f"registered with `register_keras_serializable`; seqcore cannot "
        f"load a function's code from a file.")
