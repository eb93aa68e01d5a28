"""A Keras 2-era script, still valid in Keras 3: imports from
keras.models/keras.layers/keras.optimizers, input_dim on the first layer,
separate Activation layers, SGD with Nesterov momentum."""
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Dropout, Activation
from keras.optimizers import SGD
from keras.utils import to_categorical

rng = np.random.default_rng(0)
x_train = rng.random((256, 20)).astype("float32")
y_train = to_categorical(rng.integers(10, size=(256, 1)), num_classes=10)

model = Sequential()
model.add(Dense(64, activation="relu", input_dim=20))
model.add(Dropout(0.5))
model.add(Dense(64))
model.add(Activation("relu"))
model.add(Dropout(0.5))
model.add(Dense(10, activation="softmax"))

sgd = SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
model.compile(loss="categorical_crossentropy", optimizer=sgd,
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=3, batch_size=128, verbose=0)
score = model.evaluate(x_train, y_train, batch_size=128, verbose=0)
