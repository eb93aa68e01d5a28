"""A model written entirely as custom layers in seqcore.ops against the same
model in built-in layers: training speed at batch 128.

    python benchmarks/bench_ops_mlp.py [--threads 1] [--rounds 5]

The model is the reference MLP (784-256-128-10, relu, relu, softmax; Adam,
sparse categorical cross-entropy). The custom version's Dense is
`ops.relu(ops.matmul(x, w) + b)` in a Layer subclass with no backward, so
fit differentiates it with the tape (engine/tape.py). One epoch of 40
batches is timed after a warm-up epoch; the two models take turns and a
figure is the median over rounds. ratio = custom speed / built-in speed
(the issue's target: at least 0.7).
"""
import argparse
import statistics
import time

import numpy as np

import seqcore as keras
from seqcore import ops

BATCH, STEPS = 128, 40


class OpsDense(keras.layers.Layer):
    """Dense written with ops: activation(x @ w + b)."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, activation

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="glorot_uniform", name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros",
                                 name="bias")

    def call(self, x):
        z = ops.matmul(x, self.w) + self.b
        if self.activation == "relu":
            return ops.relu(z)
        if self.activation == "softmax":
            return ops.softmax(z)
        return z


def model(kind):
    """The MLP in built-in layers ("builtin") or in ops layers ("ops")."""
    dense = keras.layers.Dense if kind == "builtin" else OpsDense
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape=(784,)),
                          dense(256, activation="relu"),
                          dense(128, activation="relu"),
                          dense(10, activation="softmax")])
    m.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy")
    return m


def epoch_fn(kind):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH * STEPS, 784)).astype(np.float32)
    y = rng.integers(0, 10, BATCH * STEPS)
    m = model(kind)
    return lambda: m.fit(x, y, batch_size=BATCH, epochs=1, verbose=0,
                         shuffle=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    keras.set_num_threads(args.threads)
    fns = {kind: epoch_fn(kind) for kind in ("builtin", "ops")}
    for fn in fns.values():
        fn()                                    # warm-up
    seconds = {kind: [] for kind in fns}
    for _ in range(args.rounds):
        for kind, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            seconds[kind].append(time.perf_counter() - t0)
    median = {k: statistics.median(v) for k, v in seconds.items()}
    for kind in fns:
        print(f"{kind:>8}: {BATCH * STEPS / median[kind]:10.0f} samples/s "
              f"({median[kind] / STEPS * 1e3:.2f} ms/step)")
    print(f"ratio ops / builtin speed: {median['builtin'] / median['ops']:.2f}"
          f" (threads {args.threads}, batch {BATCH}, median of "
          f"{args.rounds})")


if __name__ == "__main__":
    main()
