"""Backward passes of the adaptive pooling layers, RMSNormalization,
ReversibleEmbedding and STFTSpectrogram against float64 central finite
differences of plain numpy references; and training through them."""
import numpy as np
import pytest

import seqcore as keras
from seqcore import layers
from seqcore.layers.pooling_adaptive import adaptive_bins
from tests.conftest import same_bits_with_threads
from tests.numeric import central_difference

RNG = np.random.default_rng(1618)


def check_backward(layer, x, reference, call_kwargs=None, n_weights=None):
    """layer.backward against d sum(reference(x, *weights) * w)."""
    call_kwargs = call_kwargs or {}
    trainable = layer.trainable_weights
    for v in trainable:
        v.grad = np.full(v.shape, np.nan, np.float32)
        v._grad_fresh = True
    weights = [v.numpy().astype(np.float64) for v in trainable]
    y = layer(x.astype(np.float32), training=True, **call_kwargs)
    w = RNG.standard_normal(y.shape)
    dx = layer.backward(w.astype(np.float32))
    grads = [v.grad.copy() for v in trainable]
    arrays = [x.astype(np.float64)] + weights
    got_all = [dx] + grads
    for index, got in enumerate(got_all):
        if got is None:
            continue
        want = central_difference(lambda: np.sum(reference(*arrays) * w),
                                  arrays[index])
        scale = max(np.abs(want).max(), 1e-3)
        np.testing.assert_allclose(got, want, atol=2e-3 * scale, rtol=2e-3,
                                   err_msg=f"gradient {index}")
    return got_all


# ---- adaptive pooling ----------------------------------------------------------

def adaptive_reference(x, sizes, fmt, reduce):
    """Box by box, in float64."""
    if fmt == "channels_first":
        x = np.moveaxis(x, 1, -1)
    spatial = x.shape[1:-1]
    bins = [list(zip(*adaptive_bins(n, o))) for n, o in zip(spatial, sizes)]
    out = np.empty((x.shape[0],) + tuple(sizes) + (x.shape[-1],))
    for index in np.ndindex(*sizes):
        box = tuple(slice(*bins[a][i]) for a, i in enumerate(index))
        part = x[(slice(None),) + box + (slice(None),)]
        out[(slice(None),) + index + (slice(None),)] = reduce(
            part.reshape(x.shape[0], -1, x.shape[-1]), axis=1)
    return np.moveaxis(out, -1, 1) if fmt == "channels_first" else out


@pytest.mark.parametrize("rank,shape,sizes,fmt", [
    (1, (2, 7, 3), (3,), "channels_last"),
    (1, (2, 3, 3), (5,), "channels_last"),       # more bins than steps
    (2, (2, 5, 6, 2), (2, 4), "channels_last"),
    (2, (1, 2, 7, 5), (3, 3), "channels_first"),
    (3, (1, 3, 4, 5, 2), (2, 3, 2), "channels_last"),
    (3, (1, 2, 3, 3, 4), (1, 2, 3), "channels_first"),
    (1, (2, 6, 3), (3,), "channels_last"),       # equal bins: C pooling
    (2, (2, 4, 6, 2), (2, 3), "channels_last"),  # equal bins: C pooling
])
@pytest.mark.parametrize("kind", ["Average", "Max"])
def test_adaptive_pooling_backward(rank, shape, sizes, fmt, kind):
    layer = getattr(layers, f"Adaptive{kind}Pooling{rank}D")(
        sizes, data_format=fmt)
    x = RNG.standard_normal(shape)
    reduce = np.mean if kind == "Average" else np.max
    np.testing.assert_allclose(layer(x.astype(np.float32)),
                               adaptive_reference(x, sizes, fmt, reduce),
                               rtol=1e-5, atol=1e-6)
    check_backward(layer, x, lambda x: adaptive_reference(x, sizes, fmt,
                                                          reduce))


@pytest.mark.parametrize("kind", ["Average", "Max"])
@pytest.mark.parametrize("shape,size", [((3, 14, 21, 5), (7, 3)),
                                        ((2, 33, 7), (11,)),
                                        ((1, 7, 1, 33), (1, 1))])
def test_equal_bins_run_the_pooling_kernel(threads, isa, kind, shape, size):
    """Sizes that are multiples of the output: the C pooling kernel, the
    same numbers as the numpy passes (forward and backward), identical
    bits at 1 and 2 threads, on every ISA."""
    rank = len(size)
    x = RNG.standard_normal(shape).astype(np.float32)
    dy = RNG.standard_normal((shape[0],) + size + (shape[-1],)).astype(
        np.float32)

    def run(fmt):
        layer = getattr(layers, f"Adaptive{kind}Pooling{rank}D")(
            size, data_format=fmt)
        data = x if fmt == "channels_last" else np.moveaxis(x, -1, 1)
        grad = dy if fmt == "channels_last" else np.moveaxis(dy, -1, 1)
        y = layer(np.ascontiguousarray(data), training=True)
        dx = layer.backward(np.ascontiguousarray(grad))
        if fmt == "channels_first":
            y, dx = np.moveaxis(y, 1, -1), np.moveaxis(dx, 1, -1)
        return [layer._saved[0], y, dx]
    kernel = same_bits_with_threads(threads, lambda: run("channels_last"))
    plain = run("channels_first")            # the numpy passes
    assert (kernel[0], plain[0]) == ("pool2d", "numpy")
    np.testing.assert_allclose(kernel[1], plain[1], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(kernel[2], plain[2], rtol=1e-6, atol=1e-6)


# ---- RMSNormalization --------------------------------------------------------------

@pytest.mark.parametrize("axis,shape", [(-1, (3, 5)), (-1, (2, 3, 4)),
                                        ([1, 2], (2, 3, 4)), (2, (2, 2, 3))])
def test_rms_normalization_backward(axis, shape):
    layer = layers.RMSNormalization(axis=axis, epsilon=0.01)
    x = RNG.standard_normal(shape)
    layer(x.astype(np.float32))
    layer.set_weights([RNG.standard_normal(layer.scale.shape)])
    axes = tuple(axis) if isinstance(axis, list) else axis

    def reference(x, scale):
        return x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) +
                           0.01) * scale
    check_backward(layer, x, reference)


# ---- ReversibleEmbedding ---------------------------------------------------------

@pytest.mark.parametrize("tie,cap", [(True, None), (False, None),
                                     (True, 1.5), (False, 0.7)])
def test_reversible_embedding_reverse_backward(tie, cap):
    layer = layers.ReversibleEmbedding(7, 4, tie_weights=tie,
                                       logit_soft_cap=cap)
    layer.build(None)
    layer.set_weights([RNG.standard_normal(w.shape) for w in layer.weights])
    x = RNG.standard_normal((2, 3, 4))

    def reference(x, embeddings, reverse=None):
        kernel = embeddings.T if tie else reverse
        logits = x @ kernel
        return logits if cap is None else cap * np.tanh(logits / cap)
    check_backward(layer, x, reference, {"reverse": True})


def test_reversible_embedding_forward_backward_and_shared_use_sum():
    """Embedding then reverse in one step: the tied table's gradient is the
    lookup's plus the projection's."""
    layer = layers.ReversibleEmbedding(5, 3)
    ids = np.array([[0, 3, 3], [4, 1, 0]])
    layer.build(None)
    table = RNG.standard_normal((5, 3))
    layer.set_weights([table])
    v = layer.embeddings
    v.grad = np.zeros(v.shape, np.float32)
    v._grad_fresh = True
    hidden = layer(ids, training=True)
    saved_forward = layer._saved
    logits = layer(hidden, training=True, reverse=True)
    w = RNG.standard_normal(logits.shape)
    dh = layer.backward(w.astype(np.float32))
    layer._saved = saved_forward
    assert layer.backward(dh) is None

    def loss():
        h = table[ids]
        return np.sum((h @ table.T) * w)
    want = central_difference(loss, table)
    np.testing.assert_allclose(v.grad, want, rtol=1e-3, atol=1e-4)


# ---- STFTSpectrogram ---------------------------------------------------------------

def stft_reference(x, kernels, layer):
    """Frame by frame in float64 with the layer's kernels."""
    last = layer.data_format == "channels_last"
    signals = np.moveaxis(x, -1, 1) if last else x      # (b, c, t)
    length, k, s = signals.shape[-1], layer.frame_length, layer._frame_step
    if layer.padding == "same":
        frames = -(-length // s)
        total = max((frames - 1) * s + k - length, 0)
        signals = np.pad(signals, ((0, 0), (0, 0),
                                   (total // 2, total - total // 2)))
    else:
        frames = (length - k) // s + 1
    framed = np.stack([signals[..., f * s:f * s + k] for f in range(frames)],
                      axis=2)                            # (b, c, f, k)
    parts = {}
    names = [n for n in ("real", "imag") if
             hasattr(layer, f"{n}_kernel")]
    for name, kernel in zip(names, kernels):
        parts[name] = framed @ kernel[:, 0, :]           # (b, c, f, bins)
    mode, eps = layer.mode, 1e-7
    if mode in ("real", "imag"):
        out = parts[mode]
    elif mode == "stft":
        out = np.concatenate([parts["real"], parts["imag"]], axis=-1)
    elif mode == "angle":
        out = np.arctan2(parts["imag"], parts["real"])
    else:
        power = parts["real"] ** 2 + parts["imag"] ** 2
        if mode == "psd":
            out = power.copy()
            out[..., 1:-1] *= 2
        else:
            out = np.sqrt(np.maximum(power, eps))
            if mode == "log":
                out = np.log(np.maximum(out, eps))
    b, c, f, n = out.shape
    if last:
        return out.transpose(0, 2, 3, 1) if layer.expand_dims else \
            out.transpose(0, 2, 1, 3).reshape(b, f, c * n)
    return out if layer.expand_dims else \
        out.transpose(0, 1, 3, 2).reshape(b, c * n, f)


@pytest.mark.parametrize("kwargs,shape", [
    ({"mode": "log"}, (2, 13, 2)),
    ({"mode": "magnitude", "padding": "same"}, (1, 11, 2)),
    ({"mode": "psd", "window": "hamming"}, (2, 12, 1)),
    ({"mode": "real", "fft_length": 8}, (1, 12, 2)),
    ({"mode": "imag", "scaling": "spectrum"}, (1, 12, 2)),
    ({"mode": "angle"}, (1, 10, 2)),
    ({"mode": "stft", "expand_dims": True, "padding": "same"}, (1, 9, 2)),
    ({"mode": "log", "data_format": "channels_first"}, (2, 2, 11)),
    ({"mode": "stft", "data_format": "channels_first",
      "expand_dims": True}, (1, 3, 10)),
])
def test_stft_spectrogram_backward(kwargs, shape):
    layer = layers.STFTSpectrogram(frame_length=5, frame_step=2, **kwargs)
    x = RNG.standard_normal(shape)
    layer(x.astype(np.float32))
    # random kernels: the DFT's have zero imaginary DC and Nyquist bins,
    # where the angle is discontinuous for a negative real part
    layer.set_weights([RNG.standard_normal(w.shape) for w in layer.weights])
    np.testing.assert_allclose(
        layer(x.astype(np.float32)),
        stft_reference(x, [w.numpy().astype(np.float64)
                           for w in layer.weights], layer),
        rtol=1e-4, atol=1e-5)
    check_backward(layer, x,
                   lambda x, *kernels: stft_reference(x, kernels, layer))


# ---- training through the layers --------------------------------------------------

def test_a_model_of_these_layers_trains():
    inputs = keras.Input((24, 2))
    h = layers.STFTSpectrogram(mode="magnitude", frame_length=6,
                               frame_step=3, fft_length=8)(inputs)
    h = layers.RMSNormalization()(h)
    h = layers.AdaptiveMaxPooling1D(3)(h)
    h = layers.Flatten()(h)
    h = layers.Dense(8)(h)
    h = layers.Reshape((1, 8))(h)
    h = layers.AdaptiveAveragePooling1D(2)(h)
    outputs = layers.Dense(1)(layers.Flatten()(h))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x = RNG.standard_normal((32, 24, 2)).astype(np.float32)
    y = np.abs(x).mean(axis=(1, 2))[:, None]
    before = [w.copy() for w in model.get_weights()]
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=15, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < first
    # the STFT kernels and the RMS scale are trained too, as in Keras
    changed = [not np.allclose(a, b) for a, b in
               zip(before, model.get_weights())]
    assert all(changed[:3])


def test_a_tied_language_model_trains():
    ids = keras.Input((6,), dtype="int32")
    emb = layers.ReversibleEmbedding(10, 8, logit_soft_cap=5.0)
    h = emb(ids)
    h = layers.RMSNormalization()(h)
    logits = emb(h, reverse=True)
    model = keras.Model(ids, logits)
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(
                      from_logits=True))
    x = RNG.integers(0, 10, (40, 6))
    first = model.evaluate(x, x, verbose=0)
    model.fit(x, x, epochs=20, verbose=0)
    assert model.evaluate(x, x, verbose=0) < 0.5 * first
