"""After keras.io "Image classification with modern MLP models" (MLP-Mixer),
shrunk: patches cut with a strided Conv2D and Reshape, a custom mixer
layer holding Sequential MLPs that mixes across patches (keras.ops.transpose
then Dense) and across channels, shared LayerNormalization, GELU, a
Sequential of custom layers without compute_output_shape, and AdamW with
weight decay."""
import numpy as np
import keras
from keras import layers

num_classes = 5
image_size = 16
patch_size = 4
num_patches = (image_size // patch_size) ** 2
embedding_dim = 32


class MLPMixerLayer(layers.Layer):
    def __init__(self, num_patches, hidden_units, dropout_rate, *args,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.mlp1 = keras.Sequential([
            layers.Dense(units=num_patches, activation="gelu"),
            layers.Dense(units=num_patches),
            layers.Dropout(rate=dropout_rate),
        ])
        self.mlp2 = keras.Sequential([
            layers.Dense(units=num_patches, activation="gelu"),
            layers.Dense(units=hidden_units),
            layers.Dropout(rate=dropout_rate),
        ])
        self.normalize = layers.LayerNormalization(epsilon=1e-6)

    def build(self, input_shape):
        return super().build(input_shape)

    def call(self, inputs):
        x = self.normalize(inputs)
        x_channels = keras.ops.transpose(x, axes=(0, 2, 1))
        mlp1_outputs = self.mlp1(x_channels)
        mlp1_outputs = keras.ops.transpose(mlp1_outputs, axes=(0, 2, 1))
        x = mlp1_outputs + inputs
        x_patches = self.normalize(x)
        mlp2_outputs = self.mlp2(x_patches)
        return x + mlp2_outputs


def build_classifier(blocks):
    inputs = layers.Input(shape=(image_size, image_size, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(embedding_dim, patch_size, strides=patch_size)(x)
    x = layers.Reshape((num_patches, embedding_dim))(x)
    x = blocks(x)
    representation = layers.GlobalAveragePooling1D()(x)
    representation = layers.Dropout(rate=0.2)(representation)
    logits = layers.Dense(num_classes)(representation)
    return keras.Model(inputs=inputs, outputs=logits)


mlpmixer_blocks = keras.Sequential(
    [MLPMixerLayer(num_patches, embedding_dim, 0.1) for _ in range(2)])
model = build_classifier(mlpmixer_blocks)
optimizer = keras.optimizers.AdamW(learning_rate=0.005, weight_decay=0.0001)
model.compile(optimizer=optimizer,
              loss=keras.losses.SparseCategoricalCrossentropy(
                  from_logits=True),
              metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc"),
                       keras.metrics.SparseTopKCategoricalAccuracy(
                           3, name="top3-acc")])
rng = np.random.default_rng(0)
x_train = rng.integers(0, 256, size=(48, image_size, image_size, 3))
x_train = x_train.astype("float32")
y_train = rng.integers(0, num_classes, size=(48, 1))
history = model.fit(x_train, y_train, batch_size=16, epochs=2,
                    validation_split=0.25, verbose=0)
_, accuracy, top_3_accuracy = model.evaluate(x_train, y_train, verbose=0)
