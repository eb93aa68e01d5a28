"""Batch logs when only some ranks want them: a fit with the progress bar
on rank 0 only (`verbose=1 if rank == 0 else 0`, as Horovod-style scripts
write), a fit with a callback reading every batch's logs on the last rank
only; then
evaluate(verbose=1) on rank 0 only; then a fit nobody reads batch logs of
(they are summed over ranks once per epoch). Each rank saves to
<prefix><rank>.npz: the batch losses its callback saw, the History,
evaluate's result, and how often the logs were summed in the last fit."""
import sys

import numpy as np

import seqcore as keras
from _job import dense_stack, start
from seqcore.distribution import state


def main(prefix):
    comm = start(seed=2)
    rank, last = comm.rank, comm.size - 1
    model = dense_stack(5, (7, "relu"), (3, "softmax"))
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(8)
    x = rng.standard_normal((60, 5)).astype(np.float32)
    y = rng.integers(0, 3, 60)
    seen = []
    reader = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(logs["loss"]))
    history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False,
                        verbose=1 if rank == 0 else 0)
    read = model.fit(x, y, batch_size=16, epochs=2, shuffle=False,
                     verbose=0, callbacks=[reader] if rank == last else [])
    evaluated = model.evaluate(x, y, batch_size=16,
                               verbose=1 if rank == 0 else 0)
    hooks = state.hooks()
    calls = []
    summed = hooks.logs

    def counting(*args):
        calls.append(1)
        return summed(*args)
    hooks.logs = counting
    quiet = model.fit(x, y, batch_size=16, epochs=2, shuffle=False,
                      verbose=0)
    np.savez(f"{prefix}{rank}.npz", seen=np.array(seen),
             loss=history.history["loss"] + read.history["loss"] +
             quiet.history["loss"],
             accuracy=history.history["accuracy"],
             evaluated=np.array(evaluated), log_sums=len(calls))


if __name__ == "__main__":
    main(sys.argv[1])
