"""`mean_metric_class`: a metric class that is the mean of a per-sample
function, declared by its function, default name and options instead of
a hand-written constructor and get_config. The class keeps Keras's name,
constructor signature (also for `inspect.signature`), defaults and
get_config keys."""
import inspect

from seqcore.metrics.reduction_metrics import MeanMetricWrapper

_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD


def mean_metric_class(class_name, fn, name, options=(), leading=(),
                      config_keys=None, doc=None, module=None,
                      methods=None):
    """A MeanMetricWrapper subclass named `class_name` whose constructor
    is `(self, *leading, name=name, dtype=None, *options)`.

    Args:
        class_name: Keras's class name.
        fn: the per-sample function `fn(y_true, y_pred, **options)`.
        name: the default metric name.
        options: (argument, default) pairs after `dtype`.
        leading: (argument, default) pairs before `name` (TopK's `k`).
        config_keys: the options get_config reports after name and dtype
            (all of them by default; CosineSimilarity's Keras config has
            none).
        doc: the class docstring.
        module: the defining module's __name__.
        methods: more class attributes (overridden methods).
    The options of get_config are also attributes of the instance.
    """
    pairs = [*leading, ("name", name), ("dtype", None), *options]
    signature = inspect.Signature(
        [inspect.Parameter("self", _KEYWORD)] +
        [inspect.Parameter(arg, _KEYWORD, default=value)
         for arg, value in pairs])
    option_names = [arg for arg, _ in (*leading, *options)]
    keys = option_names if config_keys is None else list(config_keys)

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        fn_kwargs = {arg: values[arg] for arg in option_names}
        MeanMetricWrapper.__init__(self, fn, values["name"],
                                   dtype=values["dtype"], **fn_kwargs)
        for key in keys:
            setattr(self, key, fn_kwargs[key])
    __init__.__signature__ = signature
    __init__.__qualname__ = f"{class_name}.__init__"

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype}
        config.update((key, getattr(self, key)) for key in keys)
        return config

    attrs = {"__init__": __init__, "get_config": get_config,
             "__doc__": doc, "__module__": module or __name__,
             "__qualname__": class_name}
    attrs.update(methods or {})
    return type(class_name, (MeanMetricWrapper,), attrs)
