"""After keras.io "Using pre-trained word embeddings": a vocabulary from
TextVectorization, an embedding matrix filled from a (here synthetic)
GloVe-like table, a frozen Embedding initialised with
keras.initializers.Constant, and a Conv1D/MaxPooling1D classifier."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
words = [f"w{i}" for i in range(60)]
samples = [" ".join(rng.choice(words, size=rng.integers(5, 30)))
           for _ in range(96)]
labels = rng.integers(0, 4, size=96)

vectorizer = layers.TextVectorization(max_tokens=80,
                                      output_sequence_length=40)
vectorizer.adapt(samples)
voc = vectorizer.get_vocabulary()
word_index = dict(zip(voc, range(len(voc))))

embeddings_index = {w: rng.normal(size=20).astype("float32")
                    for w in words[:50]}
num_tokens = len(voc) + 2
embedding_dim = 20
hits = 0
misses = 0
embedding_matrix = np.zeros((num_tokens, embedding_dim))
for word, i in word_index.items():
    embedding_vector = embeddings_index.get(word)
    if embedding_vector is not None:
        embedding_matrix[i] = embedding_vector
        hits += 1
    else:
        misses += 1
print("Converted %d words (%d misses)" % (hits, misses))

embedding_layer = layers.Embedding(
    num_tokens,
    embedding_dim,
    trainable=False,
)
embedding_layer.build((1,))
embedding_layer.set_weights([embedding_matrix])

int_sequences_input = keras.Input(shape=(None,), dtype="int32")
embedded_sequences = embedding_layer(int_sequences_input)
x = layers.Conv1D(16, 5, activation="relu")(embedded_sequences)
x = layers.MaxPooling1D(5)(x)
x = layers.Conv1D(16, 3, activation="relu")(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(16, activation="relu")(x)
x = layers.Dropout(0.5)(x)
preds = layers.Dense(len(set(labels)), activation="softmax")(x)
model = keras.Model(int_sequences_input, preds)
model.summary()

x_train = keras.ops.convert_to_numpy(
    vectorizer(np.array([[s] for s in samples])))
y_train = np.array(labels)
model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop",
              metrics=["acc"])
history = model.fit(x_train, y_train, batch_size=32, epochs=2,
                    validation_split=0.25, verbose=0)

constant_layer = layers.Embedding(
    num_tokens, embedding_dim,
    embeddings_initializer=keras.initializers.Constant(embedding_matrix),
    trainable=False)
constant_layer.build((1,))
np.testing.assert_allclose(constant_layer.get_weights()[0],
                           embedding_matrix, rtol=1e-6)
