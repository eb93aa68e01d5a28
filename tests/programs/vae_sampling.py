"""After keras.io "Variational AutoEncoder", in the backend-agnostic form:
a Sampling layer drawing with keras.random and a SeedGenerator, the KL
term added with add_loss, encoder and decoder models nested in a
functional model."""
import numpy as np
import keras
from keras import layers, ops


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim),
                                      seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class KLDivergenceLayer(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        self.add_loss(ops.mean(ops.sum(kl, axis=1)))
        return z_mean


latent_dim = 2
encoder_inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(8, 3, activation="relu", strides=2,
                  padding="same")(encoder_inputs)
x = layers.Flatten()(x)
x = layers.Dense(16, activation="relu")(x)
z_mean = layers.Dense(latent_dim, name="z_mean")(x)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z],
                      name="encoder")

latent_inputs = keras.Input(shape=(latent_dim,))
x = layers.Dense(14 * 14 * 8, activation="relu")(latent_inputs)
x = layers.Reshape((14, 14, 8))(x)
decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid",
                                         strides=2, padding="same")(x)
decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

inputs = keras.Input(shape=(28, 28, 1))
z_mean, z_log_var, z = encoder(inputs)
z_mean = KLDivergenceLayer()([z_mean, z_log_var])
reconstruction = decoder(z)
model = keras.Model(inputs, reconstruction, name="vae")
model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy")
rng = np.random.default_rng(0)
digits = rng.random((64, 28, 28, 1)).astype("float32")
history = model.fit(digits, digits, epochs=2, batch_size=16, verbose=0)
