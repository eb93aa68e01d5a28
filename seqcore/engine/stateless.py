"""keras.StatelessScope: variables read other values and keep their own.

Inside a scope, a variable in `state_mapping` reads as its mapped value; an
assignment (or a kernel's in-place update of the value it read) is recorded
in the scope instead of changing the variable; `get_current_value` gives
what it would now hold. Every value the scope hands out is its own copy, so
neither the variables nor the caller's arrays change. This is what
`Layer.stateless_call`, `Metric.stateless_update_state` and friends are
built on (Keras 3's stateless API, for training loops that manage their own
state).
"""
import numpy as np

from seqcore.scopes import CurrentScope

_CURRENT = [None]      # the innermost open scope


def current():
    return _CURRENT[0]


class StatelessScope(CurrentScope):
    """A scope in which no variable changes.

    Args:
        state_mapping: (variable, value) pairs: the values the variables
            read inside the scope.
        collect_losses: keep the `add_loss` values of calls in the scope
            (`scope.losses`).
        initialize_variables: accepted for Keras's signature (seqcore's
            variables are made initialized).
    """

    _current = _CURRENT

    def __init__(self, state_mapping=None, collect_losses=False,
                 initialize_variables=True):
        from seqcore.engine.tape import plain
        from seqcore.engine.variables import Variable
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses = []
        self.state_mapping = {}
        self._read = {}       # private copies of unmapped variables read
        for variable, value in state_mapping or ():
            if not isinstance(variable, Variable):
                raise ValueError(
                    f"Invalid reference variable in StatelessScope: all keys "
                    f"in argument `mapping` must be Variable instances. "
                    f"Received instead: {variable}")
            if isinstance(value, Variable):
                value = value.numpy()
            value = np.array(plain(value), dtype=variable._value.dtype)
            if value.shape != variable.shape:
                raise ValueError(
                    f"Invalid variable value in StatelessScope: all values in "
                    f"argument `mapping` must be tensors with a shape that "
                    f"matches the corresponding variable shape. For variable "
                    f"{variable}, received invalid value {value} with shape "
                    f"{value.shape}.")
            self.state_mapping[id(variable)] = value

    def add_loss(self, loss):
        self.losses.append(loss)

    def add_update(self, update):
        """Record `(variable, value)`: the variable's value from now on."""
        variable, value = update
        self.state_mapping[id(variable)] = np.array(
            value, dtype=variable._value.dtype)

    def get_current_value(self, variable):
        """The value `variable` holds in the scope, or None when the scope
        neither maps nor changed it."""
        value = self.state_mapping.get(id(variable))
        if value is not None:
            return value
        read = self._read.get(id(variable))
        if read is not None and not np.array_equal(read, variable._value):
            return read
        return None

    def value_of(self, variable):
        """What `variable.value` is inside the scope: its mapped value, or a
        private copy of its own (kernels may update the value in place)."""
        value = self.state_mapping.get(id(variable))
        if value is None:
            value = self._read.get(id(variable))
            if value is None:
                value = self._read[id(variable)] = variable._value.copy()
        return value


def in_stateless_scope():
    return _CURRENT[0] is not None


def get_stateless_scope():
    return _CURRENT[0]


def check_one_to_one(argument, owner, attribute, given, expected):
    """Keras's error when the values given for a stateless call do not
    pair 1:1 with `owner.<attribute>` (`expected`)."""
    if len(given) != len(expected):
        raise ValueError(
            f"Argument `{argument}` must be a list of tensors corresponding "
            f"1:1 to {type(owner).__name__}().{attribute}. Received list "
            f"with length {len(given)}, but expected {len(expected)} "
            f"variables.")


def layer_stateless_call(layer, trainable_variables, non_trainable_variables,
                         args, kwargs, return_losses=False):
    """Layer.stateless_call: `layer.call(*args, **kwargs)` with its
    variables reading the given values; (outputs, the non-trainable
    variables' new values[, losses])."""
    if not layer.built:
        raise ValueError(
            f"To call stateless_call, {type(layer).__name__} must be built "
            f"(i.e. its variables must have been already created). You can "
            f"build it by calling it on some data.")
    for name, given in (("trainable_variables", trainable_variables),
                        ("non_trainable_variables", non_trainable_variables)):
        check_one_to_one(name, layer, name, given, getattr(layer, name))
    mapping = list(zip(layer.trainable_variables, trainable_variables)) + \
        list(zip(layer.non_trainable_variables, non_trainable_variables))
    losses = None
    with StatelessScope(mapping, collect_losses=return_losses) as scope:
        outputs = layer.call(*args, **kwargs)
        if return_losses:
            losses = layer.losses
    updated = [scope.get_current_value(v)
               for v in layer.non_trainable_variables]
    if return_losses:
        return outputs, updated, losses
    return outputs, updated
