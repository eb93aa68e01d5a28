"""A sentence-pair classifier with the built-in attention layers: query
and value sequences embedded by one shared Embedding, encoded by a shared
Conv1D, combined with layers.Attention (dot-product) and
layers.AdditiveAttention, pooled with GlobalAveragePooling1D and
concatenated."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
max_tokens = 500
dimension = 16
query_input = keras.Input(shape=(None,), dtype="int32")
value_input = keras.Input(shape=(None,), dtype="int32")

token_embedding = layers.Embedding(input_dim=max_tokens,
                                   output_dim=dimension)
query_embeddings = token_embedding(query_input)
value_embeddings = token_embedding(value_input)

cnn_layer = layers.Conv1D(filters=16, kernel_size=4, padding="same")
query_seq_encoding = cnn_layer(query_embeddings)
value_seq_encoding = cnn_layer(value_embeddings)

query_value_attention_seq = layers.Attention()(
    [query_seq_encoding, value_seq_encoding])
additive_seq = layers.AdditiveAttention()(
    [query_seq_encoding, value_seq_encoding])

query_encoding = layers.GlobalAveragePooling1D()(query_seq_encoding)
query_value_attention = layers.GlobalAveragePooling1D()(
    query_value_attention_seq)
additive = layers.GlobalAveragePooling1D()(additive_seq)

input_layer = layers.Concatenate()(
    [query_encoding, query_value_attention, additive])
outputs = layers.Dense(1, activation="sigmoid")(input_layer)
model = keras.Model([query_input, value_input], outputs)
model.compile(optimizer="adam", loss="binary_crossentropy",
              metrics=[keras.metrics.AUC(name="auc")])
queries = rng.integers(1, max_tokens, size=(64, 10))
values = rng.integers(1, max_tokens, size=(64, 14))
labels = rng.integers(0, 2, size=(64, 1)).astype("float32")
history = model.fit([queries, values], labels, batch_size=16, epochs=2,
                    verbose=0)
