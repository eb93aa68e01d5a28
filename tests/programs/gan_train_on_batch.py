"""A GAN written the way many Keras scripts do it (and Keras 3 still runs):
a generator and a discriminator, a combined model with the discriminator
frozen, and a manual loop alternating train_on_batch on real/fake images
and on the combined model."""
import numpy as np
import keras
from keras import layers

latent_dim = 8
rng = np.random.default_rng(0)
real_images = rng.random((64, 8, 8, 1)).astype("float32") * 2 - 1

discriminator = keras.Sequential(
    [
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(8, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1, activation="sigmoid"),
    ],
    name="discriminator",
)
discriminator.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0003),
                      loss="binary_crossentropy", metrics=["accuracy"])

generator = keras.Sequential(
    [
        keras.Input(shape=(latent_dim,)),
        layers.Dense(2 * 2 * 16),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((2, 2, 16)),
        layers.Conv2DTranspose(16, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(16, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, (3, 3), padding="same", activation="tanh"),
    ],
    name="generator",
)

discriminator.trainable = False
gan_input = keras.Input(shape=(latent_dim,))
gan_output = discriminator(generator(gan_input))
gan = keras.Model(gan_input, gan_output, name="gan")
gan.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0003),
            loss="binary_crossentropy")

batch_size = 16
d_losses, g_losses = [], []
for step in range(4):
    idx = rng.integers(0, real_images.shape[0], batch_size)
    real = real_images[idx]
    noise = rng.normal(size=(batch_size, latent_dim)).astype("float32")
    fake = generator.predict(noise, verbose=0)
    discriminator.trainable = True
    d_loss_real = discriminator.train_on_batch(real, np.ones((batch_size, 1)))
    d_loss_fake = discriminator.train_on_batch(fake,
                                               np.zeros((batch_size, 1)))
    discriminator.trainable = False
    d_losses.append(0.5 * (np.asarray(d_loss_real)[0]
                           + np.asarray(d_loss_fake)[0]))
    noise = rng.normal(size=(batch_size, latent_dim)).astype("float32")
    g_loss = gan.train_on_batch(noise, np.ones((batch_size, 1)))
    g_losses.append(float(np.asarray(g_loss).reshape(-1)[0]))

assert all(np.isfinite(d_losses)) and all(np.isfinite(g_losses))
model = gan
