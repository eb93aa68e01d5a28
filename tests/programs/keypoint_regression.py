"""After keras.io "Keypoint detection with transfer learning", shrunk: a
convolutional backbone, a SeparableConv2D head whose output is the
keypoint coordinates (x, y of each keypoint), trained with MSE and
MAE as a metric."""
import numpy as np
import keras
from keras import layers

IMG_SIZE = 56
NUM_KEYPOINTS = 6 * 2

rng = np.random.default_rng(0)
images = rng.random((40, IMG_SIZE, IMG_SIZE, 3)).astype("float32")
keypoints = rng.random((40, 1, 1, NUM_KEYPOINTS)).astype("float32")


def get_model():
    backbone = keras.Sequential([
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
    ], name="backbone")
    inputs = layers.Input((IMG_SIZE, IMG_SIZE, 3))
    x = keras.applications.mobilenet_v2.preprocess_input(inputs * 255.0)
    x = backbone(x)
    x = layers.Dropout(0.3)(x)
    x = layers.SeparableConv2D(NUM_KEYPOINTS, kernel_size=5, strides=1,
                               activation="relu")(x)
    outputs = layers.SeparableConv2D(NUM_KEYPOINTS, kernel_size=3,
                                     strides=1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="keypoint_detector")


model = get_model()
model.compile(loss="mse", optimizer=keras.optimizers.Adam(1e-4),
              metrics=["mae"])
model.summary()
history = model.fit(images, keypoints, validation_split=0.2, epochs=2,
                    batch_size=8, verbose=0)
predictions = model.predict(images[:4], verbose=0).reshape(-1, 6, 2)
assert predictions.shape == (4, 6, 2)
