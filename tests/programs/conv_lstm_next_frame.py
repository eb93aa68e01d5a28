"""After keras.io "Next-frame video prediction with convolutional LSTMs",
shrunk: shifted frame sequences, stacked ConvLSTM2D layers with
BatchNormalization, and a Conv3D with a sigmoid producing the next
frames, trained with binary cross-entropy and Adadelta."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
dataset = (rng.random((12, 6, 10, 10, 1)) > 0.7).astype("float32")


def create_shifted_frames(data):
    x = data[:, 0: data.shape[1] - 1, :, :]
    y = data[:, 1: data.shape[1], :, :]
    return x, y


x_train, y_train = create_shifted_frames(dataset[:10])
x_val, y_val = create_shifted_frames(dataset[10:])

inp = layers.Input(shape=(None, *x_train.shape[2:]))
x = layers.ConvLSTM2D(filters=8, kernel_size=(5, 5), padding="same",
                      return_sequences=True, activation="relu")(inp)
x = layers.BatchNormalization()(x)
x = layers.ConvLSTM2D(filters=8, kernel_size=(3, 3), padding="same",
                      return_sequences=True, activation="relu")(x)
x = layers.BatchNormalization()(x)
x = layers.ConvLSTM2D(filters=8, kernel_size=(1, 1), padding="same",
                      return_sequences=True, activation="relu")(x)
x = layers.Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid",
                  padding="same")(x)
model = keras.models.Model(inp, x)
model.compile(loss=keras.losses.binary_crossentropy,
              optimizer=keras.optimizers.Adadelta(learning_rate=1.0))
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss",
                                               patience=10)
reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss",
                                              patience=5)
history = model.fit(x_train, y_train, batch_size=5, epochs=2,
                    validation_data=(x_val, y_val),
                    callbacks=[early_stopping, reduce_lr], verbose=0)
frames = model.predict(x_val[:1], verbose=0)
assert frames.shape == (1, 5, 10, 10, 1)
