"""Two models with their own optimizers trained in turn with
train_on_batch (as a GAN's discriminator and generator are): under
`mpiexec -n 2` each rank gives its half of every batch. Saves (rank 0) both
models' weights and, under MPI, how many shared-memory windows the
reduction made (one per optimizer, each reused)."""
import sys

import numpy as np

import seqcore as keras
from _job import start
from seqcore.distribution import state


def main(out):
    comm = start(seed=2)
    first = keras.Sequential([keras.Input((5,)), keras.layers.Dense(7),
                              keras.layers.Dense(1)])
    second = keras.Sequential([keras.Input((3,)),
                               keras.layers.Dense(4, activation="tanh"),
                               keras.layers.Dense(2)])
    first.compile(keras.optimizers.Adam(0.01), "mse")
    second.compile(keras.optimizers.SGD(0.1), "mse")
    rng = np.random.default_rng(4)
    for _ in range(6):
        x1 = rng.standard_normal((8, 5)).astype(np.float32)
        y1 = rng.standard_normal((8, 1)).astype(np.float32)
        x2 = rng.standard_normal((8, 3)).astype(np.float32)
        y2 = rng.standard_normal((8, 2)).astype(np.float32)
        part = slice(4 * comm.rank, 4 * comm.rank + 4) if comm.size > 1 \
            else slice(None)
        first.train_on_batch(x1[part], y1[part])
        second.train_on_batch(x2[part], y2[part])
    node = getattr(state.hooks(), "_node", None)
    if state.is_chief():
        np.savez(out, first=np.concatenate(
                     [w.ravel() for w in first.get_weights()]),
                 second=np.concatenate(
                     [w.ravel() for w in second.get_weights()]),
                 windows=len(node._windows) if node else 0,
                 replaced=len(node._replaced) if node else 0)


if __name__ == "__main__":
    main(sys.argv[1])
