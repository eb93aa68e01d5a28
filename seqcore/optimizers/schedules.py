"""Learning-rate schedules (keras.optimizers.schedules): callables from the
optimizer's step count (0 for the first update) to a learning rate."""
import math


class LearningRateSchedule:
    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _positive(owner, name, value):
    if not value > 0:
        raise ValueError(f"{owner}: {name} must be positive, received "
                         f"{name}={value!r}")
    return value


class _StepDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: a decay driven by
    p = step / decay_steps, floored when staircase."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase, name):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive(type(self).__name__, "decay_steps",
                                     decay_steps)
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _progress(self, step):
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase,
                "name": self.name}


class ExponentialDecay(_StepDecay):
    """lr * decay_rate ** (step / decay_steps), the exponent floored when
    staircase."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase=False, name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate,
                         staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate * \
            self.decay_rate ** self._progress(step)


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] up to boundaries[0] (inclusive), values[i] up to
    boundaries[i], values[-1] after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"The length of boundaries should be 1 less than the length "
                f"of values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length "
                f"{len(values)}.")
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup from initial_learning_rate to warmup_target
    over warmup_steps, then a cosine decay over decay_steps down to alpha
    times the rate decayed from."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0,
                 name="CosineDecay", warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("CosineDecay", "decay_steps",
                                     decay_steps)
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_from):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return decay_from * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps),
                               self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (self.warmup_target - self.initial_learning_rate) * \
                fraction + self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha,
                "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class InverseTimeDecay(_StepDecay):
    """lr / (1 + decay_rate * step / decay_steps), the ratio floored when
    staircase."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate,
                         staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate / \
            (1.0 + self.decay_rate * self._progress(step))


class PolynomialDecay(LearningRateSchedule):
    """(lr - end) * (1 - p) ** power + end, p = min(step, decay_steps) /
    decay_steps; with cycle, decay_steps grows to the first multiple of
    it at or above the step (1 at step 0) instead of clamping."""

    def __init__(self, initial_learning_rate, decay_steps,
                 end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        if not decay_steps > 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. "
                             f"Received: decay_steps={decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        span = float(self.decay_steps)
        if self.cycle:
            span *= 1.0 if step == 0 else math.ceil(step / self.decay_steps)
        else:
            step = min(step, span)
        p = step / span
        return (self.initial_learning_rate - self.end_learning_rate) * \
            (1.0 - p) ** self.power + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay (SGDR) from lr to alpha * lr over first_decay_steps,
    then restarts: period i lasts t_mul**i times the first and starts at
    m_mul**i times the rate (alpha * lr stays the floor)."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0,
                 m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        if not first_decay_steps > 0:
            raise ValueError(f"Argument `first_decay_steps` must be > 0. "
                             f"Received: first_decay_steps="
                             f"{first_decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        fraction = step / self.first_decay_steps
        t_mul = self._t_mul
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            # periods 1, t, t**2, ...: restart i begins at
            # (1 - t**i) / (1 - t) first periods
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) /
                                 math.log(t_mul))
            begun = (1.0 - t_mul ** restart) / (1.0 - t_mul)
            fraction = (fraction - begun) / t_mul ** restart
        cosine = 0.5 * self._m_mul ** restart * \
            (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * \
            ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul,
                "alpha": self.alpha, "name": self.name}


_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, CosineDecay, InverseTimeDecay,
    PolynomialDecay, CosineDecayRestarts)}


def serialize(schedule):
    return {"module": "keras.optimizers.schedules",
            "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config):
    name = config.get("class_name")
    if name not in _SCHEDULES:
        raise ValueError(f"Unknown learning rate schedule: {name!r}; known: "
                         f"{sorted(_SCHEDULES)}")
    return _SCHEDULES[name].from_config(config.get("config", {}))
