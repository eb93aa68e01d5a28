"""After keras.io "OCR model for reading Captchas" / handwriting
recognition, on synthetic strip images: Conv2D + MaxPooling2D features,
a Reshape of the width axis into time steps, Bidirectional LSTMs, a softmax
over the characters plus the blank, `keras.losses.CTC` on padded integer
labels, and `keras.ops.ctc_decode` (greedy) on the predictions."""
import numpy as np
import keras
from keras import layers, ops

rng = np.random.default_rng(0)
num_chars, label_len, width, height = 5, 4, 32, 8
n = 96
images = rng.normal(0, 0.2, (n, width, height, 1)).astype("float32")
labels = rng.integers(1, num_chars + 1, size=(n, label_len))
for i in range(n):
    for j, c in enumerate(labels[i]):
        images[i, 8 * j + 1:8 * j + 6, c - 1:c + 2, 0] += 1.0
labels = labels.astype("int32")

inputs = keras.Input(shape=(width, height, 1), name="image")
x = layers.Conv2D(16, 3, activation="relu", padding="same",
                  kernel_initializer="he_normal")(inputs)
x = layers.MaxPooling2D((2, 1))(x)
x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
x = layers.MaxPooling2D((1, 2))(x)
x = layers.Reshape((width // 2, (height // 2) * 16))(x)
x = layers.Dense(32, activation="relu")(x)
x = layers.Dropout(0.1)(x)
x = layers.Bidirectional(layers.LSTM(24, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(16, return_sequences=True))(x)
# Keras's CTC puts the blank at the last class, after the num_chars
# characters and the padding id 0.
outputs = layers.Dense(num_chars + 2, activation="softmax", name="chars")(x)
model = keras.Model(inputs, outputs, name="ocr")
model.compile(optimizer=keras.optimizers.Adam(3e-3),
              loss=keras.losses.CTC())
history = model.fit(images[:80], labels[:80], batch_size=16, epochs=3,
                    validation_data=(images[80:], labels[80:]), verbose=0)

preds = model.predict(images[80:], verbose=0)
decoded, log_probs = ops.ctc_decode(
    preds, sequence_lengths=np.full(len(preds), preds.shape[1], "int32"),
    strategy="greedy", mask_index=num_chars + 1)
decoded = np.asarray(decoded)
print("decoded", decoded.shape, decoded[0, 0, :8])
assert decoded.shape[:2] == (1, 16)
