"""After keras.io "Image classification with Vision Transformer", shrunk:
a Normalization/Resizing/augmentation Sequential adapted on the data, a
Patches layer calling keras.ops.image.extract_patches and ops.reshape on
ops.shape values, a PatchEncoder adding an Embedding of ops.arange
positions, MultiHeadAttention blocks with dropout, AdamW, top-5 accuracy,
ModelCheckpoint(save_best_only, save_weights_only) then load_weights."""
import os
import tempfile

import numpy as np
import keras
from keras import layers, ops

num_classes = 10
input_shape = (32, 32, 3)
x_train = np.random.randint(0, 255, (64, 32, 32, 3)).astype("float32")
y_train = np.random.randint(0, 10, (64, 1))
image_size = 24; patch_size = 6; num_patches = (image_size // patch_size) ** 2
projection_dim = 16; num_heads = 2
transformer_units = [projection_dim * 2, projection_dim]
data_augmentation = keras.Sequential([
    layers.Normalization(), layers.Resizing(image_size, image_size),
    layers.RandomFlip("horizontal"), layers.RandomRotation(factor=0.02),
    layers.RandomZoom(height_factor=0.2, width_factor=0.2)], name="data_augmentation")
data_augmentation.layers[0].adapt(x_train)

def mlp(x, hidden_units, dropout_rate):
    for units in hidden_units:
        x = layers.Dense(units, activation=keras.activations.gelu)(x)
        x = layers.Dropout(dropout_rate)(x)
    return x

class Patches(layers.Layer):
    def __init__(self, patch_size):
        super().__init__()
        self.patch_size = patch_size
    def call(self, images):
        input_shape = ops.shape(images)
        batch_size = input_shape[0]; height = input_shape[1]; width = input_shape[2]; channels = input_shape[3]
        nh = height // self.patch_size; nw = width // self.patch_size
        patches = keras.ops.image.extract_patches(images, size=self.patch_size)
        return ops.reshape(patches, (batch_size, nh * nw, self.patch_size * self.patch_size * channels))
    def get_config(self):
        config = super().get_config(); config.update({"patch_size": self.patch_size}); return config

class PatchEncoder(layers.Layer):
    def __init__(self, num_patches, projection_dim):
        super().__init__()
        self.num_patches = num_patches
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(input_dim=num_patches, output_dim=projection_dim)
    def call(self, patch):
        positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
        return self.projection(patch) + self.position_embedding(positions)
    def get_config(self):
        config = super().get_config(); config.update({"num_patches": self.num_patches}); return config

inputs = keras.Input(shape=input_shape)
augmented = data_augmentation(inputs)
patches = Patches(patch_size)(augmented)
encoded = PatchEncoder(num_patches, projection_dim)(patches)
for _ in range(2):
    x1 = layers.LayerNormalization(epsilon=1e-6)(encoded)
    att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=projection_dim, dropout=0.1)(x1, x1)
    x2 = layers.Add()([att, encoded])
    x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
    x3 = mlp(x3, hidden_units=transformer_units, dropout_rate=0.1)
    encoded = layers.Add()([x3, x2])
rep = layers.LayerNormalization(epsilon=1e-6)(encoded)
rep = layers.Flatten()(rep); rep = layers.Dropout(0.5)(rep)
features = mlp(rep, hidden_units=[32, 16], dropout_rate=0.5)
logits = layers.Dense(num_classes)(features)
model = keras.Model(inputs=inputs, outputs=logits)
model.compile(optimizer=keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
             keras.metrics.SparseTopKCategoricalAccuracy(5, name="top-5-accuracy")])
cb = keras.callbacks.ModelCheckpoint(os.path.join(tempfile.mkdtemp(), "ck.weights.h5"), monitor="val_accuracy", save_best_only=True, save_weights_only=True)
history = model.fit(x=x_train, y=y_train, batch_size=16, epochs=2, validation_split=0.1, callbacks=[cb], verbose=0)
model.load_weights(cb.filepath)
print(model.evaluate(x_train, y_train, verbose=0), sorted(history.history))
image = x_train[0]
resized = ops.image.resize(ops.convert_to_tensor([image], dtype="float32"), size=(image_size, image_size))
p = Patches(patch_size)(resized)
print(p.shape)
for i, patch in enumerate(p[0][:2]):
    img = ops.reshape(patch, (patch_size, patch_size, 3)); ops.convert_to_numpy(img).astype("uint8")
