"""After keras.io "Image segmentation with a U-Net-like architecture"
(Oxford pets), shrunk: a downsampling half of SeparableConv2D blocks with
strided residual projections, an upsampling half of Conv2DTranspose and
UpSampling2D, and a per-pixel softmax trained with sparse categorical
cross-entropy."""
import numpy as np
import keras
from keras import layers

img_size = (32, 32)
num_classes = 3


def get_model(img_size, num_classes):
    inputs = keras.Input(shape=img_size + (3,))

    x = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x

    for filters in [16, 32]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(
            previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x

    for filters in [32, 16, 8]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.UpSampling2D(2)(x)

        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])
        previous_block_activation = x

    outputs = layers.Conv2D(num_classes, 3, activation="softmax",
                            padding="same")(x)
    return keras.Model(inputs, outputs)


model = get_model((16, 16), num_classes)
model.summary()

rng = np.random.default_rng(0)
images = rng.random((24, 16, 16, 3)).astype("float32")
masks = (images[..., 0] * num_classes).astype("uint8")
masks = np.minimum(masks, num_classes - 1)[..., None]

model.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss="sparse_categorical_crossentropy")
callbacks = [keras.callbacks.ModelCheckpoint(
    "/tmp/oxford_segmentation.keras", save_best_only=True)]
history = model.fit(images[:16], masks[:16], epochs=2, batch_size=8,
                    validation_data=(images[16:], masks[16:]),
                    callbacks=callbacks, verbose=0)
val_preds = model.predict(images[16:], verbose=0)
mask = np.argmax(val_preds[0], axis=-1)
mask = np.expand_dims(mask, axis=-1)
assert mask.shape == (16, 16, 1)
