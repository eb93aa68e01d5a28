"""Spectrogram layers: STFTSpectrogram (a short-time Fourier transform
whose DFT kernels are trainable weights, as in Keras) and MelSpectrogram
(an audio preprocessing layer: power spectrogram -> mel bands -> dB).

STFTSpectrogram frames each channel of the signal (stride `frame_step`,
'valid' or 'same' padding like a Conv1D) and multiplies the frames by its
`real_kernel` and `imag_kernel`, each (frame_length, 1, fft_length // 2 + 1)
(initializers.STFT: the windowed cosine and -sine DFT bases), with numpy's
GEMM; backward runs the transposed GEMMs and adds the frames' gradients back
into the signal, one strided slice per tap.
"""
import math
import numbers
import warnings

import numpy as np

from seqcore import initializers
from seqcore.config import epsilon as _epsilon
from seqcore.config import standardize_data_format
from seqcore.engine.input_spec import InputSpec
from seqcore.engine.layer import Layer
from seqcore.engine.variables import store_grad
from seqcore.saving.serialization import register_builtin

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


def _positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, "
                         f"received {name}={value!r}")
    return int(value)


def _frame_layout(length, frame_length, step, padding):
    """(frames, padding before, padded length) of a Conv1D over `length`."""
    if padding == "valid":
        frames = (length - frame_length) // step + 1 \
            if length >= frame_length else 0
        return frames, 0, length
    frames = -(-length // step)
    total = max((frames - 1) * step + frame_length - length, 0)
    return frames, total // 2, length + total


@register_builtin
class STFTSpectrogram(Layer):
    """Short-time Fourier transform of every channel of a signal.

    Args:
        mode: "log" (log magnitude), "magnitude", "psd" (power spectral
            density), "real", "imag", "angle" or "stft" (real then
            imaginary bins).
        frame_length: samples per frame (the window's length).
        frame_step: hop between frames (default frame_length // 2).
        fft_length: DFT size >= frame_length (default: the next power of
            two); frames are zero-padded to it.
        window: "hann", "hamming", "blackman", "bartlett", "boxcar", or
            None; periodic: use the periodic window.
        scaling: "density" (window L2 norm), "spectrum" (L1 norm) or None.
        padding: "valid" or "same" (as a Conv1D with stride frame_step).
        expand_dims: keep channels on their own axis.
        data_format: "channels_last" (batch, time, channels) or
            "channels_first" (batch, channels, time).

    Output, with F frames and B = fft_length // 2 + 1 bins (2B for
    "stft"): channels_last (batch, F, channels * B), or (batch, F, B,
    channels) with expand_dims; channels_first (batch, channels * B, F), or
    (batch, channels, F, B) with expand_dims. Weights: real_kernel (absent
    for "imag") and imag_kernel (absent for "real"), each
    (frame_length, 1, B).
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None,
                 fft_length=None, window="hann", periodic=False,
                 scaling="density", padding="valid", expand_dims=False,
                 data_format=None, **kwargs):
        owner = "STFTSpectrogram"
        frame_length = _positive_int(owner, "frame_length", frame_length)
        if frame_step is not None and (
                isinstance(frame_step, bool) or
                not isinstance(frame_step, numbers.Integral) or
                frame_step > frame_length or frame_step < 1):
            raise ValueError(
                f"`frame_step` should be a positive integer not greater than "
                f"`frame_length`. Received frame_step={frame_step}, "
                f"frame_length={frame_length}")
        if fft_length is not None:
            fft_length = _positive_int(owner, "fft_length", fft_length)
            if fft_length < frame_length:
                raise ValueError(
                    f"`fft_length` should be not less than `frame_length`. "
                    f"Received fft_length={fft_length}, "
                    f"frame_length={frame_length}")
            if fft_length & (fft_length - 1):
                warnings.warn(f"`fft_length` is recommended to be a power of "
                              f"two. Received fft_length={fft_length}",
                              stacklevel=2)
        if mode not in _MODES:
            raise ValueError(f"Output mode is invalid, it must be one of "
                             f"{', '.join(_MODES)}. Received: mode={mode}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(f"Scaling is invalid, it must be `None`, "
                             f"'density' or 'spectrum'. Received "
                             f"scaling={scaling}")
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is invalid, it should be 'valid', "
                             f"'same'. Received: padding={padding}")
        # checks the window's name now, as Keras
        initializers.STFT("real", window, scaling, periodic)
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or \
            2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=shape,
                initializer=initializers.STFT("real", self.window,
                                              self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=shape,
                initializer=initializers.STFT("imag", self.window,
                                              self.scaling, self.periodic))

    # ---- framing ---------------------------------------------------------

    def _signals(self, x):
        """(batch * channels, time) rows of the input."""
        if self.data_format == "channels_last":
            x = x.transpose(0, 2, 1)
        return np.ascontiguousarray(x).reshape(-1, x.shape[-1])

    def _frames(self, rows):
        frames, before, padded = _frame_layout(
            rows.shape[1], self.frame_length, self._frame_step, self.padding)
        if frames <= 0:
            raise ValueError(
                f"STFTSpectrogram '{self.name}': a signal of "
                f"{rows.shape[1]} samples is shorter than frame_length="
                f"{self.frame_length} ('valid' padding gives no frame)")
        if padded != rows.shape[1]:
            rows = np.pad(rows, ((0, 0), (before,
                                          padded - rows.shape[1] - before)))
        index = np.arange(frames)[:, None] * self._frame_step + \
            np.arange(self.frame_length)[None, :]
        return rows[:, index], before        # (rows, frames, frame_length)

    def _arrange(self, out, batch, channels):
        """(batch * channels, frames, bins) -> the layer's output layout."""
        frames, bins = out.shape[1:]
        out = out.reshape(batch, channels, frames, bins)
        if self.data_format == "channels_last":
            out = out.transpose(0, 2, 3, 1) if self.expand_dims else \
                out.transpose(0, 2, 1, 3).reshape(batch, frames,
                                                  channels * bins)
        elif not self.expand_dims:
            out = out.transpose(0, 1, 3, 2).reshape(batch, channels * bins,
                                                    frames)
        return np.ascontiguousarray(out, np.float32)

    def _unarrange(self, dy, batch, channels, bins):
        """The inverse of _arrange for gradients."""
        if self.data_format == "channels_last":
            if self.expand_dims:
                dy = dy.transpose(0, 3, 1, 2)
            else:
                frames = dy.shape[1]
                dy = dy.reshape(batch, frames, channels, bins).transpose(
                    0, 2, 1, 3)
        elif not self.expand_dims:
            frames = dy.shape[-1]
            dy = dy.reshape(batch, channels, bins, frames).transpose(
                0, 1, 3, 2)
        return dy.reshape(batch * channels, -1, bins)

    # ---- forward and backward ---------------------------------------------

    def call(self, inputs, training=None):
        batch = inputs.shape[0]
        channels = inputs.shape[2 if self.data_format == "channels_last"
                                else 1]
        frames, before = self._frames(self._signals(inputs))
        real = imag = None
        if self.mode != "imag":
            real = frames @ self.real_kernel.value[:, 0, :]
        if self.mode != "real":
            imag = frames @ self.imag_kernel.value[:, 0, :]
        eps = np.float32(_epsilon())
        mode = self.mode
        if mode == "real":
            out = real
        elif mode == "imag":
            out = imag
        elif mode == "angle":
            out = np.arctan2(imag, real)
        elif mode == "stft":
            out = np.concatenate([real, imag], axis=-1)
        else:
            power = np.square(real) + np.square(imag)
            if mode == "psd":
                out = power.copy()
                out[..., 1:-1] *= 2
            else:
                out = np.sqrt(np.maximum(power, eps))
                if mode == "log":
                    out = np.log(np.maximum(out, eps))
        if training:
            self._saved = (frames, before, real, imag, inputs.shape)
        return self._arrange(out, batch, channels)

    def backward(self, dy):
        frames, before, real, imag, shape = self._saved
        batch = shape[0]
        last = self.data_format == "channels_last"
        channels, length = (shape[2], shape[1]) if last else \
            (shape[1], shape[2])
        bins = self._fft_length // 2 + 1
        d = self._unarrange(np.asarray(dy, np.float32), batch, channels,
                            2 * bins if self.mode == "stft" else bins)
        eps = np.float32(_epsilon())
        mode = self.mode
        d_real = d_imag = None
        if mode == "real":
            d_real = d
        elif mode == "imag":
            d_imag = d
        elif mode == "stft":
            d_real, d_imag = d[..., :bins], d[..., bins:]
        elif mode == "angle":
            norm = np.square(real) + np.square(imag)
            norm = np.where(norm > 0, norm, 1)
            d_real, d_imag = -imag / norm * d, real / norm * d
        else:
            power = np.square(real) + np.square(imag)
            if mode == "psd":
                d_power = d.copy()
                d_power[..., 1:-1] *= 2
            else:
                magnitude = np.sqrt(np.maximum(power, eps))
                if mode == "log":
                    d = np.where(magnitude > eps, d / magnitude, 0)
                d_power = np.where(power > eps, d / (2 * magnitude), 0)
            d_real, d_imag = 2 * real * d_power, 2 * imag * d_power
        flat = frames.reshape(-1, self.frame_length)
        d_frames = np.zeros(frames.shape, np.float32)
        for kernel, grad in ((getattr(self, "real_kernel", None), d_real),
                             (getattr(self, "imag_kernel", None), d_imag)):
            if grad is None:
                continue
            grad = np.asarray(grad, np.float32)
            store_grad(kernel, (flat.T @ grad.reshape(-1, bins))[:, None, :])
            d_frames += grad @ kernel.value[:, 0, :].T
        n_frames, _, padded = _frame_layout(
            length, self.frame_length, self._frame_step, self.padding)
        rows = np.zeros((frames.shape[0], padded), np.float32)
        stop = (n_frames - 1) * self._frame_step + 1
        for tap in range(self.frame_length):
            rows[:, tap:tap + stop:self._frame_step] += d_frames[:, :, tap]
        rows = rows[:, before:before + length]
        dx = rows.reshape(batch, channels, length)
        if last:
            dx = dx.transpose(0, 2, 1)
        return np.ascontiguousarray(dx, np.float32)

    def compute_output_shape(self, input_shape):
        last = self.data_format == "channels_last"
        channels = input_shape[-1] if last else input_shape[1]
        length = input_shape[1] if last else input_shape[2]
        bins = self._fft_length // 2 + 1
        if self.mode == "stft":
            bins *= 2
        frames = None if length is None else _frame_layout(
            length, self.frame_length, self._frame_step, self.padding)[0]
        batch = input_shape[0]
        if self.expand_dims:
            return (batch, frames, bins, channels) if last else \
                (batch, channels, frames, bins)
        features = None if channels is None else channels * bins
        return (batch, frames, features) if last else \
            (batch, features, frames)

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "frame_length": self.frame_length,
                       "frame_step": self.frame_step,
                       "fft_length": self.fft_length, "window": self.window,
                       "periodic": self.periodic, "scaling": self.scaling,
                       "padding": self.padding,
                       "data_format": self.data_format,
                       "expand_dims": self.expand_dims})
        return config


# ---- MelSpectrogram ---------------------------------------------------------

_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def _hertz_to_mel(hertz):
    return _MEL_HIGH_Q * np.log(1.0 + hertz / _MEL_BREAK_HZ)


def linear_to_mel_weight_matrix(num_mel_bins, num_spectrogram_bins,
                                sampling_rate, lower_edge_hertz,
                                upper_edge_hertz):
    """(num_spectrogram_bins, num_mel_bins) float32 triangular HTK mel
    filters; the DC bin gets no weight."""
    linear = np.linspace(0.0, sampling_rate / 2.0,
                         num_spectrogram_bins)[1:]
    spectrum_mel = _hertz_to_mel(linear)[:, None]
    edges = np.linspace(_hertz_to_mel(float(lower_edge_hertz)),
                        _hertz_to_mel(float(upper_edge_hertz)),
                        num_mel_bins + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (spectrum_mel - lower) / (center - lower)
    falling = (upper - spectrum_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.pad(weights, ((1, 0), (0, 0))).astype(np.float32)


@register_builtin
class MelSpectrogram(Layer):
    """Audio (batch, samples) or (samples,) -> mel spectrogram (batch,
    num_mel_bins, frames) or (num_mel_bins, frames), frames = samples //
    sequence_stride + 1.

    The signal is reflect-padded by fft_length // 2 on both ends, framed
    (ops.stft, periodic window), |STFT| ** mag_exp is mapped to mel bands
    and, with power_to_db, to decibels relative to ref_power, floored at
    top_db below the largest value of the whole batch (as Keras).

    Args:
        fft_length, sequence_stride, sequence_length (default fft_length),
        window ("hann", "hamming" or None), sampling_rate, num_mel_bins,
        min_freq, max_freq (default sampling_rate / 2), power_to_db,
        top_db, mag_exp, min_power, ref_power: as Keras.

    A preprocessing layer: no weights and no gradient to its input.
    """

    def __init__(self, fft_length=2048, sequence_stride=512,
                 sequence_length=None, window="hann", sampling_rate=16000,
                 num_mel_bins=128, min_freq=20.0, max_freq=None,
                 power_to_db=True, top_db=80.0, mag_exp=2.0,
                 min_power=1e-10, ref_power=1.0, **kwargs):
        owner = "MelSpectrogram"
        self.fft_length = _positive_int(owner, "fft_length", fft_length)
        self.sequence_stride = _positive_int(owner, "sequence_stride",
                                             sequence_stride)
        self.sequence_length = _positive_int(
            owner, "sequence_length", sequence_length or fft_length)
        if self.fft_length < self.sequence_length:
            raise ValueError(
                f"`fft_length` must be greater than or equal to  "
                f" `sequence_length`. Received: `sequence_length`="
                f"{self.sequence_length}, `fft_length`={self.fft_length}.")
        if window is not None and window not in ("hann", "hamming"):
            raise ValueError(f'MelSpectrogram: window must be "hann", '
                             f'"hamming" or None, received window={window!r}')
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = _positive_int(owner, "num_mel_bins",
                                          num_mel_bins)
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)

    def _convert_input(self, inputs):
        data = np.asarray(inputs)
        if data.dtype == np.float64:
            return data
        return super()._convert_input(inputs)

    def call(self, inputs, training=None):
        from seqcore.ops.extra_ops import stft
        if inputs.ndim not in (1, 2):
            raise ValueError(f"MelSpectrogram '{self.name}': expected audio "
                             f"(batch, samples) or (samples,), received "
                             f"shape {inputs.shape}")
        if inputs.shape[-1] <= self.fft_length // 2:
            raise ValueError(
                f"MelSpectrogram '{self.name}': {inputs.shape[-1]} samples "
                f"are too few to reflect-pad by fft_length // 2 = "
                f"{self.fft_length // 2}")
        real, imag = stft(inputs, self.sequence_length, self.sequence_stride,
                          self.fft_length, window=self.window, center=True)
        spectrum = np.power(np.sqrt(np.square(real) + np.square(imag)),
                            self.mag_exp)
        matrix = linear_to_mel_weight_matrix(
            self.num_mel_bins, spectrum.shape[-1], self.sampling_rate,
            self.min_freq, self.max_freq).astype(spectrum.dtype)
        mel = np.tensordot(spectrum, matrix, axes=1)
        if self.power_to_db:
            floor = self.min_power
            mel = 10.0 * np.log10(np.maximum(mel, floor))
            mel = mel - 10.0 * np.log10(max(abs(self.ref_power), floor))
            mel = np.maximum(mel, mel.max() - self.top_db)
        return np.ascontiguousarray(np.swapaxes(mel, -1, -2), np.float32)

    def backward(self, dy, need_input_grad=True):
        if need_input_grad:
            raise NotImplementedError(
                f"MelSpectrogram '{self.name}' is a preprocessing layer: it "
                f"has no gradient to its input (put it before the first "
                f"trainable layer)")
        return None

    def compute_output_shape(self, input_shape):
        length = input_shape[-1]
        frames = None if length is None else \
            (length + self.sequence_stride + 1) // self.sequence_stride
        if len(input_shape) == 1:
            return (self.num_mel_bins, frames)
        return (input_shape[0], self.num_mel_bins, frames)

    def get_config(self):
        config = super().get_config()
        config.update({
            "fft_length": self.fft_length,
            "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length, "window": self.window,
            "sampling_rate": self.sampling_rate,
            "num_mel_bins": self.num_mel_bins, "min_freq": self.min_freq,
            "max_freq": self.max_freq, "power_to_db": self.power_to_db,
            "top_db": self.top_db, "mag_exp": self.mag_exp,
            "min_power": self.min_power, "ref_power": self.ref_power})
        return config
