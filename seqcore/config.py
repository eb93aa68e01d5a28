"""keras.config: the process-wide settings (float type, epsilon, image data
format, logging and traceback switches, the debugging caps on epochs and
steps).

seqcore computes in float32 only: `set_floatx` accepts "float32" and refuses
anything else with a clear error rather than silently computing in another
precision.
"""
import os

_SETTINGS = {
    "floatx": "float32",
    "epsilon": 1e-7,
    "image_data_format": "channels_last",
    "interactive_logging": True,
    "traceback_filtering": True,
    "unsafe_deserialization": False,
}
_IMAGE_DATA_FORMATS = ("channels_last", "channels_first")
# Debugging caps on fit's epochs and on the steps of any epoch, as Keras
# reads them from the environment at import.
_SETTINGS["max_epochs"] = int(os.environ["KERAS_MAX_EPOCHS"]) \
    if "KERAS_MAX_EPOCHS" in os.environ else None
_SETTINGS["max_steps_per_epoch"] = int(os.environ[
    "KERAS_MAX_STEPS_PER_EPOCH"]) \
    if "KERAS_MAX_STEPS_PER_EPOCH" in os.environ else None


def floatx():
    """The default float type, as a string: always "float32" in seqcore."""
    return _SETTINGS["floatx"]


def set_floatx(value):
    """Set the default float type. Only "float32" is supported.

    Args:
        value: the dtype name.

    Raises:
        ValueError: for any other name (Keras accepts float16/bfloat16/float64;
            seqcore's kernels are float32).
    """
    name = str(value)
    if name not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one "
                         f"of {{'float16', 'bfloat16', 'float32', "
                         f"'float64'}}")
    if name != "float32":
        raise ValueError(f"seqcore computes in float32 only: set_floatx "
                         f"received {name!r}")
    _SETTINGS["floatx"] = name


def epsilon():
    """The fuzz factor added to denominators (default 1e-7)."""
    return _SETTINGS["epsilon"]


def set_epsilon(value):
    """Set the fuzz factor used by numeric expressions.

    Args:
        value: a float.
    """
    _SETTINGS["epsilon"] = float(value)


def image_data_format():
    """"channels_last" (the default) or "channels_first": what image layers
    use when their `data_format` argument is None."""
    return _SETTINGS["image_data_format"]


def set_image_data_format(data_format):
    """Set the default image data format of image layers.

    Args:
        data_format: "channels_last" or "channels_first".
    """
    name = str(data_format).lower()
    if name not in _IMAGE_DATA_FORMATS:
        raise ValueError(f"The `data_format` argument must be one of "
                         f"{{'channels_first', 'channels_last'}}. Received: "
                         f"data_format={data_format!r}")
    _SETTINGS["image_data_format"] = name


def standardize_data_format(data_format, owner=None):
    """A layer's `data_format` argument, resolved once at construction:
    None means the configured default (`image_data_format()` at that
    moment); the result is what the layer's config records.

    Args:
        data_format: None, "channels_last" or "channels_first" (any case).
        owner: the layer's class name, to prefix the error.

    Raises:
        ValueError: any other value.
    """
    if data_format is None:
        return image_data_format()
    name = str(data_format).lower()
    if name not in _IMAGE_DATA_FORMATS:
        prefix = f"{owner}: " if owner else ""
        raise ValueError(f"{prefix}The `data_format` argument must be one "
                         f"of {{'channels_first', 'channels_last'}}. "
                         f"Received: data_format={data_format!r}")
    return name


def backend():
    """The name of the backend: "seqcore" (numpy arrays, seqcore's kernels)."""
    return "seqcore"


def enable_interactive_logging():
    """Progress bars and messages go to stdout (the default)."""
    _SETTINGS["interactive_logging"] = True


def disable_interactive_logging():
    """Send progress messages to Python's logging instead of stdout."""
    _SETTINGS["interactive_logging"] = False


def is_interactive_logging_enabled():
    return _SETTINGS["interactive_logging"]


def enable_traceback_filtering():
    """Accepted for compatibility: seqcore's tracebacks are never filtered,
    so this only records the setting."""
    _SETTINGS["traceback_filtering"] = True


def disable_traceback_filtering():
    """Accepted for compatibility (see enable_traceback_filtering)."""
    _SETTINGS["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    return _SETTINGS["traceback_filtering"]


def enable_unsafe_deserialization():
    """Turn safe mode off for every load until `clear_session()`: Python
    lambdas saved in configs (Lambda layers) are then loaded, which runs
    code from the file. Only for files you trust."""
    _SETTINGS["unsafe_deserialization"] = True


def dtype_policy():
    """The global DTypePolicy (see seqcore.dtype_policies)."""
    from seqcore import dtype_policies
    return dtype_policies.dtype_policy()


def set_dtype_policy(policy):
    """Set the global dtype policy: "float32", or a mixed policy (accepted,
    run in float32 with one warning); other dtypes raise ValueError.

    Args:
        policy: a policy name or a DTypePolicy.
    """
    from seqcore import dtype_policies
    dtype_policies.set_dtype_policy(policy)


# Flash attention: seqcore's attention has one float32 implementation, so
# the switch is recorded (for programs that read it back) and changes nothing.
_SETTINGS["flash_attention"] = None


def enable_flash_attention():
    """Let attention layers choose flash attention (Keras's default, None).
    seqcore records the switch; its attention is unchanged by it."""
    _SETTINGS["flash_attention"] = None


def disable_flash_attention():
    """Record that flash attention is off (is_flash_attention_enabled() then
    returns False)."""
    _SETTINGS["flash_attention"] = False


def is_flash_attention_enabled():
    """False when disabled, else None (the layers decide), as in Keras."""
    return _SETTINGS["flash_attention"]


def is_nnx_enabled():
    """False: Flax NNX is a JAX-backend feature seqcore does not have."""
    return False


def set_backend(backend_name):
    """Keras switches backends here; seqcore is its own single backend.

    Args:
        backend_name: a Keras backend name.

    Raises:
        ValueError: an unknown name, or any backend other than seqcore's.
    """
    known = ("tensorflow", "jax", "torch", "numpy", "openvino")
    if backend_name == backend():
        return
    if backend_name not in known:
        raise ValueError(f"Available backends are ('tensorflow', 'jax', "
                         f"'torch', 'numpy' and 'openvino'). Received: "
                         f"backend={backend_name}")
    raise ValueError(f"seqcore is its own backend ({backend()!r}) and cannot "
                     f"switch to {backend_name!r}; run the program with "
                     f"Keras to use that backend")


def set_max_epochs(max_epochs):
    """Cap the epochs of every later `fit` (None: no cap); for quick
    debugging runs, like the KERAS_MAX_EPOCHS environment variable."""
    _SETTINGS["max_epochs"] = max_epochs


def max_epochs():
    """The cap on fit's epochs, or None."""
    return _SETTINGS["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap the steps of every epoch of fit, evaluate and predict (None: no
    cap), like the KERAS_MAX_STEPS_PER_EPOCH environment variable."""
    _SETTINGS["max_steps_per_epoch"] = max_steps_per_epoch


def max_steps_per_epoch():
    """The cap on the steps of an epoch, or None."""
    return _SETTINGS["max_steps_per_epoch"]
