"""The guides' stacked LSTM for sequence classification, and the same model
rendered stateful, on their dummy data (data_dim 16, 8 timesteps, 10
classes).

    python examples/stacked_lstm.py [--epochs 5]
"""
import argparse

import numpy as np

import seqcore as keras
from seqcore import layers

DATA_DIM, TIMESTEPS, NUM_CLASSES, BATCH = 16, 8, 10, 32


def stacked(stateful, epochs, rng):
    first = dict(batch_shape=(BATCH, TIMESTEPS, DATA_DIM)) if stateful else \
        dict(shape=(TIMESTEPS, DATA_DIM))
    model = keras.Sequential([
        keras.Input(**first),
        layers.LSTM(32, return_sequences=True, stateful=stateful),
        layers.LSTM(32, return_sequences=True, stateful=stateful),
        layers.LSTM(32, stateful=stateful),
        layers.Dense(NUM_CLASSES, activation="softmax")])
    model.summary()
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop",
                  metrics=["accuracy"])
    n_train, n_val = (BATCH * 10, BATCH * 3) if stateful else (1000, 100)
    x = rng.random((n_train, TIMESTEPS, DATA_DIM), np.float32)
    y = rng.random((n_train, NUM_CLASSES), np.float32)
    x_val = rng.random((n_val, TIMESTEPS, DATA_DIM), np.float32)
    y_val = rng.random((n_val, NUM_CLASSES), np.float32)
    model.fit(x, y, batch_size=BATCH if stateful else 64, epochs=epochs,
              shuffle=not stateful, validation_data=(x_val, y_val))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    epochs = parser.parse_args().epochs
    rng = np.random.default_rng(0)
    stacked(False, epochs, rng)
    stacked(True, epochs, rng)
