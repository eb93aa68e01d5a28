"""Timeseries classification after keras.io's timeseries examples, with the
windows cut in numpy (sliding_window_view, transposed to (window, features))
and a shuffled hold-out split: a causal
Conv1D, BatchNormalization and MaxPooling1D in front of a GRU, softmax
over regimes, validation_data as a tuple."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
steps = 1200
signal = np.stack([np.sin(np.arange(steps) / 7.0),
                   np.cos(np.arange(steps) / 11.0),
                   rng.normal(scale=0.3, size=steps)], axis=1).astype("float32")
regime = (np.sin(np.arange(steps) / 40.0) > 0).astype("int32")
signal[:, 2] += regime * 0.8

window = 24
all_x = np.lib.stride_tricks.sliding_window_view(
    signal, window, axis=0)[::3].transpose(0, 2, 1).astype("float32")
all_y = regime[window - 1::3][:len(all_x)]
order = np.random.default_rng(1).permutation(len(all_x))
split = int(0.8 * len(all_x))
train_x, train_y = all_x[order[:split]], all_y[order[:split]]
val_x, val_y = all_x[order[split:]], all_y[order[split:]]
print("split sizes:", len(train_x), len(val_x))

inputs = keras.Input(shape=(window, 3))
x = layers.Conv1D(16, 5, padding="causal", activation="relu")(inputs)
x = layers.BatchNormalization()(x)
x = layers.MaxPooling1D(2)(x)
x = layers.GRU(16)(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(3e-3),
              loss="sparse_categorical_crossentropy",
              metrics=["sparse_categorical_accuracy"])
history = model.fit(train_x, train_y, batch_size=32, epochs=3,
                    validation_data=(val_x, val_y), verbose=0)
print(model.evaluate(val_x, val_y, verbose=0))
probabilities = model.predict(val_x[:5], verbose=0)
assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
