"""After keras.io "Convolutional autoencoder for image denoising":
Conv2D/MaxPooling2D encoder, Conv2DTranspose decoder, binary
cross-entropy on pixels."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
train_data = rng.random((64, 28, 28, 1)).astype("float32")
noisy = np.clip(train_data + 0.4 * rng.normal(size=train_data.shape),
                0.0, 1.0).astype("float32")

input = layers.Input(shape=(28, 28, 1))
x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(input)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2DTranspose(16, (3, 3), strides=2, activation="relu",
                           padding="same")(x)
x = layers.Conv2DTranspose(16, (3, 3), strides=2, activation="relu",
                           padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

model = keras.Model(input, x)
model.compile(optimizer="adam", loss="binary_crossentropy")
model.summary()
history = model.fit(x=noisy, y=train_data, epochs=2, batch_size=16,
                    shuffle=True, validation_data=(noisy[:16],
                                                   train_data[:16]),
                    verbose=0)
