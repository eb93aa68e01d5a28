"""A token classifier (named-entity style, after keras.io "Named Entity
Recognition"): Embedding with mask_zero, a Bidirectional GRU returning
sequences, TimeDistributed Dense over the steps, a loss that ignores the
padding through the mask, and predictions decoded with argmax."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
vocab_size = 300
num_tags = 6
maxlen = 16
lengths = rng.integers(4, maxlen + 1, size=80)
x_train = np.zeros((80, maxlen), "int32")
y_train = np.zeros((80, maxlen), "int32")
for i, n in enumerate(lengths):
    x_train[i, :n] = rng.integers(1, vocab_size, size=n)
    y_train[i, :n] = x_train[i, :n] % num_tags

model = keras.Sequential([
    keras.Input(shape=(maxlen,), dtype="int32"),
    layers.Embedding(vocab_size, 24, mask_zero=True),
    layers.Bidirectional(layers.GRU(16, return_sequences=True)),
    layers.TimeDistributed(layers.Dense(16, activation="relu")),
    layers.Dropout(0.1),
    layers.TimeDistributed(layers.Dense(num_tags, activation="softmax")),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.summary()
history = model.fit(x_train, y_train, batch_size=16, epochs=3,
                    validation_split=0.2, verbose=0)
tags = np.argmax(model.predict(x_train[:2], verbose=0), axis=-1)
assert tags.shape == (2, maxlen)
