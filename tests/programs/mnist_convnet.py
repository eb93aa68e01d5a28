"""After keras.io "Simple MNIST convnet": a Sequential convnet with
Dropout, categorical labels from to_categorical, validation_split."""
import numpy as np
import keras
from keras import layers

num_classes = 10
input_shape = (28, 28, 1)
rng = np.random.default_rng(0)
x_train = rng.random((256, 28, 28)).astype("float32")
y_train = rng.integers(0, num_classes, 256)
x_train = np.expand_dims(x_train, -1)
y_train = keras.utils.to_categorical(y_train, num_classes)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()
model.compile(loss="categorical_crossentropy", optimizer="adam",
              metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=128, epochs=2,
                    validation_split=0.1, verbose=0)
score = model.evaluate(x_train, y_train, verbose=0)
print("Test loss:", score[0], "Test accuracy:", score[1])
