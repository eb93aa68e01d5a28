"""LossScaleOptimizer (Keras 3's `keras.optimizers.LossScaleOptimizer`, also
`keras.mixed_precision.LossScaleOptimizer`): dynamic loss scaling around
another optimizer.

seqcore computes in float32 and its `fit` differentiates the unscaled loss,
so the scale never changes a gradient there (scaling by a power of two and
unscaling is exact); the wrapper still does what Keras's does to its state:
a step whose gradients, times the scale, are not all finite is skipped and
halves the scale, and every `dynamic_growth_steps` finite steps double it.
In a custom loop, `apply(grads, variables)` takes the gradients of
`scale_loss(loss)` and divides them by the scale, as Keras does.
"""
import numpy as np

from seqcore.optimizers.base import Optimizer

_BASE_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
    "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
    "ema_overwrite_frequency": None, "loss_scale_factor": None,
    "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Dynamic loss scaling around `inner_optimizer`.

    Args:
        inner_optimizer: the `Optimizer` that updates the weights.
        initial_scale: the first loss scale (2**15).
        dynamic_growth_steps: after this many steps with finite gradients
            the scale doubles (2000).
        name: the optimizer's name.

    State (Keras's order): its iterations and learning rate (unused, 0),
    `step_counter`, `dynamic_scale`, then the inner optimizer's variables.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15,
                 dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports "
                             "`dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the "
                             "`inner_optimizer`.")
        for key, default in _BASE_DEFAULTS.items():
            if key in kwargs and kwargs.pop(key) != default:
                raise ValueError(f"LossScaleOptimizer does not support "
                                 f"`{key}`. Instead, set `{key}` on the "
                                 f"`inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support "
                             f"arguments: `{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(f"LossScaleOptimizer: inner_optimizer must be a "
                            f"keras.optimizers.Optimizer, received "
                            f"{inner_optimizer!r}")
        if isinstance(dynamic_growth_steps, bool) or \
                int(dynamic_growth_steps) != dynamic_growth_steps or \
                dynamic_growth_steps < 1:
            raise ValueError(f"LossScaleOptimizer: dynamic_growth_steps must "
                             f"be a positive integer, received "
                             f"dynamic_growth_steps={dynamic_growth_steps!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        self.inner_optimizer.loss_scale_factor = None
        self.step_counter = 0
        self.dynamic_scale = None     # a float32 once built

    # ---- building: the inner optimizer owns the arena ------------------------

    def build(self, variables):
        variables = list(variables)
        if self._variables is not None and [id(v) for v in variables] == \
                [id(v) for v in self._requested]:
            return
        if self.dynamic_scale is None:
            self.step_counter = 0
            self.dynamic_scale = np.float32(self.initial_scale)
        self.inner_optimizer._variables = None
        self.inner_optimizer.build(variables)
        self._variables = self.inner_optimizer._variables
        self._requested = variables
        self._params = None     # no arena of its own (see trainer)

    @property
    def _grads(self):
        return self.inner_optimizer._grads

    # ---- the inner optimizer's rate and count ---------------------------------

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if "inner_optimizer" in self.__dict__:
            self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value):
        self.inner_optimizer.iterations = value

    # ---- steps ---------------------------------------------------------------

    def scale_loss(self, loss):
        """`loss` times the current scale (the initial one before build)."""
        scale = self.dynamic_scale if self.built else \
            np.float32(self.initial_scale)
        return np.multiply(loss, scale, dtype=np.float32) \
            if np.ndim(loss) else np.float32(loss) * scale

    def _finished_step(self, finite):
        if not finite:
            self.step_counter = 0
            self.dynamic_scale = np.float32(self.dynamic_scale * 0.5)
        elif self.step_counter == self.dynamic_growth_steps - 1:
            self.step_counter = 0
            self.dynamic_scale = np.float32(self.dynamic_scale * 2.0)
        else:
            self.step_counter += 1

    def step(self, applied=False):
        """`fit`'s step: the arena holds the gradients of the unscaled loss;
        they count as finite when they stay finite times the scale (as the
        scaled gradients Keras checks would). `applied` is Optimizer.step's;
        it is never true here (the update is not elementwise)."""
        grads = self.inner_optimizer._grads
        if grads.size:      # two reductions, no copy; a NaN propagates
            peak = max(abs(float(grads.max())), abs(float(grads.min())))
        else:
            peak = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            finite = bool(np.isfinite(np.float32(peak) * self.dynamic_scale))
        if finite:
            self.inner_optimizer.step()
        self._finished_step(finite)

    def apply(self, grads, trainable_variables=None):
        """Keras's `apply`: `grads` are gradients of `scale_loss(loss)`;
        finite ones are unscaled and applied by the inner optimizer, else
        the step is skipped."""
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, "
                                 "the optimizer must already be built on a "
                                 "list of variables.")
            trainable_variables = self._requested
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        finite = all(bool(np.all(np.isfinite(g))) for g in grads
                     if g is not None)
        if finite:
            scale = self.dynamic_scale
            unscaled = [None if g is None else
                        np.asarray(g, np.float32) / scale for g in grads]
            self.inner_optimizer.apply(unscaled, trainable_variables)
        self._finished_step(finite)

    def apply_gradients(self, grads_and_vars):
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def finalize_variable_values(self, var_list=None):
        self.inner_optimizer.finalize_variable_values(var_list)

    # ---- state, as Keras saves it -------------------------------------------

    def state_values(self):
        return [np.array(0, np.int64), np.array(0.0, np.float32),
                np.array(self.step_counter, np.int64),
                np.array(self.dynamic_scale, np.float32)] + \
            self.inner_optimizer.state_values()

    def load_state_values(self, values):
        values = list(values)
        expected = 4 + len(self.inner_optimizer.state_values())
        if len(values) != expected:
            raise ValueError(
                f"Optimizer '{self.name}': the file holds {len(values)} "
                f"optimizer variables, this LossScaleOptimizer on this model "
                f"has {expected}")
        self.step_counter = int(values[2])
        self.dynamic_scale = np.float32(values[3])
        self.inner_optimizer.load_state_values(values[4:])

    def _nested_state(self):
        """Sub-objects whose state Keras also saves in their own group."""
        return [("inner_optimizer", self.inner_optimizer)]

    # ---- config --------------------------------------------------------------

    def get_config(self):
        from seqcore import optimizers
        return {"name": self.name,
                "inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from seqcore import optimizers
        config = dict(config)
        inner = config.pop("inner_optimizer")
        if isinstance(inner, dict):
            inner = optimizers.deserialize(inner,
                                           custom_objects=custom_objects)
        return cls(inner, **config)
