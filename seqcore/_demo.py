"""`python -m seqcore demo`: what this build runs on, a Keras-style model
built and run on it, and its GEMM against numpy's on the shapes of dense
layers, checked for correctness."""
import time

import numpy as np

from seqcore import _kernels
from seqcore._runtime import build_info

SHAPES = [(1, 784, 256), (32, 784, 256), (128, 784, 256), (128, 256, 128),
          (1024, 1024, 1024)]


def _seconds_per_call(fn, budget=0.25):
    """Median seconds of fn over about `budget` seconds of calls."""
    # The other library's worker threads spin for a while after each call
    # and would steal cores from this one: let them go to sleep first.
    time.sleep(0.2)
    fn()
    times = []
    while sum(times) < budget or len(times) < 5:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _model_demo():
    import seqcore as keras
    from seqcore import layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax")], name="demo_cnn")
    model.summary()
    images = np.random.default_rng(0).random((256, 28, 28, 1), np.float32)
    seconds = _seconds_per_call(lambda: model(images), budget=0.5)
    probabilities = model(images)
    print(f"inference on {len(images)} images: {seconds * 1e3:.1f} ms "
          f"({len(images) / seconds:,.0f} images/s); each row of the "
          f"softmax sums to 1: {np.allclose(probabilities.sum(1), 1)}")
    print()


def run_demo():
    info = build_info()
    print(f"seqcore {info['version']}: kernels {info['isa']} "
          f"(available: {', '.join(info['isa_available'])}), "
          f"OpenMP {'on' if info['openmp'] else 'off'}, "
          f"{info['num_threads']} threads")
    print()
    _model_demo()
    print("relu(x @ W + b), float32: seqcore's fused GEMM vs numpy")
    print(f"{'(M, K, N)':<20}{'seqcore':>14}{'numpy':>14}{'ratio':>8}"
          f"{'max error':>12}")
    rng = np.random.default_rng(0)
    for m, k, n in SHAPES:
        x = rng.standard_normal((m, k)).astype(np.float32)
        w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        b = rng.standard_normal(n).astype(np.float32)
        out = np.empty((m, n), np.float32)
        t_sc = _seconds_per_call(
            lambda: _kernels.gemm(x, w, out, bias=b, activation="relu"))
        t_np = _seconds_per_call(lambda: np.maximum(x @ w + b, 0.0))
        err = np.abs(out - np.maximum(x.astype(np.float64) @ w + b, 0)).max()
        flops = 2.0 * m * k * n
        print(f"{str((m, k, n)):<20}{flops / t_sc / 1e9:>8.1f} GF/s"
              f"{flops / t_np / 1e9:>8.1f} GF/s{t_np / t_sc:>7.2f}x"
              f"{err:>12.1e}")
    return 0
