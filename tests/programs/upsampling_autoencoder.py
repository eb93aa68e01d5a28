"""A convolutional autoencoder that decodes with UpSampling2D instead of
transposed convolutions (the Keras blog autoencoder), on 28x28 images that
are zero-padded to 32x32 on the way in and cropped back on the way out:
ZeroPadding2D, Cropping2D, BatchNormalization, LeakyReLU and PReLU,
UpSampling2D with nearest and bilinear interpolation, a bottleneck read
with an encoder model."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
images = np.zeros((160, 28, 28, 1), dtype="float32")
for i in range(160):
    r, c = rng.integers(4, 20, size=2)
    images[i, r:r + 6, c:c + 6, 0] = 1.0
images += 0.05 * rng.random(images.shape).astype("float32")

inputs = keras.Input(shape=(28, 28, 1))
x = layers.ZeroPadding2D(padding=2)(inputs)
x = layers.Conv2D(8, 3, padding="same")(x)
x = layers.BatchNormalization()(x)
x = layers.LeakyReLU(negative_slope=0.2)(x)
x = layers.MaxPooling2D(2, padding="same")(x)
x = layers.Conv2D(8, 3, padding="same")(x)
x = layers.PReLU(shared_axes=[1, 2])(x)
encoded = layers.MaxPooling2D(2, padding="same", name="bottleneck")(x)

x = layers.Conv2D(8, 3, activation="relu", padding="same")(encoded)
x = layers.UpSampling2D((2, 2))(x)
x = layers.Conv2D(8, 3, activation="relu", padding="same")(x)
x = layers.UpSampling2D(size=2, interpolation="bilinear")(x)
x = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
decoded = layers.Cropping2D(cropping=((2, 2), (2, 2)))(x)

model = keras.Model(inputs, decoded)
encoder = keras.Model(inputs, encoded)
model.compile(optimizer="adam", loss="binary_crossentropy")
history = model.fit(images, images, epochs=3, batch_size=32, shuffle=True,
                    validation_split=0.2, verbose=0)
codes = encoder.predict(images[:10], verbose=0)
assert codes.shape == (10, 8, 8, 8)
reconstructed = model.predict(images[:10], verbose=0)
assert reconstructed.shape == (10, 28, 28, 1)
