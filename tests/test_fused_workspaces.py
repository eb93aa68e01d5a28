"""The fused convolution + max pooling sizes its workspaces from each call.

Issue 13: the guides' convnet raised MemoryError on its first call, because
a workspace of the fused kernel was sized from something other than the
current call (an empty chunk asked the per-thread scratch for 0 floats and
got NULL before any earlier call had grown it). These tests run every
fused path -- thin, Winograd, im2col + GEMM; pooling windows 2 and 3;
strides 1 and 2; 'same' and 'valid' -- on fresh models at batch 1, 2, 3 and
back to 1, each on a fresh thread (whose scratch buffers start empty, as a
new process's do), against the same layers run unfused; then the guides'
convnets on 250x250x3 images, in inference and in training; then the error
a genuine allocation failure raises.
"""
import re
import subprocess
import sys
import threading

import numpy as np
import pytest

import seqcore as keras
from seqcore import _kernels, layers
from seqcore.layers import _windows
from tests.conftest import AVAILABLE_ISAS, same_bits_with_threads

RNG = np.random.default_rng(13)
BATCHES = (1, 2, 3, 1)


def on_fresh_thread(fn):
    """fn() on a new thread, whose kernels' scratch buffers (per thread,
    kept between calls) start empty; returns its result or re-raises."""
    box = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as exc:  # re-raised on the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def count_fused_calls(monkeypatch):
    """A list that grows by one at every call of the fused kernel."""
    calls = []
    real = _kernels.conv2d_maxpool_forward
    monkeypatch.setattr(_kernels, "conv2d_maxpool_forward",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def no_fusion(monkeypatch):
    """Models built from now on run every max pooling as its own layer."""
    monkeypatch.setattr(layers.MaxPooling2D, "fuses_with",
                        lambda self, producer: False)


def kernel_path(conv, pool, input_shape):
    """The fused kernel's path for Conv2D `conv` (built) on input_shape
    (h, w, c) followed by MaxPooling2D `pool`."""
    shape = (1,) + tuple(input_shape)
    _, strides, dilation, out, pads = _windows.geometry(
        conv, shape, conv.kernel_size, conv.strides, conv.dilation_rate)
    return _kernels.conv2d_maxpool_path(shape, tuple(conv.kernel_size),
                                        strides, dilation, pads, tuple(out),
                                        tuple(pool.pool_size))


# ---- every fused path on fresh models, batch 1, 2, 3, 1 ---------------------

# (path, input (h, w, c), filters, kernel, strides, padding, pool)
PATH_CASES = [
    (path, shape, filters, kernel, strides, padding, pool)
    for path, shape, filters, kernel in [
        ("thin", (37, 41, 3), 7, 3),       # kw * c = 9 < 16
        ("gemm", (45, 47, 16), 33, 5),     # im2col + GEMM
    ]
    for strides in (1, 2)
    for padding in ("same", "valid")
    for pool in (2, 3)
] + [
    ("winograd", (26, 31, 9), 33, 3, 1, "same", 2),
    ("winograd", (26, 31, 9), 33, 3, 1, "valid", 2),
    # one pooled row of a wide image is more than a chunk's pixels
    ("gemm", (7, 700, 6), 5, 3, 1, "same", 2),
    ("thin", (7, 700, 1), 4, 5, 1, "valid", 3),
    # a 5x5 kernel at stride 2 before a 3x3 pooling (the guides' first pair)
    ("thin", (61, 61, 3), 8, 5, 2, "valid", 3),
]


def case_id(case):
    path, shape, filters, kernel, strides, padding, pool = case
    return (f"{path}-{'x'.join(map(str, shape))}-f{filters}-k{kernel}-"
            f"s{strides}-{padding}-p{pool}")


def conv_pool_model(shape, filters, kernel, strides, padding, pool):
    keras.utils.set_random_seed(5)
    return keras.Sequential([
        keras.Input(shape), layers.Conv2D(filters, kernel, strides=strides,
                                          padding=padding, activation="relu",
                                          bias_initializer="random_normal"),
        layers.MaxPooling2D(pool)])


@pytest.mark.parametrize("case", PATH_CASES, ids=case_id)
def test_fresh_models_at_batch_1_2_3_1_match_the_unfused_layers(
        isa, monkeypatch, case):
    path, shape, filters, kernel, strides, padding, pool = case
    xs = [RNG.standard_normal((n,) + shape).astype(np.float32)
          for n in BATCHES]
    fused_model = conv_pool_model(shape, filters, kernel, strides, padding,
                                  pool)
    conv, pooling = fused_model.layers
    assert kernel_path(conv, pooling, shape) == path
    calls = count_fused_calls(monkeypatch)
    fused = on_fresh_thread(lambda: [fused_model(x) for x in xs])
    assert len(calls) == len(BATCHES)

    with monkeypatch.context() as m:
        no_fusion(m)
        plain_model = conv_pool_model(shape, filters, kernel, strides,
                                      padding, pool)
        plain = [plain_model(x) for x in xs]
    assert len(calls) == len(BATCHES)

    for x, got, want in zip(xs, fused, plain):
        assert got.shape == want.shape
        assert got.shape[0] == x.shape[0]
        if path == "winograd":  # its transforms round differently
            np.testing.assert_allclose(got, want, rtol=1e-5,
                                       atol=1e-5 * np.abs(want).max())
        else:  # the same operations as the unfused kernels
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("case", [PATH_CASES[8], PATH_CASES[16],
                                  PATH_CASES[18], PATH_CASES[19]],
                         ids=case_id)
def test_chunks_give_the_same_bits_at_1_and_2_threads(isa, threads, case):
    """Chunks of pooled rows (spanning images, or one row of a wide image)
    do not depend on the thread count."""
    path, shape, filters, kernel, strides, padding, pool = case
    model = conv_pool_model(shape, filters, kernel, strides, padding, pool)
    x = RNG.standard_normal((3,) + shape).astype(np.float32)

    def forward():
        return on_fresh_thread(lambda: model(x))
    same_bits_with_threads(threads, forward)


def test_the_issues_model_in_a_new_process():
    """The issue's exact program, in interpreters whose scratch buffers
    start empty, on every ISA, at batch 1, 2, 3 and 1."""
    program = (
        "import numpy as np, seqcore as keras\n"
        "from seqcore import layers\n"
        "model = keras.Sequential([keras.Input(shape=(250, 250, 3)),\n"
        "    layers.Conv2D(32, 5, strides=2, activation='relu'),\n"
        "    layers.Conv2D(32, 3, activation='relu'),\n"
        "    layers.MaxPooling2D(3)])\n"
        "for n in (1, 2, 3, 1):\n"
        "    y = model(np.ones((n, 250, 250, 3), np.float32))\n"
        "    assert y.shape == (n, 40, 40, 32), y.shape\n"
        "print('ok')\n")
    import os
    for isa in AVAILABLE_ISAS:
        env = dict(os.environ, SEQCORE_ISA=isa)
        done = subprocess.run([sys.executable, "-c", program], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (isa, done.stderr[-2000:])
        assert done.stdout.strip() == "ok"


# ---- the guides' convnets on 250x250x3 images -------------------------------

def guide_small():
    """The guides' debugging workflow, first summary."""
    return [keras.Input(shape=(250, 250, 3)),
            layers.Conv2D(32, 5, strides=2, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(3)]


def guide_full():
    """The guides' debugging workflow, the finished classifier."""
    return [keras.Input(shape=(250, 250, 3)),
            layers.Conv2D(32, 5, strides=2, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(3),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(3),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.GlobalMaxPooling2D(),
            layers.Dense(10)]


GUIDES = {"small": (guide_small, 1), "full": (guide_full, 3)}


def guide_model(name):
    keras.utils.set_random_seed(21)
    return keras.Sequential(GUIDES[name][0]())


@pytest.mark.parametrize("name", list(GUIDES))
def test_guide_convnet_inference_at_batch_1(monkeypatch, name):
    x = RNG.random((1, 250, 250, 3)).astype(np.float32)
    calls = count_fused_calls(monkeypatch)
    model = guide_model(name)
    fused = on_fresh_thread(lambda: model(x))
    assert len(calls) == GUIDES[name][1]
    with monkeypatch.context() as m:
        no_fusion(m)
        plain = guide_model(name)(x)
    assert len(calls) == GUIDES[name][1]
    assert fused.shape == ((1, 40, 40, 32) if name == "small" else (1, 10))
    if name == "small":  # thin and GEMM paths: the unfused operations
        np.testing.assert_array_equal(fused, plain)
    else:  # its last pair runs Winograd's transforms, rounding differently
        np.testing.assert_allclose(fused, plain, rtol=1e-4,
                                   atol=1e-5 * np.abs(plain).max())
    assert np.abs(plain).max() > 0


@pytest.mark.parametrize("name", list(GUIDES))
def test_guide_convnet_training_at_batch_1(monkeypatch, name):
    """Two training steps on one image: the same losses and weights with
    the fused kernel as with the layers run one after the other."""
    x = RNG.random((1, 250, 250, 3)).astype(np.float32)

    def train():
        keras.utils.set_random_seed(21)
        head = [layers.Flatten(), layers.Dense(10)] if name == "small" \
            else []
        model = keras.Sequential(GUIDES[name][0]() + head)
        start = model.get_weights()
        model.compile(keras.optimizers.SGD(0.05),
                      keras.losses.SparseCategoricalCrossentropy(
                          from_logits=True))
        loss = [float(model.train_on_batch(x, np.array([3])))
                for _ in range(2)]
        return loss, model.get_weights(), start

    calls = count_fused_calls(monkeypatch)
    fused_loss, fused_weights, start = on_fresh_thread(train)
    assert len(calls) == 2 * GUIDES[name][1]
    with monkeypatch.context() as m:
        no_fusion(m)
        plain_loss, plain_weights, _ = train()
    assert len(calls) == 2 * GUIDES[name][1]
    assert np.all(np.isfinite(fused_loss)) and fused_loss[1] != fused_loss[0]
    np.testing.assert_allclose(fused_loss, plain_loss, rtol=1e-5)
    for got, want, first in zip(fused_weights, plain_weights, start):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    # the convolutions before the pooling were trained too
    assert not np.array_equal(fused_weights[2], start[2])


# ---- a genuine allocation failure -------------------------------------------

@pytest.fixture
def alloc_limit():
    """Call alloc_limit(bytes): kernel allocations above it fail."""
    yield _kernels._set_alloc_limit
    _kernels._set_alloc_limit(None)


def test_failed_allocation_names_the_bytes_it_asked_for(alloc_limit):
    # Winograd's transformed kernel: 16 * c * filters floats, every call
    c, filters = 8, 12
    x = RNG.standard_normal((1, 6, 6, c)).astype(np.float32)
    k = RNG.standard_normal((3, 3, c, filters)).astype(np.float32)
    args = (x, k, None, (1, 1), (1, 1), (0, 0), (4, 4), (2, 2))
    assert _kernels.conv2d_maxpool_path(x.shape, (3, 3), *args[3:]) == \
        "winograd"
    alloc_limit(1024)
    want = 16 * c * filters * 4
    with pytest.raises(MemoryError, match=f"conv2d_maxpool: out of memory: "
                       f"could not allocate a workspace of {want} bytes"):
        _kernels.conv2d_maxpool_forward(*args)
    alloc_limit(None)
    assert _kernels.conv2d_maxpool_forward(*args).shape == (1, 2, 2, filters)


@pytest.mark.parametrize("case", [PATH_CASES[0], PATH_CASES[8]],
                         ids=case_id)
def test_failed_scratch_buffer_names_its_size(alloc_limit, case):
    """On a fresh thread the scratch buffers are allocated anew: a limit
    below them fails the call with their size, and lifting it lets the
    same call succeed."""
    path, shape, filters, kernel, strides, padding, pool = case
    model = conv_pool_model(shape, filters, kernel, strides, padding, pool)
    x = RNG.standard_normal((2,) + shape).astype(np.float32)
    want = model(x)
    alloc_limit(256)
    with pytest.raises(MemoryError) as info:
        on_fresh_thread(lambda: model(x))
    found = re.search(r"conv2d_maxpool: out of memory: could not allocate "
                      r"a workspace of (\d+) bytes \(\d+\.\d MiB\)",
                      str(info.value))
    assert found, str(info.value)
    assert int(found.group(1)) > 256
    alloc_limit(None)
    np.testing.assert_array_equal(on_fresh_thread(lambda: model(x)), want)


def test_memory_error_without_a_recorded_size():
    assert str(_kernels._memory_error("conv2d")) == "conv2d: out of memory"
