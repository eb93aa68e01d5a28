"""After keras.io "Convolutional autoencoder for image denoising": noisy
copies made with numpy, a Conv2D/MaxPooling2D encoder and a
Conv2DTranspose decoder, trained first to reconstruct and then to denoise."""
import numpy as np
import keras
from keras import layers


def preprocess(array):
    array = array.astype("float32") / 255.0
    array = np.reshape(array, (len(array), 28, 28, 1))
    return array


def noise(array):
    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(
        loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0)


np.random.seed(0)
train_data = np.random.randint(0, 256, size=(48, 28, 28))
test_data = np.random.randint(0, 256, size=(16, 28, 28))
train_data = preprocess(train_data)
test_data = preprocess(test_data)
noisy_train_data = noise(train_data)
noisy_test_data = noise(test_data)

input = layers.Input(shape=(28, 28, 1))

# Encoder
x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(input)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)

# Decoder
x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu",
                           padding="same")(x)
x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu",
                           padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

autoencoder = keras.Model(input, x)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()

autoencoder.fit(x=train_data, y=train_data, epochs=1, batch_size=16,
                shuffle=True, validation_data=(test_data, test_data),
                verbose=0)
history = autoencoder.fit(x=noisy_train_data, y=train_data, epochs=2,
                          batch_size=16, shuffle=True,
                          validation_data=(noisy_test_data, test_data),
                          verbose=0)
predictions = autoencoder.predict(noisy_test_data, verbose=0)
assert predictions.shape == (16, 28, 28, 1)
model = autoencoder
