"""keras.utils.pack_x_y_sample_weight / unpack_x_y_sample_weight: the
`(x, y, sample_weight)` tuples `fit` takes, as a custom train_step sees
them."""


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from `x`, `(x,)`, `(x, y)` or
    `(x, y, sample_weight)` (a list counts as a tuple), None where absent.

    Raises:
        ValueError: a tuple of more than 3 elements.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) <= 3:
        return tuple(data) + (None,) * (3 - len(data))
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, "
                     f"`(x, y)`, or `(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The tuple `fit` takes: `x` alone when there is no `y` (`(x,)` if `x`
    is itself a list or tuple), else `(x, y)` or `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)
