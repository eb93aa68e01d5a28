"""A multi-label classifier as in keras.io "Large-scale multi-label text
classification" (shrunk): a multi-hot TextVectorization (tf_idf here),
independent sigmoid outputs with binary cross-entropy, and the
threshold metrics Precision, Recall and AUC(multi_label=True)."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
vocab = [f"term{i}" for i in range(40)]
abstracts = [" ".join(rng.choice(vocab, size=rng.integers(5, 20)))
             for _ in range(120)]
terms = np.zeros((120, 5), "float32")
for i, text in enumerate(abstracts):
    for j in range(5):
        terms[i, j] = float(f"term{j}" in text.split())

text_vectorizer = layers.TextVectorization(max_tokens=60, ngrams=2,
                                           output_mode="tf_idf")
text_vectorizer.adapt(abstracts)
x_train = keras.ops.convert_to_numpy(text_vectorizer(abstracts))


def make_model():
    shallow_mlp_model = keras.Sequential([
        layers.Dense(32, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(terms.shape[1], activation="sigmoid"),
    ])
    return shallow_mlp_model


model = make_model()
model.compile(loss="binary_crossentropy", optimizer="adam",
              metrics=["binary_accuracy", keras.metrics.Precision(),
                       keras.metrics.Recall(),
                       keras.metrics.AUC(multi_label=True,
                                         num_labels=terms.shape[1])])
history = model.fit(x_train, terms, validation_split=0.25, epochs=3,
                    batch_size=30, verbose=0)
_, binary_acc, precision, recall, auc = model.evaluate(x_train, terms,
                                                       verbose=0)
assert 0.0 <= binary_acc <= 1.0
