"""The classic LSTM sequence autoencoder (Keras blog "Building
autoencoders in Keras", sequence-to-sequence part): an LSTM encoder to a
code vector, RepeatVector to the sequence length, an LSTM decoder returning
sequences and TimeDistributed(Dense) back to the features; the encoder
reused as its own model for the codes, reconstruction error per sequence."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
timesteps, features, latent_dim = 12, 3, 8
t = np.linspace(0, 2 * np.pi, timesteps)
phase = rng.uniform(0, 2 * np.pi, size=(200, 1, 1))
freq = rng.uniform(0.5, 1.5, size=(200, 1, features))
sequences = np.sin(freq * t[None, :, None] + phase).astype("float32")

inputs = keras.Input(shape=(timesteps, features))
encoded = layers.LSTM(latent_dim, name="encoder_lstm")(inputs)
decoded = layers.RepeatVector(timesteps)(encoded)
decoded = layers.LSTM(16, return_sequences=True, name="decoder_lstm")(decoded)
decoded = layers.TimeDistributed(layers.Dense(features))(decoded)
model = keras.Model(inputs, decoded, name="sequence_autoencoder")
encoder = keras.Model(inputs, encoded, name="encoder")
model.summary()

model.compile(optimizer="adam", loss="mse")
history = model.fit(sequences, sequences, batch_size=32, epochs=3,
                    validation_split=0.2, shuffle=True, verbose=0)

codes = encoder.predict(sequences, verbose=0)
assert codes.shape == (200, latent_dim)
reconstruction = model.predict(sequences, verbose=0)
errors = np.mean((reconstruction - sequences) ** 2, axis=(1, 2))
threshold = np.percentile(errors, 95)
print("threshold:", threshold, "anomalies:", int(np.sum(errors > threshold)))
