"""After "Making new layers and models via subclassing": a Linear layer
with add_weight, a layer that calls add_loss, a block of blocks, and a
subclassed Model trained with fit."""
import numpy as np
import keras
from keras import layers, ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal",
                                 trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros",
                                 trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class ActivityRegularizationLayer(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs


class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(32)
        self.linear_2 = Linear(32)
        self.regularize = ActivityRegularizationLayer(1e-3)
        self.linear_3 = Linear(1)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = keras.activations.relu(x)
        x = self.linear_2(x)
        x = self.regularize(keras.activations.relu(x))
        return self.linear_3(x)


class MyModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.block = MLPBlock()
        self.dropout = layers.Dropout(0.1)

    def call(self, inputs, training=False):
        x = self.block(inputs)
        return self.dropout(x, training=training)


rng = np.random.default_rng(0)
x = rng.random((200, 16)).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 8).astype("float32")
model = MyModel()
model.compile(optimizer="adam", loss="mse")
history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
