"""Times fit() of the R guide's softmax MLP called from Python (one line per
fit: "py <seconds>"), the same model, data shapes and arguments as
mlp_fit.R. Run by compare.sh, interleaved with mlp_fit.R."""
import os
import time
import warnings

import numpy as np

import seqcore as keras

warnings.simplefilter("ignore", DeprecationWarning)  # decay=, as R passes it
repeats = int(os.environ.get("REPEATS", "5"))
rng = np.random.default_rng()
x_train = rng.random((1000, 20))
y_train = keras.utils.to_categorical(
    np.round(rng.random((1000, 1)) * 9), num_classes=10)
for _ in range(repeats):
    model = keras.Sequential([
        keras.Input(shape=(20,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(
                      learning_rate=0.01, momentum=0.9, nesterov=True,
                      decay=1e-6),
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=20, batch_size=128, verbose=0)
    print(f"py {time.perf_counter() - start:.4f}", flush=True)
