"""A character-level CNN text classifier (Zhang et al., and keras.io's
text classification examples) on synthetic strings: characters mapped to
integer ids in numpy, Embedding, parallel Conv1D branches with kernel
sizes 3/4/5 (Kim-style), GlobalMaxPooling1D on each, Concatenate, Dropout,
a Dense head with kernel_regularizer, SGD with momentum, and
`evaluate(return_dict=True)`."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
alphabet = "abcdefghijklmnopqrstuvwxyz "
char_to_id = {c: i + 1 for i, c in enumerate(alphabet)}
max_len = 48


def make_text(label):
    words = []
    for _ in range(rng.integers(4, 9)):
        length = rng.integers(2, 7)
        letters = rng.choice(list("aeiou" if label else "bcdfgklmnprst"),
                             size=length // 2 + 1)
        others = rng.choice(list(alphabet[:-1]), size=length - len(letters) + 1)
        words.append("".join(np.concatenate([letters, others])))
    return " ".join(words)


labels = rng.integers(0, 2, size=160)
texts = [make_text(label) for label in labels]
ids = np.zeros((len(texts), max_len), dtype="int32")
for i, text in enumerate(texts):
    codes = [char_to_id[c] for c in text[:max_len]]
    ids[i, :len(codes)] = codes

inputs = keras.Input(shape=(max_len,), dtype="int32", name="chars")
embedded = layers.Embedding(len(alphabet) + 1, 16)(inputs)
branches = []
for width in (3, 4, 5):
    b = layers.Conv1D(16, width, activation="relu", name=f"conv_{width}")(
        embedded)
    b = layers.GlobalMaxPooling1D(name=f"pool_{width}")(b)
    branches.append(b)
h = layers.Concatenate()(branches)
h = layers.Dropout(0.3)(h)
h = layers.Dense(16, activation="relu",
                 kernel_regularizer=keras.regularizers.l2(1e-3))(h)
outputs = layers.Dense(1, activation="sigmoid")(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
              loss="binary_crossentropy",
              metrics=[keras.metrics.BinaryAccuracy(name="acc"),
                       keras.metrics.AUC(name="auc")])
history = model.fit(ids[:128], labels[:128], batch_size=32, epochs=4,
                    validation_split=0.25, verbose=0)
scores = model.evaluate(ids[128:], labels[128:], return_dict=True, verbose=0)
assert set(scores) == {"loss", "acc", "auc"}
print(scores)
