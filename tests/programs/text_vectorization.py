"""After keras.io "Text classification from scratch": TextVectorization
adapted on raw strings, a model of Embedding, Conv1D and
GlobalMaxPooling1D trained on the token ids, and the end-to-end model
that takes raw strings."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
words = ["good", "bad", "movie", "great", "awful", "plot", "the", "a",
         "acting", "<br />", "boring", "fun"]
texts = np.array([" ".join(rng.choice(words, size=rng.integers(3, 15)))
                  for _ in range(96)])
labels = np.array([1 if "good" in t or "great" in t else 0 for t in texts])

max_features = 100
sequence_length = 20
vectorize_layer = layers.TextVectorization(
    max_tokens=max_features, output_mode="int",
    output_sequence_length=sequence_length)
vectorize_layer.adapt(texts)

text_ids = np.asarray(vectorize_layer(texts))

inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(max_features, 16)(inputs)
x = layers.Dropout(0.5)(x)
x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(16, activation="relu")(x)
predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
model = keras.Model(inputs, predictions)
model.compile(loss="binary_crossentropy", optimizer="adam",
              metrics=["accuracy"])
history = model.fit(text_ids, labels, epochs=2, batch_size=32, verbose=0)

# The end-to-end model of the example: raw strings in, probabilities out.
text_input = keras.Input(shape=(1,), dtype="string")
end_to_end_model = keras.Model(text_input, model(vectorize_layer(text_input)))
end_to_end_model.compile(loss="binary_crossentropy", optimizer="adam",
                         metrics=["accuracy"])
model = end_to_end_model
