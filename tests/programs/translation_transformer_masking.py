"""After keras.io "English-to-Spanish translation with a
sequence-to-sequence Transformer" (Keras 3 version), on synthetic token
sequences (the target is the source reversed): a PositionalEmbedding layer
that returns `compute_mask` from `ops.not_equal(inputs, 0)`, a
TransformerEncoder using the mask as MultiHeadAttention's attention_mask,
a TransformerDecoder with `use_causal_mask=True` and the encoder's mask on
cross-attention, `supports_masking`, two inputs with names, and greedy
decoding with predict in a loop."""
import numpy as np
import keras
from keras import layers, ops

vocab, seq_len, embed_dim, dense_dim, heads = 20, 10, 16, 32, 2
rng = np.random.default_rng(0)
n = 192
src = np.zeros((n, seq_len), "int32")
tgt = np.zeros((n, seq_len + 1), "int32")
for i in range(n):
    length = int(rng.integers(3, seq_len - 1))
    tokens = rng.integers(3, vocab, size=length)
    src[i, :length] = tokens
    tgt[i, 0] = 1                       # [start]
    tgt[i, 1:length + 1] = tokens[::-1]
    tgt[i, length + 1] = 2              # [end]
dec_in, dec_out = tgt[:, :-1], tgt[:, 1:]


class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(vocab_size, embed_dim)
        self.position_embeddings = layers.Embedding(sequence_length,
                                                    embed_dim)

    def call(self, inputs):
        length = ops.shape(inputs)[-1]
        positions = ops.arange(0, length, 1)
        return (self.token_embeddings(inputs)
                + self.position_embeddings(positions))

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0)


class TransformerEncoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(num_heads=num_heads,
                                                   key_dim=embed_dim)
        self.dense_proj = keras.Sequential([
            layers.Dense(dense_dim, activation="relu"),
            layers.Dense(embed_dim)])
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            padding_mask = ops.cast(mask[:, None, :], dtype="int32")
        else:
            padding_mask = None
        attention_output = self.attention(query=inputs, value=inputs,
                                          key=inputs,
                                          attention_mask=padding_mask)
        proj_input = self.layernorm_1(inputs + attention_output)
        proj_output = self.dense_proj(proj_input)
        return self.layernorm_2(proj_input + proj_output)


class TransformerDecoder(layers.Layer):
    def __init__(self, embed_dim, latent_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads,
                                                     key_dim=embed_dim)
        self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads,
                                                     key_dim=embed_dim)
        self.dense_proj = keras.Sequential([
            layers.Dense(latent_dim, activation="relu"),
            layers.Dense(embed_dim)])
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.layernorm_3 = layers.LayerNormalization()
        self.supports_masking = True

    def call(self, inputs, mask=None):
        inputs, encoder_outputs = inputs
        if mask is None:
            inputs_padding_mask, encoder_outputs_padding_mask = None, None
        else:
            inputs_padding_mask, encoder_outputs_padding_mask = mask
        attention_output_1 = self.attention_1(
            query=inputs, value=inputs, key=inputs,
            query_mask=inputs_padding_mask, use_causal_mask=True)
        out_1 = self.layernorm_1(inputs + attention_output_1)
        attention_output_2 = self.attention_2(
            query=out_1, value=encoder_outputs, key=encoder_outputs,
            query_mask=inputs_padding_mask,
            key_mask=encoder_outputs_padding_mask)
        out_2 = self.layernorm_2(out_1 + attention_output_2)
        proj_output = self.dense_proj(out_2)
        return self.layernorm_3(out_2 + proj_output)


encoder_inputs = keras.Input(shape=(None,), dtype="int32",
                             name="encoder_inputs")
x = PositionalEmbedding(seq_len, vocab, embed_dim)(encoder_inputs)
encoder_outputs = TransformerEncoder(embed_dim, dense_dim, heads)(x)
decoder_inputs = keras.Input(shape=(None,), dtype="int32",
                             name="decoder_inputs")
x = PositionalEmbedding(seq_len, vocab, embed_dim)(decoder_inputs)
x = TransformerDecoder(embed_dim, dense_dim, heads)([x, encoder_outputs])
x = layers.Dropout(0.1)(x)
decoder_outputs = layers.Dense(vocab, activation="softmax")(x)
model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs,
                    name="transformer")
model.summary()
model.compile("rmsprop", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit({"encoder_inputs": src[:160],
                     "decoder_inputs": dec_in[:160]}, dec_out[:160],
                    batch_size=32, epochs=3, verbose=0,
                    validation_data=({"encoder_inputs": src[160:],
                                      "decoder_inputs": dec_in[160:]},
                                     dec_out[160:]))


def decode_sequence(source):
    decoded = [1]
    for i in range(seq_len):
        target = np.zeros((1, seq_len), "int32")
        target[0, :len(decoded)] = decoded
        predictions = model.predict([source[None], target], verbose=0)
        token = int(np.argmax(predictions[0, i, :]))
        decoded.append(token)
        if token == 2:
            break
    return decoded


print(src[0], decode_sequence(src[0]))
