"""After keras.io "3D image classification from CT scans", shrunk: Conv3D,
MaxPool3D, BatchNormalization, GlobalAveragePooling3D, an ExponentialDecay
schedule, ModelCheckpoint(save_best_only) to a `.keras` file and
EarlyStopping on val_acc, then load_weights from that file and predict."""
import os
import tempfile

import numpy as np
import keras
from keras import layers

checkpoint_path = os.path.join(tempfile.mkdtemp(), "3d_image_classification.keras")
x_train = np.random.rand(8, 16, 16, 8).astype("float32")
y_train = np.random.randint(0, 2, 8).astype("float32")

def get_model(width=16, height=16, depth=8):
    inputs = keras.Input((width, height, depth, 1))
    x = layers.Conv3D(filters=8, kernel_size=3, activation="relu")(inputs)
    x = layers.MaxPool3D(pool_size=2)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Conv3D(filters=8, kernel_size=3, activation="relu")(x)
    x = layers.MaxPool3D(pool_size=1)(x)
    x = layers.BatchNormalization()(x)
    x = layers.GlobalAveragePooling3D()(x)
    x = layers.Dense(units=16, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(units=1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="3dcnn")

model = get_model()
initial_learning_rate = 0.0001
lr_schedule = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate, decay_steps=100000, decay_rate=0.96, staircase=True)
model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=lr_schedule), metrics=["acc"])
checkpoint_cb = keras.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True)
early_stopping_cb = keras.callbacks.EarlyStopping(monitor="val_acc", patience=15)
x = np.expand_dims(x_train, -1)
history = model.fit(x, y_train, validation_data=(x, y_train), epochs=2, batch_size=2, shuffle=True, verbose=0,
          callbacks=[checkpoint_cb, early_stopping_cb])
model.load_weights(checkpoint_cb.filepath)
prediction = model.predict(np.expand_dims(x_train[0], axis=0))[0]
scores = [1 - prediction[0], prediction[0]]
print(scores)
