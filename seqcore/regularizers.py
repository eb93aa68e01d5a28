"""Weight regularizers (keras.regularizers): penalties added to the loss."""
import numpy as np

from seqcore.saving.serialization import get_object, serialize_object


class Regularizer:
    def __call__(self, x):
        return 0.0

    def gradient(self, x):
        """d penalty / d x, for the training loop."""
        return np.zeros_like(x)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _factor(value, name, owner):
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be a finite non-negative "
                         f"number, received {name}={value}")
    return value


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(l1, "l1", self.__class__.__name__)
        self.l2 = _factor(l2, "l2", self.__class__.__name__)

    def __call__(self, x):
        x = np.asarray(x)
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.sum(np.abs(x)))
        if self.l2:
            penalty += self.l2 * float(np.sum(np.square(x)))
        return penalty

    def gradient(self, x):
        return self.l1 * np.sign(x) + 2.0 * self.l2 * x

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}
_ALIASES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier):
    """A regularizer from a name, a config dict, an instance or a callable."""
    return get_object(identifier, _CLASSES, _ALIASES, "regularizer")


def serialize(regularizer):
    return serialize_object(regularizer, "keras.regularizers")


l1 = L1
l2 = L2
l1_l2 = L1L2
