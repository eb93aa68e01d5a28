"""After the "Transfer learning & fine-tuning" guide's first half: the
trainable / non_trainable weights of Dense and BatchNormalization, freezing
a layer and a nested model, trainable propagating recursively, and the
weights of a frozen layer staying fixed through fit."""
import numpy as np
import keras
from keras import layers

layer = keras.layers.Dense(3)
layer.build((None, 4))
assert len(layer.weights) == 2
assert len(layer.trainable_weights) == 2
assert len(layer.non_trainable_weights) == 0

layer = keras.layers.BatchNormalization()
layer.build((None, 4))
assert len(layer.weights) == 4
assert len(layer.trainable_weights) == 2
assert len(layer.non_trainable_weights) == 2

layer = keras.layers.Dense(3)
layer.build((None, 4))
layer.trainable = False
assert len(layer.trainable_weights) == 0
assert len(layer.non_trainable_weights) == 2

layer1 = keras.layers.Dense(3, activation="relu")
layer2 = keras.layers.Dense(3, activation="sigmoid")
model = keras.Sequential([keras.Input(shape=(3,)), layer1, layer2])
layer1.trainable = False
initial_layer1_weights_values = layer1.get_weights()
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.random((2, 3)), np.random.random((2, 3)), verbose=0)
final_layer1_weights_values = layer1.get_weights()
np.testing.assert_allclose(initial_layer1_weights_values[0],
                           final_layer1_weights_values[0])

inner_model = keras.Sequential([
    keras.Input(shape=(3,)),
    keras.layers.Dense(3, activation="relu"),
    keras.layers.Dense(3, activation="relu"),
])
model = keras.Sequential([keras.Input(shape=(3,)), inner_model,
                          keras.layers.Dense(3, activation="sigmoid")])
model.trainable = False
assert inner_model.trainable is False
assert inner_model.layers[0].trainable is False

base_model = keras.Sequential([
    keras.Input(shape=(16,)),
    layers.Dense(16, activation="relu"),
    layers.BatchNormalization(),
    layers.Dense(8, activation="relu"),
], name="base")
base_model.trainable = False
inputs = keras.Input(shape=(16,))
x = base_model(inputs, training=False)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(),
              loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy()])
rng = np.random.default_rng(0)
x_new = rng.random((64, 16)).astype("float32")
y_new = rng.integers(0, 2, size=(64, 1)).astype("float32")
moving_mean = keras.ops.convert_to_numpy(
    base_model.layers[1].moving_mean).copy()
history = model.fit(x_new, y_new, epochs=2, batch_size=16, verbose=0)
np.testing.assert_allclose(
    keras.ops.convert_to_numpy(base_model.layers[1].moving_mean), moving_mean)
