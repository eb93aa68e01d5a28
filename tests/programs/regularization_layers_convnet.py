"""A small image classifier using the regularisation and normalisation
layers users reach for beyond Dropout/BatchNormalization: GaussianNoise on
the input, grouped Conv2D (groups=2), GroupNormalization, DepthwiseConv2D,
SpatialDropout2D, ELU, AveragePooling2D, a MaxNorm kernel constraint,
ActivityRegularization, GaussianDropout, and Permute/Reshape around a
Dense; trained with SGD with momentum and global_clipnorm."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
x = rng.random((128, 16, 16, 3)).astype("float32")
y = keras.utils.to_categorical((x[:, :8].mean(axis=(1, 2, 3)) >
                                x[:, 8:].mean(axis=(1, 2, 3))).astype(int), 2)

model = keras.Sequential([
    keras.Input((16, 16, 3)),
    layers.GaussianNoise(0.05),
    layers.Conv2D(8, 3, padding="same"),
    layers.Conv2D(8, 3, padding="same", groups=2,
                  kernel_constraint=keras.constraints.MaxNorm(2.0)),
    layers.GroupNormalization(groups=4),
    layers.ELU(),
    layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2),
    layers.SpatialDropout2D(0.1),
    layers.AveragePooling2D(2),
    layers.Permute((2, 1, 3)),
    layers.Reshape((8, 8 * 16)),
    layers.Dense(8, activation="relu"),
    layers.Flatten(),
    layers.ActivityRegularization(l2=1e-4),
    layers.GaussianDropout(0.1),
    layers.Dense(2, activation="softmax"),
])
model.summary()
model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9,
                                             global_clipnorm=1.0),
              loss="categorical_crossentropy",
              metrics=["categorical_accuracy"])
history = model.fit(x, y, batch_size=32, epochs=3, validation_split=0.25,
                    verbose=0)
norms = np.sqrt(np.sum(np.square(model.layers[1].get_weights()[0]),
                       axis=(0, 1, 2)))
assert np.all(norms <= 2.0 + 1e-5), norms
