"""After "The Sequential model" guide: building incrementally with add,
pop, weights created on first call, a model without an Input built later,
feature extraction through a functional model over the Sequential's
layer outputs, and transfer learning by freezing all but the last layer."""
import numpy as np
import keras
from keras import layers

model = keras.Sequential(
    [
        layers.Dense(2, activation="relu", name="layer1"),
        layers.Dense(3, activation="relu", name="layer2"),
        layers.Dense(4, name="layer3"),
    ]
)
x = keras.ops.ones((3, 3))
y = model(x)
assert tuple(y.shape) == (3, 4)

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
model.pop()
print(len(model.layers))
assert len(model.layers) == 2

layer = layers.Dense(3)
assert layer.weights == []
x = keras.ops.ones((1, 4))
y = layer(x)
assert len(layer.weights) == 2

model = keras.Sequential()
model.add(keras.Input(shape=(250, 250, 3)))
model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(3))
model.summary()
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.Conv2D(32, 3, activation="relu"))
model.add(layers.MaxPooling2D(2))
model.add(layers.GlobalMaxPooling2D())
model.add(layers.Dense(10))

initial_model = keras.Sequential(
    [
        keras.Input(shape=(50, 50, 3)),
        layers.Conv2D(8, 5, strides=2, activation="relu"),
        layers.Conv2D(8, 3, activation="relu", name="my_intermediate_layer"),
        layers.Conv2D(8, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=[layer.output for layer in initial_model.layers],
)
features = feature_extractor(np.ones((1, 50, 50, 3), "float32"))
assert len(features) == 3
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_intermediate_layer").output,
)
features = feature_extractor(np.ones((1, 50, 50, 3), "float32"))
assert tuple(features.shape) == (1, 21, 21, 8)

model = keras.Sequential([
    keras.Input(shape=(16,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(10),
])
for layer in model.layers[:-1]:
    layer.trainable = False
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(
                  from_logits=True))
rng = np.random.default_rng(0)
frozen = model.layers[0].get_weights()[0].copy()
history = model.fit(rng.random((64, 16)), rng.integers(0, 10, 64),
                    epochs=2, batch_size=16, verbose=0)
np.testing.assert_array_equal(model.layers[0].get_weights()[0], frozen)
