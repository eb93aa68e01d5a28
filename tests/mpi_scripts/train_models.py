"""Train small models (MLP, CNN) x (SGD, Adam) for 2 epochs and save the
weights, History and predictions to an .npz (rank 0 only).

Run as one process (`python train_models.py out.npz`): plain training.
Run under `mpiexec -n N`: DataParallel over N ranks at the same global
batch; every rank checks that its weights equal rank 0's bit for bit.

The data is the same full arrays on every rank (DataParallel slices each
global batch); 203 samples at batch 32 leave a last batch of 11 (6 + 5
rows on 2 ranks)."""
import sys

import numpy as np

import seqcore as keras
from _job import start
from seqcore.distribution import state


def data(kind):
    rng = np.random.default_rng(7)
    n = 203
    if kind == "mlp":
        x = rng.standard_normal((n, 20)).astype(np.float32)
    else:
        x = rng.standard_normal((n, 10, 10, 1)).astype(np.float32)
    y = rng.integers(0, 5, n)
    return x, y


def model(kind, batch_norm=False):
    layers = keras.layers
    if kind == "mlp":
        body = [keras.Input((20,)), layers.Dense(32, activation="relu")]
        if batch_norm:
            body.append(layers.BatchNormalization())
        body += [layers.Dense(16, activation="relu"),
                 layers.Dense(5, activation="softmax")]
    else:
        body = [keras.Input((10, 10, 1)),
                layers.Conv2D(8, 3, activation="relu"),
                layers.MaxPooling2D(2), layers.Flatten(),
                layers.Dense(5, activation="softmax")]
    return keras.Sequential(body)


def run(kind, optimizer, batch_norm=False, dropout=False):
    keras.utils.set_random_seed(1)
    m = model(kind, batch_norm)
    if dropout:
        m = keras.Sequential(m.layers[:-1] + [keras.layers.Dropout(0.5),
                                              m.layers[-1]])
    opt = keras.optimizers.SGD(0.1) if optimizer == "sgd" else \
        keras.optimizers.Adam(0.01)
    m.compile(opt, "sparse_categorical_crossentropy",
              metrics=["accuracy"])
    x, y = data(kind)
    history = m.fit(x, y, batch_size=32, epochs=2, shuffle=True,
                    validation_split=0.2, verbose=0)
    predictions = m.predict(x, batch_size=50, verbose=0)
    return m, history.history, predictions


def check_same_on_all_ranks(weights, what):
    job = state.comm()
    if job.size == 1:
        return
    flat = np.concatenate([w.reshape(-1).view(np.uint32) for w in weights])
    table = job.allgather(flat, what)
    if not np.all(table == table[0]):
        raise AssertionError(f"{what}: weights differ across ranks")


def main(out):
    start()
    result = {}
    cases = [("mlp", "sgd", False), ("mlp", "adam", False),
             ("cnn", "sgd", False), ("cnn", "adam", False),
             ("mlp", "adam", True)]
    for kind, optimizer, batch_norm in cases:
        m, history, predictions = run(kind, optimizer, batch_norm)
        key = f"{kind}_{optimizer}" + ("_bn" if batch_norm else "")
        weights = m.get_weights()
        check_same_on_all_ranks(weights, key)
        for i, w in enumerate(weights):
            result[f"{key}/w{i}"] = w
        for name, values in history.items():
            result[f"{key}/history/{name}"] = np.array(values)
        result[f"{key}/predict"] = predictions
        # predict gathered over ranks equals this rank's own predict
        keras.distribution.set_distribution(None)
        result[f"{key}/predict_local"] = m.predict(
            data(kind)[0], batch_size=50, verbose=0)
        keras.distribution.set_distribution(
            keras.distribution.DataParallel())
    m, _, _ = run("mlp", "sgd", dropout=True)
    check_same_on_all_ranks(m.get_weights(), "dropout")
    for i, w in enumerate(m.get_weights()):
        result[f"dropout/w{i}"] = w
    # the first uniform numbers of each rank's dropout stream
    import copy
    hooks = state.hooks()
    generator = getattr(hooks, "_rank_generator", None)
    draws = copy.deepcopy(generator).random(4) if generator is not None \
        else np.zeros(4)
    result["dropout_draws"] = state.comm().allgather(draws, "draws") \
        if state.comm().size > 1 else draws[None]
    result["size"] = np.array(state.comm().size)
    result["early_buckets"] = np.array(getattr(hooks, "early_buckets", 0))
    result["shared_steps"] = np.array(getattr(hooks, "shared_steps", 0))
    result["shared_updates"] = np.array(getattr(hooks, "shared_updates", 0))
    if state.is_chief():
        np.savez(out, **result)


if __name__ == "__main__":
    main(sys.argv[1])
