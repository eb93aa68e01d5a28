"""Hyper-parameter checks shared by layer constructors; errors quote the
layer and the bad value."""
import numbers


def positive_int(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive integer, "
                         f"received {name}={value!r}")
    return int(value)


def int_tuple(layer, name, value, n, allow_zero=False):
    """An int or a sequence of n ints, as an n-tuple of positive ints."""
    values = (value,) * n if isinstance(value, numbers.Integral) else value
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    low = 0 if allow_zero else 1
    if len(values) != n or any(isinstance(v, bool) or
                               not isinstance(v, numbers.Integral) or v < low
                               for v in values):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{layer}: {name} must be a {kind} integer or a "
                         f"tuple of {n} of them, received {name}={value!r}")
    return tuple(int(v) for v in values)


def one_of(layer, name, value, choices):
    normalized = value.lower() if isinstance(value, str) else value
    if normalized not in choices:
        raise ValueError(f"{layer}: {name} must be one of {list(choices)}, "
                         f"received {name}={value!r}")
    return normalized


def rate(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not 0 <= value <= 1:
        raise ValueError(f"{layer}: {name} must be a float between 0 and 1, "
                         f"received {name}={value!r}")
    return float(value)


def clipped_rate(layer, name, value):
    """A recurrent layer's dropout rate, clipped into [0, 1] as Keras does
    (a rate of 1 then means no dropout, as in Keras)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{layer}: {name} must be a float between 0 and 1, "
                        f"received {name}={value!r}")
    return min(1.0, max(0.0, float(value)))


def activation(layer, name, value):
    """activations.get(value), with the layer named in the error."""
    from seqcore import activations
    try:
        return activations.get(value)
    except ValueError as exc:
        raise ValueError(f"{layer}: invalid {name}={value!r}. {exc}") from None


def weight_options(layer, kinds, use_bias, options):
    """Set `use_bias` and, for each kind of weight ('kernel', 'recurrent',
    'bias'), its `<kind>_initializer`, `<kind>_regularizer` and
    `<kind>_constraint` from `options` (the constructor's arguments)."""
    from seqcore import constraints, initializers, regularizers
    layer.use_bias = bool(use_bias)
    for kind in kinds:
        setattr(layer, f"{kind}_initializer",
                initializers.get(options[f"{kind}_initializer"]))
        setattr(layer, f"{kind}_regularizer",
                regularizers.get(options[f"{kind}_regularizer"]))
        setattr(layer, f"{kind}_constraint",
                constraints.get(options[f"{kind}_constraint"]))


def weight_options_config(layer, kinds):
    """The config entries weight_options() set: use_bias and each kind's
    serialized initializer, regularizer and constraint."""
    from seqcore import constraints, initializers, regularizers
    config = {"use_bias": layer.use_bias}
    for kind in kinds:
        config[f"{kind}_initializer"] = initializers.serialize(
            getattr(layer, f"{kind}_initializer"))
        config[f"{kind}_regularizer"] = regularizers.serialize(
            getattr(layer, f"{kind}_regularizer"))
        config[f"{kind}_constraint"] = constraints.serialize(
            getattr(layer, f"{kind}_constraint"))
    return config
