"""Uneven shards and a rebuilt gradient arena: 100 samples at batch 30 on
3 ranks split 10/10/10 (the last batch of 10 as 4/3/3: weights that are
not powers of two); between two fits the first layer is frozen, so the
optimizer lays out a smaller arena and the ranks move it into a new
shared-memory window. Saves (rank 0) the weights,
the losses and how many steps went through shared memory."""
import sys

import numpy as np

import seqcore as keras
from _job import dense_stack, start
from seqcore.distribution import state


def main(out):
    start(seed=3)
    model = dense_stack(6, (40, "tanh"), (9, "relu"), (4, "softmax"))
    model.compile(keras.optimizers.SGD(0.2),
                  "sparse_categorical_crossentropy")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((100, 6)).astype(np.float32)
    y = rng.integers(0, 4, 100)
    first = model.fit(x, y, batch_size=30, epochs=2, verbose=0,
                      shuffle=False)
    model.layers[0].trainable = False
    second = model.fit(x, y, batch_size=30, epochs=2, verbose=0,
                       shuffle=False)
    weights = [w.ravel() for w in model.get_weights()]
    if state.comm().size > 1:
        mine = np.concatenate(weights)
        every = state.comm().allgather(mine, "weights")
        assert all(r.tobytes() == mine.tobytes() for r in every), \
            "the ranks' weights differ"
    hooks = state.hooks()
    if state.is_chief():
        np.savez(out, weights=np.concatenate(weights),
                 loss=first.history["loss"] + second.history["loss"],
                 shared_steps=getattr(hooks, "shared_steps", 0))


if __name__ == "__main__":
    main(sys.argv[1])
