"""After keras.io "Timeseries anomaly detection using an Autoencoder", without
pandas: a Conv1D / Conv1DTranspose autoencoder with strides 2 and "same"
padding, EarlyStopping on val_loss, and the reconstruction-error threshold
computed from predict."""
import numpy as np

import keras
from keras import layers
TIME_STEPS = 32
values = np.sin(np.arange(600) / 10.0).astype("float32")
df = values.reshape(-1, 1)
training_mean = df.mean(); training_std = df.std()
df_training_value = (df - training_mean) / training_std
def create_sequences(values, time_steps=TIME_STEPS):
    output = []
    for i in range(len(values) - time_steps + 1):
        output.append(values[i : (i + time_steps)])
    return np.stack(output)
x_train = create_sequences(df_training_value)
model = keras.Sequential([
    layers.Input(shape=(x_train.shape[1], x_train.shape[2])),
    layers.Conv1D(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
    layers.Dropout(rate=0.2),
    layers.Conv1D(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
    layers.Conv1DTranspose(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
    layers.Dropout(rate=0.2),
    layers.Conv1DTranspose(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
    layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
history = model.fit(x_train, x_train, epochs=2, batch_size=128, validation_split=0.1,
    callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, mode="min")], verbose=0)
x_train_pred = model.predict(x_train, verbose=0)
train_mae_loss = np.mean(np.abs(x_train_pred - x_train), axis=1)
threshold = np.max(train_mae_loss)
print("Reconstruction error threshold: ", threshold, history.history.keys())
