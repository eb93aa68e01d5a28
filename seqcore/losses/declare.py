"""`loss_class`: a built-in loss class declared by what sets it apart --
its per-sample function, its gradient, its default name and its options
with their defaults -- instead of a hand-written constructor that repeats
the reduction, name and dtype handling. The class keeps Keras's name,
constructor signature (also for `inspect.signature`), defaults and
get_config keys (the options, in signature order)."""
import inspect

from seqcore.losses.base import BuiltinLoss

_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD


def keras_signature(options=(), name=None, after_name=()):
    """The constructor signature `(self, *options, reduction, name,
    *after_name, dtype)`.

    Args:
        options: (argument, default) pairs before `reduction`.
        name: the default of `name`.
        after_name: (argument, default) pairs between `name` and `dtype`
            (Dice's and Tversky's `axis`).
    """
    pairs = [*options, ("reduction", "sum_over_batch_size"), ("name", name),
             *after_name, ("dtype", None)]
    return inspect.Signature(
        [inspect.Parameter("self", _KEYWORD)] +
        [inspect.Parameter(arg, _KEYWORD, default=value)
         for arg, value in pairs])


def loss_class(class_name, fn, gradient, default_name, options=(),
               name=None, after_name=(), vjp=False, check=None, doc=None,
               module=None, methods=None):
    """A BuiltinLoss subclass named `class_name`.

    Args:
        class_name: Keras's class name.
        fn: the loss function `fn(y_true, y_pred, **options)`.
        gradient: its hand-written gradient: `grad(y_true, y_pred,
            **options)`, or with vjp=True `vjp(y_true, y_pred, scale,
            **options)`.
        default_name: the loss's name when `name` is None.
        options: (argument, default) pairs of the constructor before
            `reduction`, passed to fn and gradient and kept in get_config.
        name: the default of the constructor's `name` argument.
        after_name: options placed between `name` and `dtype`.
        vjp: whether `gradient` is a vector-Jacobian product.
        check: called with the options (as keywords) before anything is
            set; raises on bad values.
        doc: the class docstring.
        module: the defining module's __name__.
        methods: more class attributes (overridden hooks).
    """
    signature = keras_signature(options, name, after_name)

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        del values["self"]
        reduction = values.pop("reduction")
        loss_name = values.pop("name")
        dtype = values.pop("dtype")
        if check is not None:
            check(**values)
        self._setup(reduction, loss_name, dtype, **values)
    __init__.__signature__ = signature
    __init__.__qualname__ = f"{class_name}.__init__"

    attrs = {"fn": staticmethod(fn), "default_name": default_name,
             "__init__": __init__, "__doc__": doc,
             "__module__": module or __name__, "__qualname__": class_name}
    attrs["vjp" if vjp else "grad"] = staticmethod(gradient)
    attrs.update(methods or {})
    return type(class_name, (BuiltinLoss,), attrs)
