"""Data fed the way Keras 3 users write it without tf.data: a
keras.utils.PyDataset subclass that loads and augments batches, shuffled
with on_epoch_end, validation from a Python generator with
validation_steps, and predict on a PyDataset of inputs only."""
import math

import numpy as np
import keras
from keras import layers


class ImageSequence(keras.utils.PyDataset):
    def __init__(self, x_set, y_set, batch_size, shuffle=True, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x_set, y_set
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.indices = np.arange(len(self.x))

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        low = idx * self.batch_size
        high = min(low + self.batch_size, len(self.x))
        batch = self.indices[low:high]
        batch_x = self.x[batch] / 255.0
        if self.y is None:
            return batch_x
        return batch_x, self.y[batch]

    def on_epoch_end(self):
        if self.shuffle:
            np.random.shuffle(self.indices)


def validation_generator(x, y, batch_size):
    while True:
        for i in range(0, len(x), batch_size):
            yield x[i:i + batch_size] / 255.0, y[i:i + batch_size]


np.random.seed(0)
x_all = np.random.randint(0, 256, size=(100, 12, 12, 3)).astype("float32")
y_all = np.random.randint(0, 3, size=(100,))

model = keras.Sequential([
    keras.Input(shape=(12, 12, 3)),
    layers.Conv2D(8, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(3, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
train = ImageSequence(x_all[:80], y_all[:80], batch_size=16)
history = model.fit(train, epochs=2, verbose=0,
                    validation_data=validation_generator(x_all[80:],
                                                         y_all[80:], 10),
                    validation_steps=2)
predictions = model.predict(ImageSequence(x_all[80:], None, batch_size=8,
                                          shuffle=False), verbose=0)
assert predictions.shape == (20, 3)
