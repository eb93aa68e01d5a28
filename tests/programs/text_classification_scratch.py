"""After keras.io "Text classification from scratch": raw strings with
HTML breaks, a custom standardization function, TextVectorization adapted
on the text, an Embedding + Conv1D + GlobalMaxPooling1D classifier trained
on integer sequences, then an end-to-end model that takes strings."""
import re
import string

import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
good = ["great", "wonderful", "loved", "superb", "moving", "fun"]
bad = ["awful", "boring", "hated", "dull", "terrible", "waste"]
filler = ["the", "movie", "was", "a", "plot", "and", "actors", "film",
          "story", "really", "quite", "this"]


def review(label):
    words = list(rng.choice(filler, size=rng.integers(4, 12)))
    words += list(rng.choice(good if label else bad, size=2))
    rng.shuffle(words)
    return " ".join(words).capitalize() + ".<br /><br />The END!"


labels = rng.integers(0, 2, size=120)
texts = np.array([review(label) for label in labels])


def custom_standardization(input_data):
    lowercase = input_data.lower()
    stripped_html = lowercase.replace("<br />", " ")
    return re.sub(f"[{re.escape(string.punctuation)}]", "", stripped_html)


max_features = 200
embedding_dim = 16
sequence_length = 20

vectorize_layer = keras.layers.TextVectorization(
    standardize="lower_and_strip_punctuation",
    max_tokens=max_features,
    output_mode="int",
    output_sequence_length=sequence_length,
)
vectorize_layer.adapt([custom_standardization(t) for t in texts])


def vectorize_text(text):
    return vectorize_layer(text)


x_train = np.asarray(vectorize_text([custom_standardization(t)
                                     for t in texts]))

inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(max_features, embedding_dim)(inputs)
x = layers.Dropout(0.5)(x)
x = layers.Conv1D(32, 7, padding="valid", activation="relu", strides=3)(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(32, activation="relu")(x)
x = layers.Dropout(0.5)(x)
predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)

model = keras.Model(inputs, predictions)
model.compile(loss="binary_crossentropy", optimizer="adam",
              metrics=["accuracy"])
history = model.fit(x_train, labels, validation_split=0.2, epochs=3,
                    batch_size=32, verbose=0)

raw = [custom_standardization(t) for t in texts[:8]]
scores = model.predict(vectorize_text(raw), verbose=0)
assert scores.shape == (8, 1)
