"""A small CIFAR-style ResNet as people write it with the functional API:
a residual block function with Conv2D + BatchNormalization + ReLU,
projection shortcuts, kernel_regularizer=l2, he_normal initialisation,
SGD with momentum and nesterov, and ReduceLROnPlateau."""
import numpy as np
import keras
from keras import layers, regularizers


def resnet_block(x, filters, strides=1):
    shortcut = x
    y = layers.Conv2D(filters, 3, strides=strides, padding="same",
                      kernel_initializer="he_normal",
                      kernel_regularizer=regularizers.l2(1e-4))(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(filters, 3, padding="same",
                      kernel_initializer="he_normal",
                      kernel_regularizer=regularizers.l2(1e-4))(y)
    y = layers.BatchNormalization()(y)
    if strides != 1 or shortcut.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=strides,
                                 kernel_initializer="he_normal",
                                 kernel_regularizer=regularizers.l2(1e-4))(x)
        shortcut = layers.BatchNormalization()(shortcut)
    y = layers.Add()([y, shortcut])
    return layers.ReLU()(y)


inputs = keras.Input(shape=(16, 16, 3))
x = layers.Conv2D(8, 3, padding="same", use_bias=False)(inputs)
x = layers.BatchNormalization()(x)
x = layers.ReLU()(x)
x = resnet_block(x, 8)
x = resnet_block(x, 16, strides=2)
x = resnet_block(x, 16)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10, activation="softmax",
                       kernel_regularizer=regularizers.L2(1e-4))(x)
model = keras.Model(inputs, outputs, name="small_resnet")

model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05,
                                             momentum=0.9, nesterov=True),
              loss="categorical_crossentropy",
              metrics=["accuracy",
                       keras.metrics.TopKCategoricalAccuracy(k=3)])
rng = np.random.default_rng(0)
x_train = rng.random((64, 16, 16, 3)).astype("float32")
y_train = keras.utils.to_categorical(rng.integers(0, 10, size=64), 10)
history = model.fit(
    x_train, y_train, batch_size=16, epochs=3, validation_split=0.25,
    callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="val_loss",
                                                 factor=0.5, patience=1,
                                                 min_lr=1e-4)],
    verbose=0)
assert len(model.losses) == 8
