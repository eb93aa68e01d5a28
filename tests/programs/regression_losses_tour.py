"""Regression with the losses and metrics users swap in: a loss written
as a plain function of (y_true, y_pred) with keras.ops (an asymmetric
pinball/quantile loss), Huber, LogCosh and Poisson passed as objects,
R2Score, CosineSimilarity and MeanSquaredLogarithmicError as metrics, and
the model recompiled between optimizers (Adamax, Adagrad, Lion) keeping
its weights."""
import numpy as np
import keras
from keras import layers, ops

rng = np.random.default_rng(0)
x = rng.normal(size=(400, 5)).astype("float32")
rate = np.exp(0.4 * x[:, 0] - 0.3 * x[:, 1])
counts = rng.poisson(rate).astype("float32")[:, None]


def pinball_loss(y_true, y_pred):
    error = y_true - y_pred
    return ops.mean(ops.maximum(0.8 * error, (0.8 - 1.0) * error), axis=-1)


model = keras.Sequential([
    keras.Input((5,)),
    layers.Dense(24, activation="tanh"),
    layers.Dense(1, activation="exponential"),
])
runs = [
    (keras.optimizers.Adamax(1e-2), keras.losses.Poisson()),
    (keras.optimizers.Adagrad(5e-2), keras.losses.Huber(delta=0.5)),
    (keras.optimizers.Lion(1e-3), keras.losses.LogCosh()),
    (keras.optimizers.Adam(1e-2), pinball_loss),
]
for optimizer, loss in runs:
    model.compile(optimizer=optimizer, loss=loss,
                  metrics=[keras.metrics.R2Score(name="r2"),
                           keras.metrics.CosineSimilarity(name="cos"),
                           keras.metrics.MeanSquaredLogarithmicError(name="msle")])
    history = model.fit(x, counts, batch_size=40, epochs=2,
                        validation_split=0.1, verbose=0)
    print(type(optimizer).__name__, getattr(loss, "name", loss),
          {k: round(v[-1], 4) for k, v in history.history.items()})

r2 = keras.metrics.R2Score()
r2.update_state(np.array([[1.0], [2.0], [3.0]]), np.array([[1.1], [1.9], [3.2]]))
assert abs(float(r2.result()) - (1 - 0.06 / 2.0)) < 1e-5
