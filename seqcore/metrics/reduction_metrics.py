"""Sum, Mean and MeanMetricWrapper: reductions of per-sample values."""
import numpy as np

from seqcore.engine import masking
from seqcore.metrics.metric import (Metric, check_broadcast, divide_no_nan,
                                    same_rank, to_array)


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """(values reduced to one per sample, weights reduced alike or None).

    values: any shape (batch, ...); sample_weight: None or broadcastable
    to it after Keras's rank matching. Values beyond the weight's rank are
    reduced first, then weighted; what remains beyond axis 0 is reduced
    with `reduce_fn` (np.mean for Mean, np.sum for Sum).
    """
    values = to_array(values, dtype)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, dtype)
        values, sample_weight = same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim,
                                                        values_ndim)))
        sample_weight = check_broadcast("sample_weight", sample_weight,
                                        values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight,
                                      axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


def _is_number(x):
    """Whether x is a plain Python or numpy number (not an array)."""
    return isinstance(x, (int, float, np.integer, np.floating))


class Sum(Metric):
    """The (weighted) sum of every value seen. State: `total`.

    Args:
        name: default "sum".
        dtype: default float32.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight,
                                                np.sum, self.dtype)
        self.total.assign_add(np.sum(values))

    def result(self):
        return self.total.numpy()[()]


class Mean(Metric):
    """The (weighted) mean of every value seen: total / count.

    Args:
        name: default "mean".
        dtype: default float32.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values, sample_weight=None):
        if _is_number(values) and (sample_weight is None or
                                   _is_number(sample_weight)):
            # One weighted number (the loss tracker's step): as below,
            # without the array reductions.
            total, count = self.total.value, self.count.value
            cast = total.dtype.type
            weight = cast(1 if sample_weight is None else sample_weight)
            total += cast(values) * weight      # in place (in a
            count += weight                     # StatelessScope: its copy)
            return
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, np.mean, self.dtype)
        self.total.assign_add(np.sum(values))
        if sample_weight is not None:
            samples = np.sum(sample_weight)
        elif values.ndim >= 1:
            samples = values.shape[0]
        else:
            samples = 1
        self.count.assign_add(samples)

    def result(self):
        return divide_no_nan(self.total.numpy(), self.count.numpy())[()]


def _function_config(fn):
    """Keras's serialized form of a plain function."""
    return {"module": "builtins", "class_name": "function",
            "config": getattr(fn, "__name__", str(fn)),
            "registered_name": "function"}


def _function_from_config(config):
    if callable(config):
        return config
    name = config.get("config") if isinstance(config, dict) else config
    from seqcore.metrics import _function_by_name
    fn = _function_by_name(name)
    if fn is None:
        raise ValueError(f"MeanMetricWrapper: unknown metric function "
                         f"{name!r}; register a custom function with "
                         f"seqcore.saving.register_keras_serializable")
    return fn


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over every sample.

    Args:
        fn: a function (y_true, y_pred, **kwargs) -> per-sample values,
            shape (batch,) or (batch, ...).
        name: default the function's name.
        dtype: default float32.
        **kwargs: passed to fn.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None) or
                         "mean_metric_wrapper", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight=sample_weight)

    def _update_masked(self, y_true, y_pred, sample_weight, mask):
        # Padded steps weigh 0 (seqcore/engine/masking.py), as Keras applies
        # the prediction's mask with reduction "sum".
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        Mean.update_state(self, values,
                          masking.metric_weights(sample_weight, mask))

    def get_config(self):
        return {**super().get_config(), "fn": _function_config(self._fn),
                **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = _function_from_config(config["fn"])
        return cls(**config)
