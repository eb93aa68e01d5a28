"""A WaveNet-style forecaster: stacked causal Conv1D layers with growing
dilation rates, gated activations (tanh * sigmoid) with Multiply, skip
connections summed with Add, trained with Huber loss and a cosine-decay
learning rate."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
series = np.sin(np.arange(1200) / 8.0) + 0.1 * rng.normal(size=1200)
window = 48
x = np.stack([series[i:i + window] for i in range(0, 1100, 5)])[..., None]
y = np.stack([series[i + window] for i in range(0, 1100, 5)])[:, None]
x, y = x.astype("float32"), y.astype("float32")

inputs = keras.Input(shape=(window, 1))
h = layers.Conv1D(16, 2, padding="causal")(inputs)
skips = []
for rate in (1, 2, 4, 8):
    tanh_out = layers.Conv1D(16, 2, padding="causal", dilation_rate=rate,
                             activation="tanh")(h)
    sigm_out = layers.Conv1D(16, 2, padding="causal", dilation_rate=rate,
                             activation="sigmoid")(h)
    gated = layers.Multiply()([tanh_out, sigm_out])
    skip = layers.Conv1D(16, 1)(gated)
    h = layers.Add()([h, skip])
    skips.append(skip)
out = layers.Activation("relu")(layers.Add()(skips))
out = layers.Conv1D(16, 1, activation="relu")(out)
out = layers.Lambda(lambda t: t[:, -1, :])(out)
outputs = layers.Dense(1)(out)
model = keras.Model(inputs, outputs, name="wavenet")

schedule = keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=3e-3, decay_steps=50)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule),
              loss=keras.losses.Huber(), metrics=["mae"])
history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.1,
                    verbose=0)
forecast = model.predict(x[-3:], verbose=0)
assert forecast.shape == (3, 1)
