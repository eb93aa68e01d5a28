"""A 2-rank job where rank 1 misbehaves, for tests/test_distribution.py.

Usage: python faults.py MODE, MODE one of
  raise           rank 1 raises in a callback at its 3rd training step
  kill            rank 1 kills itself (SIGKILL) at its 3rd step
  stuck           rank 1 sleeps for 120 s at its 3rd step (never reaches
                  the next allreduce: the others must time out)
  mismatch_model  rank 1 builds a wider hidden layer
  mismatch_data   rank 1 is given one sample fewer
  no_shared       no rank can allocate the shared-memory window (as with
                  a full /dev/shm)
  stop            no fault: rank 1 alone sets stop_training at its 3rd
                  step of epoch 2; fit runs with verbose=2, a
                  ModelCheckpoint and a CSVLogger into the folder argv[2]
Every rank prints "finished" (and its step count) if training
completes."""
import os
import signal
import sys
import time

import numpy as np

import seqcore as keras
from _job import start
from seqcore.distribution import state


class Misbehave(keras.callbacks.Callback):
    def __init__(self, mode):
        super().__init__()
        self.mode = mode

    def on_train_batch_begin(self, batch, logs=None):
        if state.comm().rank != 1 or batch != 2:
            return
        if self.mode == "raise":
            raise RuntimeError("rank 1 failed on purpose")
        if self.mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if self.mode == "stuck":
            time.sleep(120)

    def on_train_batch_end(self, batch, logs=None):
        self.steps = getattr(self, "steps", 0) + 1
        if self.mode == "stop" and state.comm().rank == 1 and \
                self.steps == 11:
            self.model.stop_training = True


def main(mode):
    rank = start().rank
    if mode == "no_shared":
        from mpi4py import MPI
        from seqcore.distribution import node_reduce

        def full(*args, **kwargs):
            raise MPI.Exception(MPI.ERR_NO_MEM)
        node_reduce.shared_window = full
    keras.utils.set_random_seed(0)
    hidden = 9 if mode == "mismatch_model" and rank == 1 else 8
    model = keras.Sequential([keras.Input((6,)),
                              keras.layers.Dense(hidden, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    n = 63 if mode == "mismatch_data" and rank == 1 else 64
    x = rng.standard_normal((64, 6)).astype(np.float32)[:n]
    y = rng.standard_normal((64, 1)).astype(np.float32)[:n]
    callbacks = [Misbehave(mode)]
    verbose = 0
    if mode == "stop":
        folder = sys.argv[2]
        verbose = 2
        callbacks += [keras.callbacks.ModelCheckpoint(
                          os.path.join(folder, "rank{}.weights.h5".format(
                              rank)), save_weights_only=True),
                      keras.callbacks.CSVLogger(os.path.join(
                          folder, "log{}.csv".format(rank)))]
    model.fit(x, y, batch_size=8, epochs=2, verbose=verbose,
              callbacks=callbacks)
    print(f"finished rank {rank} after {callbacks[0].steps} steps",
          flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
