"""Variable-length token sequences with masking end to end, as in
keras.io's "Understanding masking & padding" and text classifiers built
on it: pad_sequences, Embedding(mask_zero=True), SpatialDropout1D,
Bidirectional(GRU) returning sequences, TimeDistributed(Dense) and
LayerNormalization carrying the mask, GlobalAveragePooling1D that averages
only the unmasked steps, and a check of that against numpy."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
vocab_size, maxlen = 200, 20
lengths = rng.integers(3, maxlen + 1, size=256)
docs = [list(rng.integers(1, vocab_size, size=n)) for n in lengths]
labels = np.array([int(np.mean(d) > vocab_size / 2) for d in docs])
padded = keras.utils.pad_sequences(docs, maxlen=maxlen, padding="post")

inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(vocab_size, 16, mask_zero=True)(inputs)
x = layers.SpatialDropout1D(0.1)(x)
x = layers.Bidirectional(layers.GRU(12, return_sequences=True))(x)
x = layers.TimeDistributed(layers.Dense(16, activation="relu"))(x)
x = layers.LayerNormalization()(x)
pooled = layers.GlobalAveragePooling1D(name="masked_mean")(x)
outputs = layers.Dense(1, activation="sigmoid")(pooled)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(padded, labels, batch_size=32, epochs=3,
                    validation_split=0.25, verbose=0)

features = keras.Model(inputs, [x, pooled])
steps, means = features.predict(padded[:8], verbose=0)
mask = (padded[:8] != 0).astype("float32")[:, :, None]
expected = (steps * mask).sum(axis=1) / mask.sum(axis=1)
np.testing.assert_allclose(means, expected, rtol=1e-4, atol=1e-5)
print(model.predict(padded[:4], verbose=0).ravel())
