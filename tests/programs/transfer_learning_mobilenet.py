"""After the "Transfer learning & fine-tuning" guide: a MobileNetV2 base
(weights=None here, no downloads) frozen and called with training=False,
a new head, then fine-tuning the whole model at a low learning rate."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
x_train = rng.random((32, 32, 32, 3)).astype("float32") * 255.0
y_train = rng.integers(0, 2, size=(32, 1)).astype("float32")

data_augmentation = keras.Sequential(
    [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])

base_model = keras.applications.MobileNetV2(
    weights=None, input_shape=(32, 32, 3), include_top=False, alpha=0.35)
base_model.trainable = False

inputs = keras.Input(shape=(32, 32, 3))
x = data_augmentation(inputs)
scale_layer = keras.layers.Rescaling(scale=1 / 127.5, offset=-1)
x = scale_layer(x)
x = base_model(x, training=False)
x = keras.layers.GlobalAveragePooling2D()(x)
x = keras.layers.Dropout(0.2)(x)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.summary(show_trainable=True)

model.compile(optimizer=keras.optimizers.Adam(),
              loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy()])
model.fit(x_train, y_train, epochs=1, batch_size=16, verbose=0)

base_model.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-5),
              loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy()])
history = model.fit(x_train, y_train, epochs=1, batch_size=16, verbose=0)
