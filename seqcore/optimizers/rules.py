"""The optimizers, with Keras 3's names, arguments and defaults. Each names
its C update rule (csrc/optim.c), its state slots, and the rule's scalars
at step t (1-based)."""
import math

import numpy as np

from seqcore import _kernels
from seqcore.optimizers.base import Optimizer


def _f32(x):
    return float(np.float32(x))


class SGD(Optimizer):
    rule = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    @property
    def slot_names(self):
        return ("momentum",) if self.momentum != 0 else ()

    def _hyper(self, t):
        return (self.momentum, float(self.nesterov))

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config


class RMSprop(Optimizer):
    rule = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0,
                 epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon = rho, momentum, epsilon
        self.centered = bool(centered)

    slot_names = ("velocity", "momentum", "average_gradient")

    def _active_slots(self):
        return tuple(name for name, on in zip(
            self.slot_names, (True, self.momentum > 0, self.centered)) if on)

    def _slot_groups(self):   # created one list after the other
        return [(name,) for name in self._active_slots()]

    def _hyper(self, t):
        return (self.rho, self.momentum, self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum,
                       "epsilon": self.epsilon, "centered": self.centered})
        return config


class Adagrad(Optimizer):
    rule = "adagrad"
    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1,
                 epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_initial(self, name):
        # only its own slot: the EMA and the gradient accumulator start at 0
        return self.initial_accumulator_value if name == "accumulator" \
            else 0.0

    def _hyper(self, t):
        return (self.epsilon,)

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value":
                       self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config


class Adadelta(Optimizer):
    rule = "adadelta"
    slot_names = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def _hyper(self, t):
        return (self.rho, self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config


class Adam(Optimizer):
    rule = "adam"
    slot_names = ("momentum", "velocity", "velocity_hat")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2 = beta_1, beta_2
        self.epsilon, self.amsgrad = epsilon, bool(amsgrad)

    def _active_slots(self):
        return self.slot_names if self.amsgrad else self.slot_names[:2]

    def _slot_groups(self):   # (m, v) interleaved, then every v_hat
        return [("momentum", "velocity")] + \
            ([("velocity_hat",)] if self.amsgrad else [])

    def _hyper(self, t):
        b1, b2 = _f32(self.beta_1), _f32(self.beta_2)
        lr = self._current_learning_rate()
        alpha = _f32(lr * math.sqrt(1.0 - _f32(b2 ** t)) / (1.0 - _f32(b1 ** t)))
        return (self.beta_1, self.beta_2, self.epsilon, alpha)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config


class AdamW(Adam):
    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1,
                         beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         weight_decay=weight_decay, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. "
                             "Received: weight_decay=None")


class Adamax(Optimizer):
    rule = "adamax"
    slot_names = ("momentum", "norm")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _hyper(self, t):
        return (self.beta_1, self.beta_2, self.epsilon,
                _f32(1.0 - _f32(self.beta_1) ** t))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon})
        return config


class Nadam(Optimizer):
    rule = "nadam"
    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self._u_product = 1.0

    def _extra_state(self):
        return [np.array(self._u_product, np.float32)]

    def _set_extra_state(self, values):
        self._u_product = float(values[0])

    def _extra_state_paths(self):
        # Keras makes it in `build`, without a name of its own: under the
        # optimizer's name scope when apply() builds, outside it when fit
        # calls build
        scope = self._built_in
        if self._built_by_apply:
            scope = f"{scope}/{self.name}" if scope else self.name
        return [f"{scope}/variable" if scope else "variable"]

    def _momentum_at(self, t):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** t)

    def _hyper(self, t):
        u_now, u_next = self._momentum_at(t), self._momentum_at(t + 1)
        self._u_product *= u_now          # the product up to step t
        return (self.beta_1, self.beta_2, self.epsilon, u_next,
                self._u_product * u_next, u_now, self._u_product,
                self.beta_2 ** t)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon})
        return config


class Lion(Optimizer):
    """Lion: the sign of an interpolated momentum (Chen et al., 2023)."""
    rule = "lion"
    slot_names = ("momentum",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"Argument `beta_1` must be in the [0, 1] "
                             f"range. Otherwise, the optimizer degenerates "
                             f"to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def _hyper(self, t):
        return (self.beta_1, self.beta_2)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config


class Ftrl(Optimizer):
    """Follow The Regularized Leader (McMahan et al., 2013)."""
    rule = "ftrl"
    slot_names = ("accumulator", "linear")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for name, value, sign in (
                ("initial_accumulator_value", initial_accumulator_value,
                 "positive or zero"),
                ("l1_regularization_strength", l1_regularization_strength,
                 "positive or zero"),
                ("l2_regularization_strength", l2_regularization_strength,
                 "positive or zero"),
                ("l2_shrinkage_regularization_strength",
                 l2_shrinkage_regularization_strength, "positive or zero")):
            if value < 0.0:
                raise ValueError(f"`{name}` needs to be {sign}. Received: "
                                 f"{name}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError(f"`learning_rate_power` needs to be negative or "
                             f"zero. Received: learning_rate_power="
                             f"{learning_rate_power}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = \
            l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_initial(self, name):
        return self.initial_accumulator_value if name == "accumulator" \
            else 0.0

    def _hyper(self, t):
        lr = self._current_learning_rate()
        l2 = _f32(self.l2_regularization_strength +
                  _f32(self.beta) / (2.0 * _f32(lr)))
        return (self.learning_rate_power, self.l1_regularization_strength, l2,
                self.l2_shrinkage_regularization_strength)

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength":
                self.l2_shrinkage_regularization_strength,
            "beta": self.beta})
        return config


class Lamb(Optimizer):
    """Adam's step scaled per variable by the trust ratio
    ||w|| / ||update|| (You et al., 2019)."""
    rule = "lamb"
    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _slot_groups(self):   # (m, v) interleaved per variable
        return [("momentum", "velocity")]

    def _update(self, lr):
        t = self.iterations + 1
        b1, b2 = np.float32(self.beta_1), np.float32(self.beta_2)
        hyper = (self.beta_1, self.beta_2, self.epsilon,
                 _f32(1.0 - b1 ** np.float32(t)),
                 _f32(1.0 - b2 ** np.float32(t)))
        _kernels.lamb_update(self._params, self._grads,
                             self._slots["momentum"], self._slots["velocity"],
                             self._bounds, self._n_decay, lr,
                             self.weight_decay or 0.0, hyper)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon})
        return config


class Adafactor(Optimizer):
    """Adafactor: second moments factored into row and column statistics
    for variables of two or more dimensions (Shazeer & Stern, 2018)."""
    rule = "adafactor"
    slot_names = ("velocity",)

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8,
                 epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay, self.epsilon_1 = beta_2_decay, epsilon_1
        self.epsilon_2, self.clip_threshold = epsilon_2, clip_threshold
        self.relative_step = relative_step

    def build(self, variables):
        before = self._variables
        super().build(variables)
        if self._variables is before:
            return
        # r and c: one row statistic per (batch, row) and one column statistic
        # per (batch, column) of each variable of two or more dimensions; a
        # single unused scalar for the others (Keras saves a scalar too).
        dims, factor_offsets, r_size, c_size = [], [], 0, 0
        self._factors = {}
        for v in self._variables:
            if v.ndim >= 2:
                rows, cols = v.shape[-2], v.shape[-1]
                batch = v.size // (rows * cols) if v.size else 0
                r_len, c_len = batch * rows, batch * cols
                r_shape, c_shape = v.shape[:-1], v.shape[:-2] + (cols,)
            else:
                batch, rows, cols, r_len, c_len = 1, 0, 0, 1, 1
                r_shape = c_shape = ()
            dims += [batch, rows, cols]
            self._factors[id(v)] = (r_size, r_shape, c_size, c_shape)
            factor_offsets += [r_size, c_size]
            r_size, c_size = r_size + max(r_len, 1), c_size + max(c_len, 1)
        self._r = np.zeros(r_size, np.float32)
        self._c = np.zeros(c_size, np.float32)
        self._dims = np.array(dims, np.int64)
        self._factor_offsets = np.array(factor_offsets, np.int64)

    def _rule_state_views(self):
        views = []       # r, c, v of each variable, one variable after another
        for v in self._requested:
            r_start, r_shape, c_start, c_shape = self._factors[id(v)]
            start = self._offsets[id(v)]
            views += [
                self._r[r_start:r_start + max(int(np.prod(r_shape)), 1)]
                .reshape(r_shape),
                self._c[c_start:c_start + max(int(np.prod(c_shape)), 1)]
                .reshape(c_shape),
                self._slots["velocity"][start:start + v.size].reshape(v.shape)]
        return views

    def _rule_state_paths(self):
        # Keras names r and c after the variable's name (not its path); for
        # a variable of fewer than two dimensions they are plain Variables,
        # under the optimizer's name scope only when apply() builds
        paths = []
        for v in self._requested:
            factor = self._under(self._built_in, v.name)
            if v.ndim < 2 and not self._built_by_apply:
                factor = f"{self._built_in}/{v.name}" if self._built_in \
                    else v.name
            ref = v.path.replace("/", "_")
            paths += [factor, factor,
                      self._under(self._built_in, f"{ref}_velocity")]
        return paths

    def _update(self, lr):
        t = np.float32(self.iterations + 1)
        inv_sqrt_t = np.float32(1.0) / np.sqrt(t)
        if not callable(self._learning_rate) and self.relative_step:
            lr = min(lr, float(inv_sqrt_t))
        rho = _f32(min(np.float32(lr), inv_sqrt_t))
        beta_2 = _f32(np.float32(1.0) - t ** np.float32(self.beta_2_decay))
        _kernels.adafactor_update(
            self._params, self._grads, self._r, self._c,
            self._slots["velocity"], self._bounds, self._factor_offsets,
            self._dims, self._n_decay, lr, self.weight_decay or 0.0,
            (rho, beta_2, self.epsilon_1, self.epsilon_2,
             self.clip_threshold))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay,
                       "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2,
                       "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config
