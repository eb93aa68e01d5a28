"""After keras.io "Character-level recurrent sequence-to-sequence model":
an LSTM encoder returning its states, an LSTM decoder started from them
(teacher forcing), and separate encoder/decoder inference models rebuilt
from the trained layers for greedy decoding."""
import numpy as np
import keras

rng = np.random.default_rng(0)
num_encoder_tokens = 12
num_decoder_tokens = 10
max_encoder_seq_length = 9
max_decoder_seq_length = 7
latent_dim = 32
num_samples = 64

encoder_input_data = np.zeros(
    (num_samples, max_encoder_seq_length, num_encoder_tokens),
    dtype="float32")
decoder_input_data = np.zeros(
    (num_samples, max_decoder_seq_length, num_decoder_tokens),
    dtype="float32")
decoder_target_data = np.zeros(
    (num_samples, max_decoder_seq_length, num_decoder_tokens),
    dtype="float32")
for i in range(num_samples):
    src = rng.integers(0, num_encoder_tokens, size=max_encoder_seq_length)
    tgt = rng.integers(0, num_decoder_tokens, size=max_decoder_seq_length)
    encoder_input_data[i, np.arange(max_encoder_seq_length), src] = 1.0
    decoder_input_data[i, np.arange(max_decoder_seq_length), tgt] = 1.0
    decoder_target_data[i, np.arange(max_decoder_seq_length - 1),
                        tgt[1:]] = 1.0

encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
encoder = keras.layers.LSTM(latent_dim, return_state=True)
encoder_outputs, state_h, state_c = encoder(encoder_inputs)
encoder_states = [state_h, state_c]

decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
decoder_lstm = keras.layers.LSTM(latent_dim, return_sequences=True,
                                 return_state=True)
decoder_outputs, _, _ = decoder_lstm(decoder_inputs,
                                     initial_state=encoder_states)
decoder_dense = keras.layers.Dense(num_decoder_tokens, activation="softmax")
decoder_outputs = decoder_dense(decoder_outputs)

model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
model.compile(optimizer="rmsprop", loss="categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit([encoder_input_data, decoder_input_data],
                    decoder_target_data, batch_size=16, epochs=2,
                    validation_split=0.2, verbose=0)
model.save("/tmp/s2s_model.keras")

model = keras.models.load_model("/tmp/s2s_model.keras")
encoder_inputs = model.input[0]
encoder_outputs, state_h_enc, state_c_enc = model.layers[2].output
encoder_states = [state_h_enc, state_c_enc]
encoder_model = keras.Model(encoder_inputs, encoder_states)

decoder_inputs = model.input[1]
decoder_state_input_h = keras.Input(shape=(latent_dim,))
decoder_state_input_c = keras.Input(shape=(latent_dim,))
decoder_states_inputs = [decoder_state_input_h, decoder_state_input_c]
decoder_lstm = model.layers[3]
decoder_outputs, state_h_dec, state_c_dec = decoder_lstm(
    decoder_inputs, initial_state=decoder_states_inputs)
decoder_states = [state_h_dec, state_c_dec]
decoder_dense = model.layers[4]
decoder_outputs = decoder_dense(decoder_outputs)
decoder_model = keras.Model([decoder_inputs] + decoder_states_inputs,
                            [decoder_outputs] + decoder_states)


def decode_sequence(input_seq):
    states_value = encoder_model.predict(input_seq, verbose=0)
    target_seq = np.zeros((1, 1, num_decoder_tokens))
    target_seq[0, 0, 0] = 1.0
    decoded = []
    for _ in range(max_decoder_seq_length):
        output_tokens, h, c = decoder_model.predict(
            [target_seq] + states_value, verbose=0)
        sampled_token_index = np.argmax(output_tokens[0, -1, :])
        decoded.append(int(sampled_token_index))
        target_seq = np.zeros((1, 1, num_decoder_tokens))
        target_seq[0, 0, sampled_token_index] = 1.0
        states_value = [h, c]
    return decoded


assert len(decode_sequence(encoder_input_data[:1])) == max_decoder_seq_length
