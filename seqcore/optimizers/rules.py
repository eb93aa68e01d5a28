"""The optimizers, with Keras 3's names, arguments and defaults. Each names
its C update rule (csrc/optim.c), its state slots, and the rule's scalars
at step t (1-based)."""
import math

import numpy as np

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
        return self.initial_accumulator_value

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
