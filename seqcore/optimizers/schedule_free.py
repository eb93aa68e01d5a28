"""ScheduleFreeAdamW (Keras 3.15's `keras.optimizers.ScheduleFreeAdamW`,
Defazio et al., 2024): AdamW without a learning-rate schedule; the weights
are an interpolation of a running average and a fast iterate.

The rule runs in numpy over the whole flat arena at once (a few vector
operations per step, float32, in Keras's order): it is elementwise but new
and rarely the bottleneck, so it does not get a C kernel of its own yet.
"""
import numpy as np

from seqcore.optimizers.base import Optimizer

_F = np.float32


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW.

    State per variable: `momentum` (the fast iterate z, starting at the
    variable's value) and `velocity` (Adam's second moment).

    Args:
        learning_rate: float or schedule. Defaults to 0.0025.
        beta_1: interpolation between z and the average (0.9).
        beta_2: decay of the second moment (0.999).
        epsilon: added to the denominator (1e-8).
        warmup_steps: the learning rate ramps up linearly over this many
            steps (0: no warmup).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
        ema_momentum, ema_overwrite_frequency, loss_scale_factor,
        gradient_accumulation_steps, name: as every optimizer.
    """

    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, warmup_steps=0, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay,
            clipnorm=clipnorm, clipvalue=clipvalue,
            global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name, **kwargs)
        if isinstance(warmup_steps, bool) or int(warmup_steps) != \
                warmup_steps or warmup_steps < 0:
            raise ValueError(f"ScheduleFreeAdamW: warmup_steps must be a "
                             f"non-negative integer, received "
                             f"warmup_steps={warmup_steps!r}")
        if not 0 < beta_1 <= 1:
            raise ValueError(f"ScheduleFreeAdamW: beta_1 must be in (0, 1], "
                             f"received beta_1={beta_1}")
        self.beta_1, self.beta_2 = beta_1, beta_2
        self.epsilon, self.warmup_steps = epsilon, int(warmup_steps)

    def _slot_groups(self):   # (momentum, velocity) interleaved per variable
        return [("momentum", "velocity")]

    def build(self, variables):
        """As every optimizer; the momentum of a variable it has not seen
        before starts at the variable's value, as Keras's does."""
        known = set(getattr(self, "_offsets", {}))
        before = self._variables
        super().build(variables)
        if self._variables is before:
            return
        momentum = self._slots["momentum"]
        for v in self._variables:
            if id(v) not in known:
                start = self._offsets[id(v)]
                momentum[start:start + v.size] = \
                    self._params[start:start + v.size]

    def _update(self, lr):
        p, g = self._params, self._grads
        m, v = self._slots["momentum"], self._slots["velocity"]
        if self.weight_decay:
            n = self._n_decay
            p[:n] -= p[:n] * _F(self.weight_decay) * _F(lr)
        t = _F(self.iterations + 1)
        lr = _F(lr)
        if self.warmup_steps > 0:
            lr = lr * min(t / _F(self.warmup_steps), _F(1.0))
        b1, b2 = _F(self.beta_1), _F(self.beta_2)
        eps = _F(self.epsilon)
        m_old = m.copy()
        bias_correction_2 = _F(1) - b2 ** t
        v += (np.square(g) - v) * (_F(1) - b2)
        denom = np.sqrt(v / bias_correction_2) + eps
        m -= (lr * g) / denom
        weight = _F(1.0) / t
        x_old = (p - (_F(1) - b1) * m_old) / b1
        x_new = (_F(1) - weight) * x_old + weight * m
        p[...] = (_F(1) - b1) * m + b1 * x_new

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2,
                       "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
