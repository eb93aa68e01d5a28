"""Sequence tagging on variable-length float sequences, as in keras.io's
masking guide and sensor-labelling scripts: `pad_sequences(dtype="float32",
padding="post", value=0.0)`, a Masking layer, Bidirectional(LSTM,
return_sequences=True) with merge_mode="concat", a second
Bidirectional(GRU) with merge_mode="mul", TimeDistributed(Dense) softmax per
step, and per-timestep (2D) sample weights that zero the padding."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
sequences, tags = [], []
for _ in range(96):
    length = int(rng.integers(5, 16))
    seq = rng.normal(size=(length, 4)).astype("float32")
    tag = (np.cumsum(seq[:, 0]) > 0).astype("int32") + (seq[:, 1] > 1.0)
    sequences.append(seq)
    tags.append(tag)
x = keras.utils.pad_sequences(sequences, dtype="float32", padding="post",
                              value=0.0)
y = keras.utils.pad_sequences(tags, padding="post", value=0)
steps = x.shape[1]
sample_weight = np.zeros((len(sequences), steps), "float32")
for i, seq in enumerate(sequences):
    sample_weight[i, :len(seq)] = 1.0

inputs = keras.Input(shape=(None, 4))
h = layers.Masking(mask_value=0.0)(inputs)
h = layers.Bidirectional(layers.LSTM(12, return_sequences=True),
                         merge_mode="concat")(h)
h = layers.Bidirectional(layers.GRU(8, return_sequences=True),
                         merge_mode="mul")(h)
outputs = layers.TimeDistributed(layers.Dense(3, activation="softmax"))(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss="sparse_categorical_crossentropy",
              weighted_metrics=["accuracy"])
history = model.fit(x[:80], y[:80], sample_weight=sample_weight[:80],
                    batch_size=16, epochs=4, verbose=0,
                    validation_data=(x[80:], y[80:], sample_weight[80:]))
mask = model.layers[1].compute_mask(x[:2])
assert np.asarray(mask).shape == (2, steps)
probs = model.predict(x[80:], verbose=0)
assert probs.shape == (16, steps, 3)
