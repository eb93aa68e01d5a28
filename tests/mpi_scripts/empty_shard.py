"""Batches with fewer rows than ranks: 65 samples at batch 32 leave a last
batch of 1 (rank 1 gets no row), then evaluate and predict on 1 sample.
Saves (rank 0) the weights, History, evaluate's and predict's results."""
import sys

import numpy as np

from _job import dense_stack, start
from seqcore.distribution import state


def main(out):
    start(seed=0)
    model = dense_stack(4, (3, "softmax"))
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((65, 4)).astype(np.float32)
    y = rng.integers(0, 3, 65)
    history = model.fit(x, y, batch_size=32, epochs=2, verbose=0,
                        shuffle=False)
    evaluated = model.evaluate(x[:1], y[:1], verbose=0)
    predicted = model.predict(x[:1], verbose=0)
    if state.is_chief():
        np.savez(out, weights=np.concatenate(
                     [w.ravel() for w in model.get_weights()]),
                 loss=history.history["loss"],
                 accuracy=history.history["accuracy"],
                 evaluate=evaluated, predict=predicted)


if __name__ == "__main__":
    main(sys.argv[1])
