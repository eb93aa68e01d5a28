"""After keras.io "Bidirectional LSTM on IMDB": integer sequences of any
length, two stacked Bidirectional LSTMs, pad_sequences."""
import numpy as np
import keras
from keras import layers

max_features = 2000
maxlen = 40
rng = np.random.default_rng(0)
x_train = [list(rng.integers(1, max_features, size=rng.integers(5, 60)))
           for _ in range(96)]
y_train = rng.integers(0, 2, size=96)
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)

inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(max_features, 32)(inputs)
x = layers.Bidirectional(layers.LSTM(16, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(16))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()
model.compile(optimizer="adam", loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=32, epochs=2,
                    validation_data=(x_train[:32], y_train[:32]), verbose=0)
