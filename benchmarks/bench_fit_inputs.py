"""fit's input and callback overheads (issue 15), one process:

    python benchmarks/bench_fit_inputs.py [--rounds 5]

1. The CNN benchmark model (benchmarks/compare.py's "cnn", batch 64, 16
   batches per epoch) fed by numpy arrays vs a keras.utils.PyDataset
   serving the same batches (workers=1 and workers=2): speed ratio.
2. The MLP benchmark model (batch 128, 40 batches) with no user callback
   vs with a callback defining every hook (plus History, CSVLogger-free):
   overhead in percent.
The variants run interleaved (one epoch of each in turn, `rounds` times,
after a warm-up epoch each) and each figure is the fastest epoch, so that
the load of a shared machine falls on all variants alike.
"""
import argparse
import statistics
import time

import numpy as np

import seqcore as keras


def cnn():
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax")])


def mlp():
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax")])


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch = x, y, batch

    def __len__(self):
        return len(self.x) // self.batch

    def __getitem__(self, i):
        part = slice(i * self.batch, (i + 1) * self.batch)
        return self.x[part], self.y[part]


class EveryHook(keras.callbacks.Callback):
    """Defines every hook and touches its logs, as a user callback may."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def _touch(self, *args, logs=None):
        self.count += 1

    def on_train_batch_begin(self, batch, logs=None):
        self.count += len(logs)

    def on_train_batch_end(self, batch, logs=None):
        self.count += len(logs)


for _hook in ("on_train_begin", "on_train_end", "on_epoch_begin",
              "on_epoch_end", "on_test_begin", "on_test_end",
              "on_test_batch_begin", "on_test_batch_end",
              "on_predict_begin", "on_predict_end",
              "on_predict_batch_begin", "on_predict_batch_end"):
    setattr(EveryHook, _hook, lambda self, *a, **k: None)


def timed(variants, rounds):
    """{name: fastest epoch in seconds}; variants: name -> (model,
    fit args, fit kwargs), run in turn."""
    for model, args, kwargs in variants.values():
        model.fit(*args, epochs=1, verbose=0, **kwargs)         # warm-up
    best = {name: float("inf") for name in variants}
    for _ in range(rounds):
        for name, (model, args, kwargs) in variants.items():
            start = time.perf_counter()
            model.fit(*args, epochs=1, verbose=0, **kwargs)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def fresh(build, seed=0):
    keras.utils.set_random_seed(seed)
    model = build()
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64 * 16, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, 64 * 16)
    t = timed({
        "arrays": (fresh(cnn), (x, y), {"batch_size": 64, "shuffle": False}),
        "w1": (fresh(cnn), (Batches(x, y, 64, workers=1),),
               {"shuffle": False}),
        "w2": (fresh(cnn), (Batches(x, y, 64, workers=2),),
               {"shuffle": False})}, rounds)
    print(f"CNN arrays           {t['arrays'] * 1e3:8.1f} ms/epoch")
    for workers in (1, 2):
        v = t[f"w{workers}"]
        print(f"CNN PyDataset w={workers}   {v * 1e3:8.1f} ms/epoch  "
              f"speed ratio {t['arrays'] / v:.3f}x")
    x = rng.standard_normal((128 * 40, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128 * 40)
    t = timed({
        "plain": (fresh(mlp), (x, y), {"batch_size": 128}),
        "heavy": (fresh(mlp), (x, y), {"batch_size": 128,
                                        "callbacks": [EveryHook()]})},
        rounds)
    print(f"MLP no callback      {t['plain'] * 1e3:8.1f} ms/epoch")
    print(f"MLP every hook       {t['heavy'] * 1e3:8.1f} ms/epoch  overhead "
          f"{(t['heavy'] / t['plain'] - 1) * 100:+.1f}% (whole fit; noisy)")
    # The callbacks' own cost per training step, measured alone: the two
    # batch hooks dispatched to the user callback, History and
    # ProgbarLogger, as fit dispatches them.
    model = fresh(mlp)
    callbacks = keras.callbacks.CallbackList(
        [EveryHook()], add_history=True, add_progbar=True, model=model,
        verbose=0, epochs=1, steps=40)
    logs = {"accuracy": 0.5, "loss": 1.0}
    calls = 20000
    start = time.perf_counter()
    for step in range(calls):
        callbacks.on_train_batch_begin(step)
        callbacks.on_train_batch_end(step, logs)
    per_step = (time.perf_counter() - start) / calls
    step_time = t["plain"] / 40
    print(f"hook dispatch        {per_step * 1e6:8.2f} us/step = "
          f"{per_step / step_time * 100:.3f}% of an MLP step")


if __name__ == "__main__":
    main()
