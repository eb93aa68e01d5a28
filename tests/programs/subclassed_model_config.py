"""After keras.io "Customizing saving and serialization" and "Making new
layers and models via subclassing": a registered custom layer that creates
its weights in build() and round-trips through get_config, a registered
keras.Model subclass with get_config/from_config (a nested layer passed in
serialized form), a `.keras` save/load that restores weights and optimizer,
and training resumed with initial_epoch."""
import os
import tempfile

import numpy as np
import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="MyLayers")
class ScaledDense(layers.Layer):
    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale = scale

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.units),
            initializer="glorot_uniform", trainable=True)
        self.bias = self.add_weight(
            name="bias", shape=(self.units,), initializer="zeros",
            trainable=True)
        self.gain = self.add_weight(
            name="gain", shape=(), initializer="ones", trainable=False)

    def call(self, inputs):
        return self.scale * self.gain * (ops.matmul(inputs, self.kernel)
                                         + self.bias)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "scale": self.scale})
        return config


@keras.saving.register_keras_serializable(package="MyModels")
class Regressor(keras.Model):
    def __init__(self, hidden_units, head, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.blocks = [ScaledDense(u, scale=0.5) for u in hidden_units]
        self.head = head

    def call(self, inputs):
        x = inputs
        for block in self.blocks:
            x = ops.relu(block(x))
        return self.head(x)

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_units": self.hidden_units,
                       "head": keras.saving.serialize_keras_object(self.head)})
        return config

    @classmethod
    def from_config(cls, config):
        config["head"] = keras.saving.deserialize_keras_object(config["head"])
        return cls(**config)


rng = np.random.default_rng(0)
x = rng.normal(size=(128, 6)).astype("float32")
y = (x[:, :1] * 2.0 - x[:, 1:2] + 0.1 * rng.normal(size=(128, 1))).astype("float32")

model = Regressor([16, 8], layers.Dense(1, name="head"))
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse",
              metrics=[keras.metrics.MeanAbsoluteError()])
history = model.fit(x, y, batch_size=32, epochs=3, verbose=0)

path = os.path.join(tempfile.mkdtemp(), "regressor.keras")
model.save(path)
restored = keras.models.load_model(path)
assert type(restored).__name__ == "Regressor"
assert restored.get_config()["hidden_units"] == [16, 8]
np.testing.assert_allclose(restored.predict(x, verbose=0),
                           model.predict(x, verbose=0), atol=1e-5)
assert [w.shape for w in restored.get_weights()] == \
    [w.shape for w in model.get_weights()]

clone = Regressor.from_config(model.get_config())
clone(x[:2])
assert len(clone.weights) == len(model.weights)

more = restored.fit(x, y, batch_size=32, epochs=5, initial_epoch=3, verbose=0)
assert len(more.history["loss"]) == 2
