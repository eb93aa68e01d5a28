"""Weight initializers (keras.initializers), returning numpy arrays.

A seeded initializer draws the same values at every call; an unseeded one
draws from seqcore's global generator (`seqcore.utils.set_random_seed`).
"""
import inspect
import math

import numpy as np

from seqcore import random as sc_random
from seqcore.saving.serialization import get_object, serialize_object

# stddev of a standard normal truncated to [-2, 2]
_TRUNCATED_STDDEV = 0.87962566103423978


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a kernel: Dense (in, out), Conv (*window, in,
    out); with input_axes and output_axes (an EinsumDense kernel), the
    products of the sizes on those axes."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_normal(rng, shape, mean, stddev):
    """Normal values redrawn until within two standard deviations."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return mean + stddev * out


class Initializer:
    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        """Rebuild from a config; keys newer Keras versions add with their
        neutral value None (such as `input_axes`) are accepted and ignored."""
        params = inspect.signature(cls.__init__).parameters
        extra = {k: v for k, v in config.items() if k not in params}
        if any(v is not None for v in extra.values()):
            raise ValueError(f"{cls.__name__}: unsupported config entries "
                             f"{extra}")
        return cls(**{k: v for k, v in config.items() if k in params})


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=dtype or "float32")


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=dtype or "float32")


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=dtype or "float32")

    def get_config(self):
        return {"value": self.value}


class _Seeded(Initializer):
    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or
                                 not isinstance(seed, (int, np.integer))):
            raise ValueError(f"{self.__class__.__name__}: seed must be an "
                             f"integer or None, received seed={seed!r}")
        self.seed = seed

    def _rng(self):
        return sc_random.generator(self.seed)

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(_Seeded):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        values = self._rng().normal(self.mean, self.stddev, shape)
        return values.astype(dtype or "float32")

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    def __call__(self, shape, dtype=None):
        values = _truncated_normal(self._rng(), shape, self.mean, self.stddev)
        return values.astype(dtype or "float32")


class RandomUniform(_Seeded):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        values = self._rng().uniform(self.minval, self.maxval, shape)
        return values.astype(dtype or "float32")

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval,
                "seed": self.seed}


class VarianceScaling(_Seeded):
    """Values with variance scale / n, n = fan_in, fan_out or their mean."""

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in",
                 distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        super().__init__(seed)
        self.input_axes, self.output_axes = input_axes, output_axes
        if scale <= 0.0:
            raise ValueError(f"VarianceScaling: scale must be positive, "
                             f"received scale={scale}")
        if mode not in self.MODES:
            raise ValueError(f"VarianceScaling: mode must be one of "
                             f"{self.MODES}, received mode={mode!r}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: distribution must be one of "
                             f"{self.DISTRIBUTIONS}, received "
                             f"distribution={distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes,
                                       self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out,
             "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(rng, shape, 0.0,
                                       math.sqrt(scale) / _TRUNCATED_STDDEV)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, shape)
        return values.astype(dtype or "float32")

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution,
                "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_avg", "uniform", seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class HeNormal(VarianceScaling):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class HeUniform(VarianceScaling):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(2.0, "fan_in", "uniform", seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(1.0, "fan_in", "uniform", seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class Orthogonal(_Seeded):
    """An orthogonal matrix (of the flattened shape), times gain."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have rank >= 2, "
                             f"received shape={tuple(shape)}")
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype or "float32")

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity: the shape must have rank 2, "
                             f"received shape={tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(dtype or "float32")

    def get_config(self):
        # Keras 3.15 writes {} (its Identity has no get_config); a gain
        # other than 1 is kept so that it survives a save.
        return {} if self.gain == 1.0 else {"gain": self.gain}


# symmetric windows of length m (scipy.signal.windows' definitions)
_WINDOWS = {"hann": np.hanning, "hamming": np.hamming,
            "blackman": np.blackman, "bartlett": np.bartlett,
            "boxcar": np.ones}


def _window(name, length, periodic):
    """The window `name` of `length` points; periodic windows are the
    symmetric window of length + 1 without its last point (the DFT-even
    window scipy.signal.get_window gives by default)."""
    if name not in _WINDOWS:
        raise ValueError(f"STFT: unknown window {name!r}; seqcore knows "
                         f"{sorted(_WINDOWS)} (or pass the window values)")
    if length == 1:
        return np.ones(1)
    if periodic:
        return _WINDOWS[name](length + 1)[:-1]
    return _WINDOWS[name](length)


class STFT(Initializer):
    """Kernels of a Conv1D computing a short-time Fourier transform: the
    real (cos) or imaginary (-sin) part of the DFT basis, times a window.

    The shape is (frame_length, 1, fft_length // 2 + 1).

    Args:
        side: "real" or "imag".
        window: a window name ("hann", "hamming", "blackman", "bartlett",
            "boxcar"), the window's values (length frame_length), or None.
        scaling: "density" (divide by the window's L2 norm), "spectrum"
            (by its L1 norm) or None.
        periodic: use the periodic (DFT-even) window.
    """

    def __init__(self, side="real", window="hann", scaling="density",
                 periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        if isinstance(window, str):
            _window(window, 1, False)
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f"Scaling is invalid, it must be `None`, "
                             f"'density' or 'spectrum'. Received "
                             f"scaling={scaling}")
        self.side, self.window = side, window
        self.scaling, self.periodic = scaling, periodic

    def __call__(self, shape, dtype=None):
        dtype = np.dtype(dtype or "float32")
        if len(shape) != 3:
            raise ValueError(f"STFT: expected a shape (frame_length, "
                             f"channels, fft_length // 2 + 1), received "
                             f"shape={tuple(shape)}")
        frames, _, bins = shape
        time = np.arange(frames, dtype=np.float64).reshape(frames, 1, 1)
        freq = np.arange(bins, dtype=np.float64).reshape(1, 1, bins)
        angle = -2.0 * np.pi * time * freq / ((bins - 1) * 2)
        kernel = np.cos(angle) if self.side == "real" else np.sin(angle)
        if self.window is not None:
            win = _window(self.window, frames, self.periodic) if \
                isinstance(self.window, str) else \
                np.asarray(self.window, np.float64)
            if win.ndim != 1 or win.shape[0] != frames:
                raise ValueError(f"The shape of `window` must be equal to "
                                 f"[frame_length]. Received: window "
                                 f"shape={win.shape}")
            scale = 1.0
            if self.scaling == "density":
                scale = np.sqrt(np.sum(np.square(win)))
            elif self.scaling == "spectrum":
                scale = np.sum(np.abs(win))
            kernel = kernel * win.reshape(frames, 1, 1) / scale
        return kernel.astype(dtype)

    def get_config(self):
        return {"side": self.side, "window": self.window,
                "periodic": self.periodic, "scaling": self.scaling}


_CLASSES = {cls.__name__: cls for cls in (
    Zeros, Ones, Constant, RandomNormal, TruncatedNormal, RandomUniform,
    VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform,
    LecunNormal, LecunUniform, Orthogonal, Identity, STFT)}
_ALIASES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones,
    "constant": Constant, "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal, "random_uniform": RandomUniform,
    "uniform": RandomUniform, "normal": RandomNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_normal": HeNormal,
    "he_uniform": HeUniform, "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    "identity": Identity, "stft": STFT,
}


def get(identifier):
    """An initializer from a name, a config dict, an instance or a callable."""
    return get_object(identifier, _CLASSES, _ALIASES, "initializer")


def serialize(initializer):
    return serialize_object(initializer, "keras.initializers")


def deserialize(config, custom_objects=None):
    """An initializer from its serialized dict or name (class name or
    snake case alias); `custom_objects` maps names to user classes."""
    if custom_objects:
        name = config.get("class_name") if isinstance(config, dict) \
            else config
        if name in custom_objects:
            cls = custom_objects[name]
            return cls.from_config(config.get("config", {})) \
                if isinstance(config, dict) else cls()
    return get(config)


# Keras 3 exports each class under more names: the snake case function
# style names and a few long names are the classes themselves.
constant, zeros, ones, identity = Constant, Zeros, Ones, Identity
glorot_normal, glorot_uniform = GlorotNormal, GlorotUniform
he_normal, he_uniform = HeNormal, HeUniform
lecun_normal, lecun_uniform = LecunNormal, LecunUniform
orthogonal, variance_scaling = Orthogonal, VarianceScaling
random_normal, random_uniform = RandomNormal, RandomUniform
truncated_normal = TruncatedNormal
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal
STFTInitializer = stft = STFT
