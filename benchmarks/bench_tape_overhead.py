"""The tape's Python overhead: per recorded op, and per training step of
the MLP written in ops (benchmarks/bench_ops_mlp.py).

    python benchmarks/bench_tape_overhead.py [--rounds 5]

Per op: `ops.add` on one-element arrays, recorded on an active tape and
then differentiated, against the same `ops.add` unrecorded: what remains
is the tape's bookkeeping (wrapping, the entry, the reverse walk with the
op's vjp, summing gradients). Per step: the ops MLP is run with tiny layers (2-2-2-2, batch
2), where the arithmetic costs nothing, against the same model in built-in
Dense layers; the difference per train_on_batch is the tape path's
overhead per step, and the number of entries recorded per step is given.
Figures are medians over rounds, in microseconds, one thread.
"""
import argparse
import statistics
import time

import numpy as np

import seqcore as keras
from seqcore import ops
from seqcore.engine import tape as tape_module

from bench_ops_mlp import OpsDense

OPS = 2000


def per_op(rounds):
    """(record, backward, plain) microseconds per op."""
    x = np.ones((1,), np.float32)
    record, back, bare = [], [], []
    for _ in range(rounds):
        tape = tape_module.Tape("bench")
        with tape_module.recording(tape):
            t = tape.watch(x)
            t0 = time.perf_counter()
            y = t
            for _ in range(OPS):
                y = ops.add(y, t)
            t1 = time.perf_counter()
        tape.backward([(y.node, np.ones((1,), np.float32))])
        t2 = time.perf_counter()
        v = x
        t3 = time.perf_counter()
        for _ in range(OPS):
            v = ops.add(v, x)       # the same op, not recorded
        t4 = time.perf_counter()
        record.append((t1 - t0) / OPS * 1e6)
        back.append((t2 - t1) / OPS * 1e6)
        bare.append((t4 - t3) / OPS * 1e6)
    return tuple(statistics.median(v) for v in (record, back, bare))


def tiny_model(dense):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input(shape=(2,)),
                          dense(2, activation="relu"),
                          dense(2, activation="relu"),
                          dense(2, activation="softmax")])
    m.compile(keras.optimizers.SGD(), "sparse_categorical_crossentropy")
    return m


def per_step(rounds, steps=300):
    """(ops-model, built-in model) microseconds per train_on_batch, and
    entries recorded per step."""
    x = np.ones((2, 2), np.float32)
    y = np.zeros(2, np.int64)
    models = {"ops": tiny_model(OpsDense),
              "builtin": tiny_model(keras.layers.Dense)}
    times = {k: [] for k in models}
    for m in models.values():
        for _ in range(20):
            m.train_on_batch(x, y)
    for _ in range(rounds):
        for kind, m in models.items():
            t0 = time.perf_counter()
            for _ in range(steps):
                m.train_on_batch(x, y)
            times[kind].append((time.perf_counter() - t0) / steps * 1e6)
    entries = sum(len(layer._saved[0].entries)
                  for layer in models["ops"].layers)
    return statistics.median(times["ops"]), \
        statistics.median(times["builtin"]), entries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    keras.set_num_threads(1)
    record, back, bare = per_op(args.rounds)
    print(f"per op (ops.add, 1 element): record {record:.2f} us, backward "
          f"{back:.2f} us, unrecorded ops.add {bare:.2f} us -> tape overhead "
          f"{record + back - bare:.2f} us per op")
    ops_step, builtin_step, entries = per_step(args.rounds)
    print(f"per train step of the tiny MLP: ops layers {ops_step:.0f} us, "
          f"built-in {builtin_step:.0f} us -> tape path overhead "
          f"{ops_step - builtin_step:.0f} us per step ({entries} ops "
          f"recorded per step, {(ops_step - builtin_step) / entries:.1f} us "
          f"each)")


if __name__ == "__main__":
    main()
