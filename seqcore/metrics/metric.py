"""The Metric base class (keras.metrics.Metric) and the shape helpers the
metric families share.

A metric keeps its state in non-trainable `Variable`s created with
`add_variable`, in creation order (Keras's `metric.variables` order);
`update_state` adds a batch, `result` reads the state, `reset_state` zeroes
it, and calling the metric does both (`update_state` then `result`), as in
Keras 3.
"""
import numpy as np

from seqcore.engine import naming
from seqcore.engine.tape import plain
from seqcore.engine.variables import Variable
from seqcore.scopes import name_scope

EPSILON = 1e-7   # keras.backend.epsilon()


def standardize_dtype(dtype):
    """A metric's dtype name: float32 by default, Keras's "int" -> int32."""
    if dtype is None:
        return "float32"
    if isinstance(dtype, dict):   # a serialized DTypePolicy
        dtype = dtype.get("config", {}).get("name", "float32")
    name = getattr(dtype, "name", dtype)
    name = {"int": "int32", "float": "float32"}.get(str(name), str(name))
    try:
        np.dtype(name)
    except TypeError:
        raise ValueError(f"Invalid metric dtype: expected a numpy dtype name "
                         f"such as 'float32' or 'int32', received "
                         f"dtype={dtype!r}") from None
    return name


def to_array(x, dtype=None):
    """A numpy array of x (seqcore tensors and Variables included)."""
    x = np.asarray(plain(x))
    return x if dtype is None else x.astype(dtype, copy=False)


def same_rank(x1, x2, expand_rank_1=True):
    """Keras's squeeze_or_expand_to_same_rank: when the ranks differ by
    one and the larger array ends in a dimension of 1, squeeze it (or, for
    a rank-1 partner and expand_rank_1, give that one a trailing 1)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., np.newaxis]
        else:
            x1 = x1[..., 0]
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., np.newaxis]
        else:
            x2 = x2[..., 0]
    return x1, x2


def divide_no_nan(a, b):
    """a / b, 0 where b == 0 (ops.divide_no_nan)."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    out = np.zeros(a.shape, dtype=np.result_type(a, b))
    return np.divide(a, b, out=out, where=b != 0)


def check_broadcast(what, source, shape):
    """np.broadcast_to with Keras's ValueError naming both shapes."""
    try:
        return np.broadcast_to(source, shape)
    except ValueError:
        raise ValueError(f"{what}: cannot broadcast a value of shape "
                         f"{np.shape(source)} to shape {tuple(shape)}") \
            from None


def _initial_value(initializer, shape, dtype):
    if initializer is None or initializer == "zeros":
        return np.zeros(shape, dtype=dtype)
    if initializer == "ones":
        return np.ones(shape, dtype=dtype)
    if callable(initializer) and not isinstance(initializer, str):
        return np.asarray(initializer(shape, dtype=dtype), dtype=dtype)
    from seqcore import initializers
    return np.asarray(initializers.get(initializer)(shape, dtype=dtype),
                      dtype=dtype)


class Metric:
    """Base of every stateful metric.

    Args:
        dtype: the dtype of the state and of the result (float32).
        name: the metric's name (default: the class name in snake case,
            made unique like Keras's auto names).

    Subclasses create their state in `__init__` (or on the first batch)
    with `add_variable`, and define `update_state` and `result`.
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or naming.auto_name(type(self).__name__)
        self._dtype = standardize_dtype(dtype)
        self._variables = []
        self._metrics = []

    @property
    def dtype(self):
        return self._dtype

    @property
    def variables(self):
        """The state Variables, in creation order (then sub-metrics')."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    @property
    def non_trainable_variables(self):
        return self.variables

    @property
    def trainable_variables(self):
        return []

    def add_variable(self, shape, initializer="zeros", dtype=None,
                     aggregation="sum", name=None):
        """A new state Variable (never trainable), zeroed by reset_state.

        Args:
            shape: tuple of ints.
            initializer: "zeros", "ones", an initializer or a callable
                (shape, dtype) -> array.
            dtype: defaults to the metric's dtype.
            aggregation: accepted for Keras compatibility.
            name: the variable's name (its path is the open name scopes,
                then `metric_name/name`).
        """
        if not hasattr(self, "_variables"):
            raise RuntimeError("You forgot to call `super().__init__()` in "
                               "the `__init__()` method. Go add it!")
        dtype = standardize_dtype(dtype or self._dtype)
        if shape is None:
            shape = ()
        shape = tuple(int(s) for s in shape) if isinstance(
            shape, (list, tuple)) else (int(shape),)
        value = _initial_value(initializer, shape, dtype)
        name = name or f"variable_{len(self._variables)}"
        with name_scope(self.name.replace("/", ">"), caller=self):
            variable = Variable(value, name, trainable=False)
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        return self.add_variable(shape=shape, initializer=initializer,
                                 dtype=dtype, name=name)

    def __setattr__(self, name, value):
        # Metrics held as attributes are tracked (their variables follow).
        if isinstance(value, Metric) and name != "_metrics" and \
                hasattr(self, "_metrics") and value not in self._metrics:
            self._metrics.append(value)
        super().__setattr__(name, value)

    def reset_state(self):
        """Zero every state variable."""
        for variable in self.variables:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    # ---- Keras's stateless API: state passed in and returned as arrays ----

    def _check_state(self, metric_variables):
        from seqcore.engine.stateless import check_one_to_one
        check_one_to_one("metric_variables", self, "variables",
                         metric_variables, self.variables)

    def _with_state(self, metric_variables, action):
        """Run action() on the given state; the metric's own is kept."""
        own = [v.numpy() for v in self.variables]
        try:
            if metric_variables is not None:
                for v, value in zip(self.variables, metric_variables):
                    v.assign(value)
            out = action()
            return out, [v.numpy() for v in self.variables]
        finally:
            for v, value in zip(self.variables, own):
                v.assign(value)

    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """The state after update_state(*args) from `metric_variables`
        (a list of arrays in `variables` order); self is left as it was."""
        self._check_state(metric_variables)
        return self._with_state(
            metric_variables, lambda: self.update_state(*args, **kwargs))[1]

    def stateless_result(self, metric_variables):
        """result() of the state `metric_variables`."""
        self._check_state(metric_variables)
        return self._with_state(metric_variables, self.result)[0]

    def stateless_reset_state(self):
        """The state reset_state() would give, as a list of arrays."""
        return self._with_state(None, self.reset_state)[1]

    def _update_masked(self, y_true, y_pred, sample_weight, mask):
        """update_state for a prediction that carries `mask` (a model
        output's mask, or None). As in Keras, only the mean metrics of
        per-sample values (MeanMetricWrapper) use it; others ignore it."""
        self.update_state(y_true, y_pred, sample_weight)

    def __call__(self, *args, **kwargs):
        """update_state(*args, **kwargs), then the result (Keras 3)."""
        if not hasattr(self, "_variables"):
            raise RuntimeError("You forgot to call `super().__init__()` in "
                               "the `__init__()` method. Go add it!")
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    def __str__(self):
        return self.__repr__()
