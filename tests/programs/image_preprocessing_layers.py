"""Images preprocessed inside the model (keras.io "Working with
preprocessing layers"): Resizing and CenterCrop, Normalization adapted on
the training images, augmentation (RandomCrop, RandomFlip, RandomZoom,
RandomContrast, RandomTranslation) active only in training."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
x_train = rng.random((48, 40, 40, 3)).astype("float32") * 255.0
y_train = rng.integers(0, 4, size=48)

normalization = layers.Normalization()
normalization.adapt(x_train)

data_augmentation = keras.Sequential([
    layers.RandomCrop(28, 28),
    layers.RandomFlip("horizontal"),
    layers.RandomZoom(0.1),
    layers.RandomContrast(0.2),
    layers.RandomTranslation(0.1, 0.1),
], name="data_augmentation")

inputs = keras.Input(shape=(40, 40, 3))
x = layers.Resizing(32, 32)(inputs)
x = layers.CenterCrop(28, 28)(x)
x = normalization(x)
x = data_augmentation(x)
x = layers.Conv2D(8, 3, activation="relu")(x)
x = layers.MaxPooling2D()(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(4)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(
                  from_logits=True),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=2, batch_size=16, verbose=0)
a = model.predict(x_train[:4], verbose=0)
b = model.predict(x_train[:4], verbose=0)
np.testing.assert_allclose(a, b, rtol=1e-6)
