"""The smaller corners of keras.ops: array/view/nan_to_num, vander,
correlate, corrcoef, window functions, i0, segment reductions, cdist,
extract_sequences, the FFTs (complex values as (real, imag) pairs, as
Keras passes them), vectorize and custom_gradient. segment_sum, cdist,
extract_sequences and nan_to_num are differentiable (recorded ops);
custom_gradient records the user's own gradient function."""
import numpy as np

from seqcore.engine import tape as tape_module
from seqcore.engine.tape import constant, differentiable, plain
from seqcore.ops import numpy_ops as npo
from seqcore.ops._meta import ndim_of, shape_of
from seqcore.ops.dtypes import FLOATX, convert_to_array


def array(x, dtype=None):
    """x as an array (keras.ops.array)."""
    return npo.convert_to_tensor(x, dtype)


@constant
def view(x, dtype=None):
    """x's bytes reinterpreted as `dtype`."""
    x = convert_to_array(x)
    return x if dtype is None else x.view(np.dtype(dtype))


def _nan_to_num_vjp(g, out, x, nan=0.0, posinf=None, neginf=None):
    return (np.where(np.isfinite(np.asarray(x)), g, 0).astype(g.dtype),)


@differentiable(_nan_to_num_vjp)
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with NaN, +inf and -inf replaced (by default with 0 and the
    dtype's largest and smallest values)."""
    return np.nan_to_num(convert_to_array(x), nan=nan, posinf=posinf,
                         neginf=neginf)


def vander(x, N=None, increasing=False):  # noqa: N803 - Keras's name
    """The Vandermonde matrix of the 1-D x: columns x**(N-1) ... x**0
    (reversed when increasing)."""
    n = shape_of(x)[0] if N is None else int(N)
    powers = np.arange(n)
    if not increasing:
        powers = powers[::-1]
    x_ = convert_to_array(plain(x))
    powers = powers.astype(x_.dtype if x_.dtype.kind in "fi" else np.int32)
    return npo.power(npo.reshape(x, (-1, 1)), powers)


@constant
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D arrays ("valid", "same", "full")."""
    a, b = convert_to_array(x1), convert_to_array(x2)
    if a.dtype.kind != "f":
        a = a.astype(FLOATX)
    return np.correlate(a, b.astype(a.dtype), mode)


@constant
def corrcoef(x):
    """Pearson correlation coefficients of the rows of x."""
    x = convert_to_array(x)
    dtype = x.dtype if x.dtype.kind == "f" else FLOATX
    return np.corrcoef(x.astype(np.float64)).astype(dtype)


def _window(fn):
    def window(x):
        return fn(int(np.asarray(plain(x)))).astype(FLOATX)
    window.__name__ = fn.__name__
    window.__doc__ = f"numpy's {fn.__name__} window of length x (float32)."
    return window


bartlett = _window(np.bartlett)
blackman = _window(np.blackman)
hamming = _window(np.hamming)
hanning = _window(np.hanning)


def kaiser(x, beta):
    """The Kaiser window of length x (float32)."""
    return np.kaiser(int(np.asarray(plain(x))), beta).astype(FLOATX)


@constant
def i0(x):
    """The modified Bessel function of the first kind, order 0."""
    x = convert_to_array(x)
    dtype = x.dtype if x.dtype.kind == "f" else FLOATX
    return np.i0(x.astype(np.float64)).astype(dtype)


# ---- segments ---------------------------------------------------------------

def _segments(segment_ids, num_segments):
    ids = np.asarray(plain(segment_ids)).astype(np.int64)
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.size else 0
    return ids, int(num_segments)


def _segment_sum_vjp(g, out, data, ids, num_segments):
    valid = (ids >= 0) & (ids < num_segments)
    picked = g[np.clip(ids, 0, max(num_segments - 1, 0))]
    mask = valid.reshape(valid.shape + (1,) * (picked.ndim - 1))
    return np.where(mask, picked, 0).astype(g.dtype), None, None


@differentiable(_segment_sum_vjp)
def _segment_sum(data, ids, num_segments):
    data = convert_to_array(data)
    out = np.zeros((num_segments,) + data.shape[1:], data.dtype)
    valid = (ids >= 0) & (ids < num_segments)
    np.add.at(out, ids[valid], data[valid])
    return out


def segment_sum(data, segment_ids, num_segments=None,
                sorted=False):  # noqa: A002 - Keras's argument name
    """Sums of data's rows per segment id (rows with ids outside
    [0, num_segments) are dropped)."""
    ids, n = _segments(segment_ids, num_segments)
    return _segment_sum(data, ids, n)


def _segment_reduce(ufunc, identity):
    @constant
    def reduce(data, segment_ids, num_segments=None,
               sorted=False):  # noqa: A002 - Keras's argument name
        data = convert_to_array(data)
        ids, n = _segments(segment_ids, num_segments)
        out = np.full((n,) + data.shape[1:], identity(data.dtype),
                      data.dtype)
        valid = (ids >= 0) & (ids < n)
        ufunc.at(out, ids[valid], data[valid])
        return out
    return reduce


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


segment_max = _segment_reduce(np.maximum, _lowest)
segment_max.__doc__ = "Maxima of data's rows per segment id."
segment_min = _segment_reduce(np.minimum, _highest)
segment_min.__doc__ = "Minima of data's rows per segment id."
segment_prod = _segment_reduce(np.multiply, lambda dtype: 1)
segment_prod.__doc__ = "Products of data's rows per segment id."


# ---- distances and framing --------------------------------------------------

def cdist(x, y):
    """Euclidean distances between the rows of x (..., m, d) and y
    (..., n, d): (..., m, n)."""
    if ndim_of(x) < 2 or ndim_of(y) < 2:
        raise ValueError("`cdist` inputs must have rank >= 2")
    if shape_of(x)[-1] != shape_of(y)[-1]:
        raise ValueError("Last dimension of inputs to `cdist` must match")
    diff = npo.subtract(npo.expand_dims(x, -2), npo.expand_dims(y, -3))
    return npo.sqrt(npo.sum(npo.multiply(diff, diff), axis=-1))


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of the last axis: (..., n) -> (..., frames, length)."""
    from seqcore.ops.shape_ops import take
    n = shape_of(x)[-1]
    frames = 1 + (n - sequence_length) // sequence_stride
    index = (np.arange(frames)[:, None] * sequence_stride +
             np.arange(sequence_length)[None, :])
    return take(x, index, axis=-1)


# ---- FFTs (complex values as (real, imag)) ----------------------------------

def _complex(x, name):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name}: input must be a tuple of two tensors "
                         f"(real, imaginary), received {type(x).__name__}")
    real, imag = (convert_to_array(plain(v)) for v in x)
    if real.shape != imag.shape:
        raise ValueError(f"{name}: the real and imaginary parts must have "
                         f"the same shape, received {real.shape} and "
                         f"{imag.shape}")
    if real.dtype.kind != "f" or imag.dtype.kind != "f":
        raise ValueError(f"{name}: the parts must be float tensors, "
                         f"received {real.dtype} and {imag.dtype}")
    return real + 1j * imag, real.dtype


def _pair(z, dtype):
    return np.real(z).astype(dtype), np.imag(z).astype(dtype)


def fft(x):
    """The FFT along the last axis of the complex x = (real, imag)."""
    z, dtype = _complex(x, "fft")
    return _pair(np.fft.fft(z), dtype)


def fft2(x):
    """The 2-D FFT over the last two axes of x = (real, imag)."""
    z, dtype = _complex(x, "fft2")
    return _pair(np.fft.fft2(z), dtype)


def ifft2(x):
    """The inverse 2-D FFT over the last two axes of x = (real, imag)."""
    z, dtype = _complex(x, "ifft2")
    return _pair(np.fft.ifft2(z), dtype)


def _spectrum_vjp(part):
    """vjp of the real (part 0) or imaginary (part 1) part of rfft: the
    transposed DFT, by an inverse FFT of the zero-filled gradient."""
    def vjp(g, out, x, n):
        full = np.zeros(g.shape[:-1] + (n,), np.complex128)
        full[..., :g.shape[-1]] = g
        back = np.fft.ifft(full, axis=-1) * n
        d = np.real(back) if part == 0 else -np.imag(back)
        size = np.shape(x)[-1]
        if size > n:
            d = np.concatenate([d, np.zeros(d.shape[:-1] + (size - n,))], -1)
        return (d[..., :size].astype(g.dtype), None)
    return vjp


@differentiable(_spectrum_vjp(0))
def _rfft_real(x, n):
    x = convert_to_array(x)
    dtype = x.dtype if x.dtype.kind == "f" else FLOATX
    return np.real(np.fft.rfft(x, n=n, axis=-1)).astype(dtype)


@differentiable(_spectrum_vjp(1))
def _rfft_imag(x, n):
    x = convert_to_array(x)
    dtype = x.dtype if x.dtype.kind == "f" else FLOATX
    return np.imag(np.fft.rfft(x, n=n, axis=-1)).astype(dtype)


def rfft(x, fft_length=None):
    """The FFT of the real x along its last axis: (real, imag) of the
    fft_length // 2 + 1 non-negative frequencies (differentiable)."""
    n = shape_of(x)[-1] if fft_length is None else int(fft_length)
    return _rfft_real(x, n), _rfft_imag(x, n)


def _stft_window(window, sequence_length, fft_length, dtype):
    left = (fft_length - sequence_length) // 2
    right = fft_length - sequence_length - left
    if window is None:
        return np.ones(fft_length, dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(
                f'If a string is passed to `window`, it must be one of '
                f'`"hann"`, `"hamming"`. Received: window={window}')
        k = np.arange(sequence_length)
        a = 0.5 if window == "hann" else 0.54
        win = a - (1 - a) * np.cos(2 * np.pi * k / sequence_length)
    else:
        win = np.asarray(plain(window), np.float64)
        if win.ndim != 1 or win.shape[0] != sequence_length:
            raise ValueError(
                f"The shape of `window` must be equal to [sequence_length]."
                f"Received: window shape={win.shape}")
    return np.pad(win, (left, right)).astype(dtype)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann",
         center=True):
    """Short-time Fourier transform along the last axis.

    Args:
        x: float32/float64 signals (..., samples).
        sequence_length: frame length (the window's).
        sequence_stride: hop between frames.
        fft_length: FFT size (>= sequence_length; the window is centred).
        window: "hann" or "hamming" (periodic), an array, or None.
        center: reflect-pad fft_length // 2 on both ends first.
    Returns:
        (real, imag), each (..., frames, fft_length // 2 + 1).
    """
    from seqcore.ops.shape_ops import pad, take
    dtype = convert_to_array(plain(x)).dtype
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"Invalid input type. Expected `float32` or "
                        f"`float64`. Received: input type={dtype}")
    if fft_length < sequence_length:
        raise ValueError(
            f"`fft_length` must equal or larger than `sequence_length`. "
            f"Received: sequence_length={sequence_length}, "
            f"fft_length={fft_length}")
    win = _stft_window(window, sequence_length, fft_length, dtype)
    if center:
        widths = [(0, 0)] * (ndim_of(x) - 1) + [(fft_length // 2,) * 2]
        x = pad(x, widths, mode="reflect")
    n = shape_of(x)[-1]
    frames = 1 + (n - fft_length) // sequence_stride
    index = (np.arange(frames)[:, None] * sequence_stride +
             np.arange(fft_length)[None, :])
    framed = npo.multiply(take(x, index, axis=-1), win)
    return rfft(framed, fft_length)


def istft(x, sequence_length, sequence_stride, fft_length, length=None,
          window="hann", center=True):
    """The inverse of stft: frames inverse-transformed, windowed and
    overlap-added, divided by the overlap-added squared window.

    Args:
        x: (real, imag), each (..., frames, fft_length // 2 + 1).
        length: the output length (default: all, minus the centre
            padding when center).
    """
    z, dtype = _complex(x, "istft")
    if z.ndim < 2:
        raise ValueError(f"Input `x` must have at least 2 dimensions. "
                         f"Received shape: {z.shape}")
    win = _stft_window(window, sequence_length, fft_length,
                       np.float64)
    frames = z.shape[-2]
    total = fft_length + sequence_stride * (frames - 1)
    pieces = np.fft.irfft(z, n=fft_length, axis=-1) * win
    signal = np.zeros(z.shape[:-2] + (total,))
    norm = np.zeros(total)
    for f in range(frames):
        at = f * sequence_stride
        signal[..., at:at + fft_length] += pieces[..., f, :]
        norm[at:at + fft_length] += win * win
    signal = signal / np.where(norm > 1e-10, norm, 1.0)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = total - fft_length // 2
    else:
        end = total
    return signal[..., start:end].astype(dtype)


def irfft(x, fft_length=None):
    """The real signal whose rfft is x = (real, imag)."""
    z, dtype = _complex(x, "irfft")
    return np.fft.irfft(z, n=fft_length, axis=-1).astype(dtype)


def view_as_complex(x):
    """(..., 2) real -> complex (...)."""
    x = convert_to_array(plain(x))
    if x.shape[-1] != 2:
        raise ValueError(f"view_as_complex: the last axis must have size 2, "
                         f"received shape {x.shape}")
    return x[..., 0] + 1j * x[..., 1]


def view_as_real(x):
    """complex (...) -> (..., 2) real."""
    x = np.asarray(plain(x))
    return np.stack([np.real(x), np.imag(x)], axis=-1)


# ---- functions of functions -------------------------------------------------

def vectorize(pyfunc, *, excluded=None, signature=None):
    """pyfunc mapped over its arguments' leading axes, the results
    stacked (a loop here); with `signature`, numpy's rules."""
    if signature is not None:
        return np.vectorize(pyfunc, excluded=excluded, signature=signature)

    def mapped(*args):
        from seqcore.ops.core_ops import _slice_tree, _stack_tree
        n = shape_of(args[0])[0]
        return _stack_tree([pyfunc(*[_slice_tree(a, i) for a in args])
                            for i in range(n)])
    return mapped


def custom_gradient(f):
    """Decorator: f(*args) returns (y, grad_fn); the result is y, and in
    training the gradient of the inputs is grad_fn(upstream) (one value
    per argument, or a single one for one argument)."""
    def vjp(g, out, *values, **kwargs):
        grads = out_grad_fns.pop(id(out))(g)
        if not isinstance(grads, (tuple, list)):
            grads = (grads,)
        return tuple(None if v is None else np.asarray(plain(v))
                     for v in grads)

    out_grad_fns = {}

    def forward(*args, **kwargs):
        y, grad_fn = f(*args, **kwargs)
        y = np.asarray(plain(y))
        out_grad_fns[id(y)] = grad_fn
        return y

    recorded = differentiable(vjp)(forward)

    def wrapper(*args, **kwargs):
        if tape_module.active() is None:
            return f(*args, **kwargs)[0]
        return recorded(*args, **kwargs)
    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper


__all__ = [
    "array", "bartlett", "blackman", "cdist", "corrcoef", "correlate",
    "custom_gradient", "extract_sequences", "fft", "fft2", "hamming",
    "hanning", "i0", "ifft2", "irfft", "istft", "kaiser", "nan_to_num",
    "rfft", "stft",
    "segment_max", "segment_min", "segment_prod", "segment_sum", "vander",
    "vectorize", "view", "view_as_complex", "view_as_real",
]
