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


class OrthogonalRegularizer(Regularizer):
    """factor * mean |cos| over distinct pairs of rows (or columns) of a
    rank-2 weight: pushes them to be orthogonal.

    penalty = factor * 0.5 * sum_{i != j} |u_i . u_j| / (n (n - 1) / 2),
    u_i the rows (mode="rows") or columns scaled to unit L2 norm (rows of
    norm below epsilon are divided by epsilon instead).

    Args:
        factor: a finite non-negative float.
        mode: "rows" or "columns".
    """

    def __init__(self, factor=0.01, mode="rows"):
        if isinstance(factor, bool) or not isinstance(
                factor, (int, float, np.floating, np.integer)) or \
                not np.isfinite(factor) or factor < 0:
            raise ValueError(f"Invalid value for argument factor: expected "
                             f"a non-negative float. Received: "
                             f"factor={factor}")
        if mode not in ("rows", "columns"):
            raise ValueError(f'Invalid value for argument `mode`. Expected '
                             f'one of {{"rows", "columns"}}. Received: '
                             f'mode={mode}')
        # Keras keeps the factor as a float32 tensor: its config shows that
        self.factor = float(np.float32(factor))
        self.mode = mode

    def _vectors(self, x):
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have "
                             f"rank 2. Received: inputs.shape={x.shape}")
        return x if self.mode == "rows" else x.T

    def _parts(self, v):
        from seqcore import backend
        eps = backend.epsilon()
        norms = np.sqrt(np.sum(np.square(v), axis=1, keepdims=True))
        scale = 1.0 / np.maximum(norms, eps)
        u = v * scale
        n = v.shape[0]
        off = u @ u.T * (1.0 - np.eye(n, dtype=v.dtype))
        weight = self.factor * 0.5 / (n * (n - 1) / 2.0)
        return u, norms, scale, off, weight, eps

    def __call__(self, x):
        v = self._vectors(x)
        _, _, _, off, weight, _ = self._parts(v)
        return weight * float(np.sum(np.abs(off)))

    def gradient(self, x):
        v = self._vectors(x)
        u, norms, scale, off, weight, eps = self._parts(v)
        du = 2.0 * weight * np.sign(off) @ u        # sign(off) symmetric
        # through u = v / |v|: project out the radial part; rows whose
        # norm is below epsilon were divided by the constant epsilon
        radial = np.where(norms > eps, np.sum(du * u, axis=1,
                                              keepdims=True), 0.0)
        dv = (du - u * radial) * scale
        dv = dv.astype(np.asarray(x).dtype, copy=False)
        return dv if self.mode == "rows" else dv.T

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


_CLASSES["OrthogonalRegularizer"] = OrthogonalRegularizer
_ALIASES["orthogonal_regularizer"] = OrthogonalRegularizer
orthogonal_regularizer = OrthogonalRegularizer


def deserialize(config, custom_objects=None):
    """A regularizer from its serialized dict or name (class name or snake
    case alias); `custom_objects` maps names to user classes."""
    if custom_objects:
        name = config.get("class_name") if isinstance(config, dict) \
            else config
        if name in custom_objects:
            cls = custom_objects[name]
            return cls.from_config(config.get("config", {})) \
                if isinstance(config, dict) else cls()
    return get(config)
