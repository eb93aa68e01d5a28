"""A temporal convolutional network (TCN) forecaster in the style of
keras.io's timeseries examples: residual blocks of causal Conv1D with
growing dilation_rate, LayerNormalization, SpatialDropout1D, a 1x1 Conv1D
on the skip path when the width changes, the last time step taken with
Cropping1D and Flatten, a multi-step Dense output, the Huber loss with an
MAE metric, ReduceLROnPlateau, and predict with batch_size."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
t = np.arange(1200, dtype="float32")
series = (np.sin(t / 12.0) + 0.5 * np.sin(t / 31.0)
          + 0.1 * rng.normal(size=t.shape)).astype("float32")
window, horizon = 48, 4
starts = np.arange(0, len(series) - window - horizon, 3)
x = np.stack([series[s:s + window] for s in starts])[..., None]
y = np.stack([series[s + window:s + window + horizon] for s in starts])


def residual_block(x, filters, dilation, name):
    h = layers.Conv1D(filters, 3, padding="causal", dilation_rate=dilation,
                      activation="relu", name=name + "_conv1")(x)
    h = layers.LayerNormalization(name=name + "_ln")(h)
    h = layers.SpatialDropout1D(0.1, name=name + "_drop")(h)
    h = layers.Conv1D(filters, 3, padding="causal", dilation_rate=dilation,
                      name=name + "_conv2")(h)
    if x.shape[-1] != filters:
        x = layers.Conv1D(filters, 1, name=name + "_skip")(x)
    return layers.Activation("relu", name=name + "_out")(
        layers.add([x, h], name=name + "_add"))


inputs = keras.Input(shape=(window, 1))
h = inputs
for i, dilation in enumerate((1, 2, 4, 8)):
    h = residual_block(h, 16, dilation, f"tcn{i}")
h = layers.Cropping1D((window - 1, 0))(h)
h = layers.Flatten()(h)
outputs = layers.Dense(horizon)(h)
model = keras.Model(inputs, outputs, name="tcn")
model.compile(optimizer=keras.optimizers.Adam(2e-3),
              loss=keras.losses.Huber(delta=0.5), metrics=["mae"])
history = model.fit(
    x[:300], y[:300], batch_size=32, epochs=4, verbose=0,
    validation_data=(x[300:], y[300:]),
    callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="val_loss",
                                                 factor=0.5, patience=1)])
forecast = model.predict(x[300:], batch_size=7, verbose=0)
assert forecast.shape == (len(x) - 300, horizon)
print("val mae", history.history["val_mae"][-1])
