"""After keras.io "Text generation with a miniature GPT", shrunk: a causal
attention mask built with ops.arange/cast/reshape and broadcast over the
batch, MultiHeadAttention(attention_mask=...), a token and position
embedding layer, a model with outputs [logits, features] compiled with
loss=[fn, None] and fitted with one target, and top-k sampling with
ops.top_k on predict's logits."""
import numpy as np
import keras
from keras import layers, ops

def causal_attention_mask(batch_size, n_dest, n_src, dtype):
    i = ops.arange(n_dest)[:, None]
    j = ops.arange(n_src)
    m = i >= j - n_src + n_dest
    mask = ops.cast(m, dtype)
    # (1, n_dest, n_src), broadcast over the batch (a tile by the traced
    # batch size fails on Keras's JAX backend)
    return ops.reshape(mask, [1, n_dest, n_src])

class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads, embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs):
        input_shape = ops.shape(inputs)
        batch_size = input_shape[0]
        seq_len = input_shape[1]
        causal_mask = causal_attention_mask(batch_size, seq_len, seq_len, "bool")
        attention_output = self.att(inputs, inputs, attention_mask=causal_mask)
        attention_output = self.dropout1(attention_output)
        out1 = self.layernorm1(inputs + attention_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output)
        return self.layernorm2(out1 + ffn_output)

class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = ops.arange(0, maxlen, 1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions

vocab_size = 200; maxlen = 20; embed_dim = 32; num_heads = 2; feed_forward_dim = 32

def create_model():
    inputs = layers.Input(shape=(maxlen,), dtype="int32")
    embedding_layer = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)
    x = embedding_layer(inputs)
    transformer_block = TransformerBlock(embed_dim, num_heads, feed_forward_dim)
    x = transformer_block(x)
    outputs = layers.Dense(vocab_size)(x)
    model = keras.Model(inputs=inputs, outputs=[outputs, x])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile("adam", loss=[loss_fn, None])
    return model

data = np.random.randint(1, vocab_size, (64, maxlen + 1))
x, y = data[:, :-1], data[:, 1:]
model = create_model()
history = model.fit(x, y, verbose=0, epochs=2, batch_size=16)
print(history.history)

def sample_from(logits, k=10):
    logits, indices = ops.top_k(logits, k=k, sorted=True)
    indices = np.asarray(indices).astype("int32")
    preds = keras.activations.softmax(ops.expand_dims(logits, 0))[0]
    preds = np.asarray(preds).astype("float32")
    return np.random.choice(indices, p=preds / preds.sum())

start_tokens = [5, 6, 7]
tokens_generated = []
while len(tokens_generated) <= 5:
    pad_len = maxlen - len(start_tokens)
    sample_index = len(start_tokens) - 1
    x = start_tokens + [0] * pad_len
    x = np.array([x])
    y, _ = model.predict(x, verbose=0)
    sample_token = sample_from(y[0][sample_index])
    tokens_generated.append(sample_token)
    start_tokens.append(sample_token)
print(tokens_generated)
