"""After keras.io's audio classifiers (speaker recognition, keyword
spotting) on synthetic spectrogram-like data: a Normalization layer adapted
on (time, frequency) frames, Conv1D feature extraction with strides,
MaxPooling1D, a GRU over the time axis with `dropout` and
`recurrent_dropout`, a second GRU returning only the last state,
sparse categorical cross-entropy from logits and SparseTopKCategoricalAccuracy,
EarlyStopping with restore_best_weights."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
n, steps, bins, classes = 120, 40, 16, 3
t = np.arange(steps)[None, :, None]
freqs = rng.integers(0, classes, size=n)
spectrograms = rng.normal(0, 0.3, size=(n, steps, bins))
for i, c in enumerate(freqs):
    band = 3 + 4 * c
    spectrograms[i, :, band:band + 2] += 1.0 + np.sin(t[0] * (c + 1) / 5.0)
spectrograms = spectrograms.astype("float32")
labels = freqs.astype("int32")

norm = layers.Normalization(axis=-1)
norm.adapt(spectrograms[:96])

inputs = keras.Input(shape=(steps, bins), name="spectrogram")
h = norm(inputs)
h = layers.Conv1D(24, 5, strides=2, padding="same", activation="relu")(h)
h = layers.MaxPooling1D(2)(h)
h = layers.Conv1D(32, 3, padding="same", activation="relu")(h)
h = layers.GRU(32, return_sequences=True, dropout=0.1,
               recurrent_dropout=0.1)(h)
h = layers.GRU(16)(h)
h = layers.Dense(16, activation="relu")(h)
outputs = layers.Dense(classes, name="logits")(h)
model = keras.Model(inputs, outputs)
model.compile(
    optimizer=keras.optimizers.Adam(3e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy",
             keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")])
history = model.fit(
    spectrograms[:96], labels[:96], batch_size=16, epochs=4,
    validation_data=(spectrograms[96:], labels[96:]), verbose=0,
    callbacks=[keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=2, restore_best_weights=True)])
logits = model.predict(spectrograms[96:], verbose=0)
assert logits.shape == (24, classes)
