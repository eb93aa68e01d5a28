"""Activation functions (keras.activations) on numpy arrays.

float32 inputs with default parameters run on the C kernels; anything else
(float64 for gradient checks, non-default parameters) on numpy.
"""
import functools
import inspect
import math

import numpy as np

from seqcore import _kernels

_GELU_TANH_C = np.sqrt(2.0 / np.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _array(x):
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float32)


def _kernel(x, name):
    """name(x) on the C kernel when x is float32, else None."""
    if x.dtype == np.float32:
        # the kernel sees a 0-d array as one element: keep its shape
        return _kernels.activation(x, name).reshape(x.shape)
    return None


_erfc_scalar = np.frompyfunc(math.erfc, 1, 1)


def _erfc(x):
    """erfc to double precision (numpy has none); elementwise Python, which
    only the float64 paths (gradient checks) use."""
    return _erfc_scalar(x).astype(x.dtype)


def linear(x):
    return np.asarray(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    x = _array(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        out = _kernel(x, "relu")
        if out is not None:
            return out
    y = np.where(x >= threshold, x, negative_slope * (x - threshold))
    if max_value is not None:
        y = np.minimum(y, max_value)
    return y.astype(x.dtype, copy=False)


def leaky_relu(x, negative_slope=0.2):
    x = _array(x)
    if negative_slope == 0.2:
        out = _kernel(x, "leaky_relu")
        if out is not None:
            return out
    return np.where(x > 0, x, negative_slope * x).astype(x.dtype, copy=False)


def relu6(x):
    x = _array(x)
    out = _kernel(x, "relu6")
    return out if out is not None else np.clip(x, 0.0, 6.0)


def sigmoid(x):
    x = _array(x)
    out = _kernel(x, "sigmoid")
    if out is not None:
        return out
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))),
                    np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


def tanh(x):
    x = _array(x)
    out = _kernel(x, "tanh")
    return out if out is not None else np.tanh(x)


def elu(x, alpha=1.0):
    x = _array(x)
    if alpha == 1.0:
        out = _kernel(x, "elu")
        if out is not None:
            return out
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(
        x.dtype, copy=False)


def selu(x):
    x = _array(x)
    out = _kernel(x, "selu")
    if out is not None:
        return out
    return _SELU_SCALE * np.where(x > 0, x,
                                  _SELU_ALPHA * np.expm1(np.minimum(x, 0)))


def softplus(x):
    x = _array(x)
    out = _kernel(x, "softplus")
    if out is not None:
        return out
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def softsign(x):
    x = _array(x)
    out = _kernel(x, "softsign")
    return out if out is not None else x / (1.0 + np.abs(x))


def silu(x):
    x = _array(x)
    out = _kernel(x, "swish")
    return out if out is not None else x * sigmoid(x)


swish = silu


def gelu(x, approximate=False):
    x = _array(x)
    out = _kernel(x, "gelu_tanh" if approximate else "gelu")
    if out is not None:
        return out
    if approximate:
        return 0.5 * x * (1.0 + np.tanh(_GELU_TANH_C * (x + 0.044715 * x ** 3)))
    return 0.5 * x * _erfc(-x / np.sqrt(2.0))


def hard_sigmoid(x):
    x = _array(x)
    out = _kernel(x, "hard_sigmoid")
    return out if out is not None else np.clip(x + 3.0, 0.0, 6.0) / 6.0


def hard_silu(x):
    x = _array(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def exponential(x):
    x = _array(x)
    out = _kernel(x, "exponential")
    return out if out is not None else np.exp(x)


def mish(x):
    x = _array(x)
    return x * np.tanh(softplus(x))


def softmax(x, axis=-1):
    x = _array(x)
    if x.ndim == 0:
        raise ValueError("softmax: expected an array of rank >= 1, received "
                         "a scalar")
    if x.dtype == np.float32 and axis in (-1, x.ndim - 1):
        return _kernels.softmax(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    x = _array(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _nn():
    # seqcore.ops.nn imports this module: resolve it at call time
    from seqcore.ops import nn
    return nn


def _in(x):
    """x for a composed op: a value being differentiated as it is, else a
    float array."""
    return x if type(x).__name__ == "Traced" else _array(x)


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    return _nn().celu(_in(x), alpha=alpha)


def glu(x, axis=-1):
    """a * sigmoid(b), a and b the halves of x along `axis` (even size)."""
    return _nn().glu(_in(x), axis=axis)


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return _nn().hard_shrink(_in(x), threshold=threshold)


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    return _nn().hard_tanh(_in(x))


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    return _nn().log_sigmoid(_in(x))


def soft_shrink(x, threshold=0.5):
    """x - threshold above threshold, x + threshold below -threshold,
    else 0."""
    return _nn().soft_shrink(_in(x), threshold=threshold)


def sparse_plus(x):
    """0 for x <= -1, (x + 1)**2 / 4 on (-1, 1), x for x >= 1."""
    return _nn().sparse_plus(_in(x))


def sparse_sigmoid(x):
    """0 for x <= -1, (x + 1) / 2 on (-1, 1), 1 for x >= 1."""
    return _nn().sparse_sigmoid(_in(x))


def sparsemax(x, axis=-1):
    """The Euclidean projection of x onto the probability simplex along
    `axis` (see docs/ops.md on Keras 3.15's JAX backend)."""
    return _nn().sparsemax(_in(x), axis=axis)


def squareplus(x, b=4):
    """(x + sqrt(x**2 + b)) / 2."""
    return _nn().squareplus(_in(x), b=b)


def tanh_shrink(x):
    """x - tanh(x)."""
    return _nn().tanh_shrink(_in(x))


def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value."""
    return _nn().threshold(_in(x), threshold, default_value)


# Activations composed of recorded keras.ops (seqcore/ops/nn_extra.py):
# they differentiate on the tape as they are, and a layer using one runs
# its backward through the tape (layers/core.py traced_activation_backward).
_COMPOSED = (celu, glu, hard_shrink, hard_tanh, log_sigmoid, soft_shrink,
             sparse_plus, sparse_sigmoid, sparsemax, squareplus,
             tanh_shrink, threshold)


_SELU_AS = _SELU_ALPHA * _SELU_SCALE


def _differentiable_on_tape(fn):
    """fn, which on a value being differentiated (a Traced value inside a
    custom layer's training call) runs the keras.ops version with the
    same arguments, so `keras.activations.relu(x)` in a custom layer
    trains."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def activation(x, *args, **kwargs):
        if type(x).__name__ == "Traced":
            from seqcore.ops import nn
            bound = signature.bind(x, *args, **kwargs)
            bound.apply_defaults()
            return getattr(nn, fn.__name__)(*bound.args, **bound.kwargs)
        return fn(x, *args, **kwargs)
    return activation


for _name in ("relu", "leaky_relu", "relu6", "sigmoid", "tanh", "elu",
              "selu", "softplus", "softsign", "silu", "gelu",
              "hard_sigmoid", "hard_silu", "exponential", "mish", "softmax",
              "log_softmax"):
    globals()[_name] = _differentiable_on_tape(globals()[_name])
swish, hard_swish = silu, hard_silu


def _derivatives():
    """name -> f(x, y): d act / dx in float64, from x and y = act(x)."""
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))  # noqa: E731
    c, k = _GELU_TANH_C, 0.044715

    def gelu_tanh(x, y):
        t = np.tanh(c * (x + k * x ** 3))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x)

    return {
        "relu": lambda x, y: (x > 0).astype(x.dtype),
        "sigmoid": lambda x, y: y * (1 - y),
        "tanh": lambda x, y: 1 - y * y,
        "elu": lambda x, y: np.where(x > 0, 1.0, y + 1.0),
        "selu": lambda x, y: np.where(x > 0, _SELU_SCALE, y + _SELU_AS),
        "softplus": lambda x, y: sig(x),
        "softsign": lambda x, y: 1.0 / np.square(1.0 + np.abs(x)),
        "gelu": lambda x, y: 0.5 * _erfc(-x / np.sqrt(2.0)) +
        x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi),
        "gelu_tanh": gelu_tanh,
        "swish": lambda x, y: sig(x) * (1 + x * (1 - sig(x))),
        "leaky_relu": lambda x, y: np.where(x > 0, 1.0, 0.2),
        "hard_sigmoid": lambda x, y: ((x > -3) & (x < 3)) / 6.0,
        "exponential": lambda x, y: y,
        "relu6": lambda x, y: ((x > 0) & (x < 6)).astype(x.dtype),
    }


_DERIVATIVES = _derivatives()


def backward(name, x, y, dy):
    """dx = dy * name'(x), given x and y = name(x), for the activations the
    kernels implement (by kernel name, as in KERNEL_NAMES): the C kernel for
    float32 arrays, numpy (for gradient checks) otherwise."""
    x, y, dy = np.asarray(x), np.asarray(y), np.asarray(dy)
    if name in (None, "linear", "none"):
        return dy
    if x.dtype == y.dtype == dy.dtype == np.float32:
        return _kernels.activation_backward(x, y, dy, name)
    if name not in _DERIVATIVES:
        raise ValueError(f"activations.backward: unknown activation {name!r}")
    return dy * _DERIVATIVES[name](x, y)


_ALL = {fn.__name__: fn for fn in (
    linear, relu, leaky_relu, relu6, sigmoid, tanh, elu, selu, softplus,
    softsign, silu, gelu, hard_sigmoid, hard_silu, exponential, mish, softmax,
    log_softmax) + _COMPOSED}
_ALL.update({"swish": silu, "hard_swish": hard_silu})

# The activations the GEMM epilogue can fuse, by function.
KERNEL_NAMES = {relu: "relu", sigmoid: "sigmoid", tanh: "tanh", elu: "elu",
                selu: "selu", softplus: "softplus", softsign: "softsign",
                silu: "swish", gelu: "gelu", leaky_relu: "leaky_relu",
                hard_sigmoid: "hard_sigmoid", exponential: "exponential",
                relu6: "relu6", linear: None}


def get(identifier):
    """An activation function from a name, a function, or None (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier in _ALL:
            return _ALL[identifier]
        custom = _custom(identifier)
        if custom is not None:
            return custom
        raise ValueError(f"Could not interpret activation function "
                         f"identifier: {identifier!r}; known names: "
                         f"{sorted(_ALL)}")
    if isinstance(identifier, dict) and "class_name" in identifier:
        return get(identifier.get("config", identifier["class_name"]))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: "
                     f"{identifier!r}")


def _custom(name):
    """A user's activation function saved under `name` (its registered
    name `package>name`, or its plain name), from the custom objects
    (passed to load_model, in an open custom_object_scope, or registered
    with register_keras_serializable), else None."""
    from seqcore.saving import object_registration as registration
    objects = registration.all_custom_objects()
    found = registration.find((name,), objects)
    if found is None and ">" not in name:
        for table in (objects, registration.get_custom_objects()):
            for key, value in table.items():
                if key.endswith(">" + name):
                    return value
    return found


def serialize(activation):
    """What Keras saves for an activation: a built-in's name, or for a
    user's function Keras's function entry (its registered name)."""
    name = getattr(activation, "__name__", None)
    if name and _ALL.get(name) is activation:
        return name
    if name and callable(activation):
        from seqcore.saving import object_registration as registration
        return {"module": "builtins", "class_name": "function",
                "config": registration.get_registered_name(activation),
                "registered_name": "function"}
    if name:
        return name
    raise ValueError(f"Cannot serialize activation {activation!r}")


def deserialize(config, custom_objects=None):
    """The activation function a config names: a built-in's name, a user
    function's (registered) name looked up in `custom_objects` and the
    registered custom objects, or Keras's function entry (a dict whose
    `config` is that name).

    Args:
        config: a string or a dict, as `serialize` writes.
        custom_objects: optional dict name -> function.
    Raises:
        ValueError: for a name that names no activation (Keras 3.15
            returns the string itself; seqcore says so instead).
    """
    if isinstance(config, dict):
        name = config.get("config", config.get("class_name"))
        if not isinstance(name, str):
            raise ValueError(f"activations.deserialize: expected a function "
                             f"entry naming an activation, received "
                             f"{config!r}")
        config = name
    if not isinstance(config, str):
        raise ValueError(f"activations.deserialize: expected a name or a "
                         f"dict, received {config!r}")
    if custom_objects and config in custom_objects:
        return custom_objects[config]
    return get(config)
