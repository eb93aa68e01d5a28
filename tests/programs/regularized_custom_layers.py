"""Custom layers written only with keras.ops that carry their own
penalties, as in the subclassing guide: `add_weight(regularizer=...,
constraint=...)` with built-in and user-written regularizers, `self.add_loss`
of an activation penalty inside `call`, a layer whose `losses` are read
after a call, `keras.regularizers.L1L2`, a user `Regularizer` subclass with
`get_config`, and `model.losses` collected through nested layers."""
import numpy as np
import keras
from keras import layers, ops


class OrthogonalityPenalty(keras.regularizers.Regularizer):
    def __init__(self, strength=1e-3):
        self.strength = strength

    def __call__(self, w):
        gram = ops.matmul(ops.transpose(w), w)
        eye = ops.eye(ops.shape(w)[1])
        return self.strength * ops.sum(ops.square(gram - eye))

    def get_config(self):
        return {"strength": self.strength}


class ScaledLinear(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="glorot_uniform",
            regularizer=OrthogonalityPenalty(1e-3), name="w")
        self.scale = self.add_weight(
            shape=(self.units,), initializer="ones",
            regularizer=keras.regularizers.L1L2(l1=1e-4, l2=1e-4),
            constraint=keras.constraints.NonNeg(), name="scale")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros",
                                 name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) * self.scale + self.b


class ActivationPenalty(layers.Layer):
    def __init__(self, rate=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(ops.square(inputs)))
        return inputs


class Block(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.linear = ScaledLinear(units)
        self.penalty = ActivationPenalty(1e-2)

    def call(self, inputs):
        return self.penalty(ops.gelu(self.linear(inputs)))


rng = np.random.default_rng(0)
x = rng.normal(size=(256, 8)).astype("float32")
y = (np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype("float32")

inputs = keras.Input(shape=(8,))
h = Block(16, name="block1")(inputs)
h = Block(16, name="block2")(h)
outputs = layers.Dense(1)(h)
model = keras.Model(inputs, outputs)

layer = ScaledLinear(4)
_ = layer(np.ones((2, 8), "float32"))
assert len(layer.losses) == 2
_ = model(x[:4])
print("model losses:", len(model.losses))
assert len(model.losses) == 6

model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
history = model.fit(x, y, batch_size=32, epochs=4, validation_split=0.2,
                    verbose=0)
scale = model.get_layer("block1").linear.scale.numpy()
assert np.all(scale >= 0)
print("final loss", history.history["loss"][-1])
