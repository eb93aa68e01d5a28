"""After "Training & evaluation with the built-in methods": a custom
metric class, a custom loss class, class_weight and sample_weight,
validation_data, a learning-rate schedule object, and callbacks."""
import numpy as np
import keras
from keras import layers, ops


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(
            shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        self.true_positives.assign(0.0)


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


def get_uncompiled_model():
    inputs = keras.Input(shape=(20,), name="digits")
    x = layers.Dense(32, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(32, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


rng = np.random.default_rng(0)
x_train = rng.random((160, 20)).astype("float32")
y_train = rng.integers(0, 10, size=(160, 1))
x_val, y_val = x_train[-40:], y_train[-40:]
x_train, y_train = x_train[:-40], y_train[:-40]

model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(),
              metrics=[CategoricalTruePositives()])
model.fit(x_train, y_train, batch_size=32, epochs=1, verbose=0)

model = get_uncompiled_model()
y_train_one_hot = keras.utils.to_categorical(y_train, num_classes=10)
model.compile(optimizer="adam", loss=CustomMSE())
model.fit(x_train, y_train_one_hot, batch_size=32, epochs=1, verbose=0)

class_weight = {i: 1.0 for i in range(10)}
class_weight[5] = 2.0
model = get_uncompiled_model()
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
              metrics=["sparse_categorical_accuracy"])
model.fit(x_train, y_train, class_weight=class_weight, batch_size=32,
          epochs=1, verbose=0)

sample_weight = np.ones(shape=(len(y_train),))
sample_weight[y_train[:, 0] == 5] = 2.0
model = get_uncompiled_model()
initial_learning_rate = 0.1
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate, decay_steps=100000, decay_rate=0.96,
    staircase=True)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr_schedule),
              loss="sparse_categorical_crossentropy",
              metrics=["sparse_categorical_accuracy"])
callbacks = [
    keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-2,
                                  patience=2, verbose=1),
    keras.callbacks.ModelCheckpoint(
        filepath="/tmp/mymodel_{epoch}.keras", save_best_only=True,
        monitor="val_loss", verbose=0),
]
history = model.fit(x_train, y_train, sample_weight=sample_weight,
                    batch_size=32, epochs=3, callbacks=callbacks,
                    validation_data=(x_val, y_val), verbose=0)
results = model.evaluate(x_val, y_val, batch_size=20, verbose=0)
predictions = model.predict(x_val[:3], verbose=0)
assert predictions.shape == (3, 10)
