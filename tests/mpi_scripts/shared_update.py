"""Updates split over ranks through shared memory (node_reduce.py), and
the switches between that and each rank updating its own copy. AdamW with
biases excluded from weight decay (the decayed prefix ends inside the last
rank's share), fitted four times: with global_clipnorm, which reads every
gradient (each rank updates its own copy; a window without weights); with
clipvalue (elementwise: a new window holding the weights, updates split);
with global_clipnorm again (each rank its own copy again); with clipvalue
and a frozen first layer (a smaller arena in a new window, split again).
Then apply_gradients outside fit, on every rank (one update, not one per
rank). 100
samples at batch 30 on 3 ranks. Every rank checks that all ranks hold the
same weights and optimizer state; rank 0 saves them, the losses and the
step counts."""
import sys

import numpy as np

import seqcore as keras
from _job import dense_stack, start
from seqcore.distribution import state


def main(out):
    start(seed=4)
    model = dense_stack(6, (40, "tanh"), (9, "relu"), (4, "softmax"))
    optimizer = keras.optimizers.AdamW(0.02, weight_decay=0.05,
                                       global_clipnorm=0.5)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    model.compile(optimizer, "sparse_categorical_crossentropy")
    rng = np.random.default_rng(6)
    x = rng.standard_normal((100, 6)).astype(np.float32)
    y = rng.integers(0, 4, 100)

    def fit():
        return model.fit(x, y, batch_size=30, epochs=2, verbose=0,
                         shuffle=False).history["loss"]

    losses = fit()
    optimizer.clipvalue, optimizer.global_clipnorm = 0.5, None
    losses += fit()
    optimizer.clipvalue, optimizer.global_clipnorm = None, 0.5
    losses += fit()
    optimizer.clipvalue, optimizer.global_clipnorm = 0.5, None
    model.layers[0].trainable = False
    losses += fit()
    # outside fit every rank applies the same gradients: one update, not
    # one per rank on the shared copy
    variables = model.trainable_variables
    optimizer.apply_gradients(
        [(np.full(v.shape, 0.01, np.float32), v) for v in variables])
    weights = np.concatenate([w.ravel() for w in model.get_weights()])
    slots = np.concatenate([np.asarray(v, np.float64).ravel()
                            for v in optimizer.variables])
    if state.comm().size > 1:
        for name, mine in (("weights", weights), ("optimizer state", slots)):
            every = state.comm().allgather(mine, name)
            assert all(r.tobytes() == mine.tobytes() for r in every), \
                f"the ranks' {name} differ"
    hooks = state.hooks()
    # the batch splits are kept for predict's gather only, not at every
    # step of fit
    assert not getattr(hooks, "_predict_counts", []), "fit kept splits"
    if state.is_chief():
        np.savez(out, weights=weights, optimizer=slots, loss=losses,
                 shared_steps=getattr(hooks, "shared_steps", 0),
                 shared_updates=getattr(hooks, "shared_updates", 0))


if __name__ == "__main__":
    main(sys.argv[1])
