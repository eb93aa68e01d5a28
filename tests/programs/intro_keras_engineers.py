"""After keras.io "Introduction to Keras for engineers", shrunk: a
Sequential convnet with GlobalAveragePooling2D and summary(), a
ModelCheckpoint per epoch to `.keras` files with EarlyStopping, save and
`keras.saving.load_model`, then the cross-framework custom components: a
Dense written with add_weight in build and keras.ops, a Dropout drawing
from keras.random with its own SeedGenerator, and a subclassed model
holding a Sequential conv base."""
import os
import tempfile

import numpy as np
import keras

rng = np.random.default_rng(0)
x_train = rng.random((96, 16, 16, 1)).astype("float32")
y_train = rng.integers(0, 10, 96)
x_test = rng.random((32, 16, 16, 1)).astype("float32")
y_test = rng.integers(0, 10, 32)
num_classes = 10
input_shape = (16, 16, 1)

model = keras.Sequential(
    [
        keras.layers.Input(shape=input_shape),
        keras.layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        keras.layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(),
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
)
workdir = tempfile.mkdtemp()
callbacks = [
    keras.callbacks.ModelCheckpoint(
        filepath=os.path.join(workdir, "model_at_epoch_{epoch}.keras")),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=2),
]
model.fit(x_train, y_train, batch_size=32, epochs=3, validation_split=0.15,
          callbacks=callbacks, verbose=0)
score = model.evaluate(x_test, y_test, verbose=0)
assert os.path.exists(os.path.join(workdir, "model_at_epoch_1.keras"))
model.save(os.path.join(workdir, "final_model.keras"))
reloaded = keras.saving.load_model(os.path.join(workdir, "final_model.keras"))
np.testing.assert_allclose(reloaded.predict(x_test, verbose=0),
                           model.predict(x_test, verbose=0), atol=1e-5)


class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, name=None):
        super().__init__(name=name)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.w = self.add_weight(
            shape=(input_dim, self.units),
            initializer=keras.initializers.GlorotNormal(),
            name="kernel", trainable=True)
        self.b = self.add_weight(
            shape=(self.units,), initializer=keras.initializers.Zeros(),
            name="bias", trainable=True)

    def call(self, inputs):
        x = keras.ops.matmul(inputs, self.w) + self.b
        return self.activation(x)


class MyDropout(keras.layers.Layer):
    def __init__(self, rate, name=None):
        super().__init__(name=name)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)


class MyModel(keras.Model):
    def __init__(self, num_classes):
        super().__init__()
        self.conv_base = keras.Sequential(
            [
                keras.layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
                keras.layers.MaxPooling2D(pool_size=(2, 2)),
                keras.layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
                keras.layers.GlobalAveragePooling2D(),
            ]
        )
        self.dp = MyDropout(0.5)
        self.dense = MyDense(num_classes, activation="softmax")

    def call(self, x):
        x = self.conv_base(x)
        x = self.dp(x)
        return self.dense(x)


model = MyModel(num_classes=10)
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(),
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
)
history = model.fit(x_train, y_train, batch_size=32, epochs=2,
                    validation_split=0.15, verbose=0)
predictions = model.predict(x_test, verbose=0)
assert predictions.shape == (32, 10)
