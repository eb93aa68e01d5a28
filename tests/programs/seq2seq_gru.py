"""An encoder-decoder as in the character-level seq2seq example, with GRU
states passed as initial_state and a TimeDistributed softmax."""
import numpy as np
import keras
from keras import layers

num_encoder_tokens, num_decoder_tokens, latent_dim = 12, 14, 32
rng = np.random.default_rng(0)
encoder_input_data = np.eye(num_encoder_tokens, dtype="float32")[
    rng.integers(0, num_encoder_tokens, size=(64, 9))]
decoder_input_data = np.eye(num_decoder_tokens, dtype="float32")[
    rng.integers(0, num_decoder_tokens, size=(64, 7))]
decoder_target_data = np.roll(decoder_input_data, -1, axis=1)

encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
encoder = layers.GRU(latent_dim, return_state=True)
encoder_outputs, state_h = encoder(encoder_inputs)

decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
decoder_gru = layers.GRU(latent_dim, return_sequences=True)
decoder_outputs = decoder_gru(decoder_inputs, initial_state=state_h)
decoder_dense = layers.TimeDistributed(
    layers.Dense(num_decoder_tokens, activation="softmax"))
decoder_outputs = decoder_dense(decoder_outputs)

model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit([encoder_input_data, decoder_input_data],
                    decoder_target_data, batch_size=16, epochs=2,
                    validation_split=0.2, verbose=0)
