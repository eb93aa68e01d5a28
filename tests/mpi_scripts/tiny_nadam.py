"""An arena smaller than the ranks' cache-line chunks (4 weights on 3
ranks: ranks 1 and 2 update empty chunks) under Nadam, whose update
carries a running product from step to step: every rank must advance it.
A fit with the split update, then apply_gradients outside fit (each rank
updates its own copy, from its own product: no broadcast comes first).
Every rank checks that all hold the same weights; rank 0 saves them and
the losses."""
import sys

import numpy as np

import seqcore as keras
from _job import dense_stack, start
from seqcore.distribution import state


def main(out):
    start(seed=5)
    model = dense_stack(3, (1, None))
    optimizer = keras.optimizers.Nadam(0.05)
    model.compile(optimizer, "mse")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((48, 3)).astype(np.float32)
    y = rng.standard_normal((48, 1)).astype(np.float32)
    losses = model.fit(x, y, batch_size=12, epochs=2, verbose=0,
                       shuffle=False).history["loss"]
    # outside fit, each rank updates its own copy with its own product
    optimizer.apply_gradients(
        [(np.full(v.shape, 0.1, np.float32), v)
         for v in model.trainable_variables])
    weights = np.concatenate([w.ravel() for w in model.get_weights()])
    if state.comm().size > 1:
        every = state.comm().allgather(weights, "weights")
        assert all(r.tobytes() == weights.tobytes() for r in every), \
            "the ranks' weights differ"
    hooks = state.hooks()
    if state.is_chief():
        np.savez(out, weights=weights, loss=losses,
                 shared_updates=getattr(hooks, "shared_updates", 0))


if __name__ == "__main__":
    main(sys.argv[1])
