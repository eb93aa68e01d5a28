"""A subclassed model overriding compute_loss (Keras 3's backend-agnostic
way to customise training) and tracking an extra metric."""
import numpy as np
import keras
from keras import layers, ops


class WeightedModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(16, activation="relu")
        self.out = layers.Dense(1)
        self.mae_tracker = keras.metrics.Mean(name="abs_error")

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        loss = ops.mean(ops.square(y - y_pred))
        loss = loss + 0.01 * ops.mean(ops.abs(y_pred))
        self.mae_tracker.update_state(ops.mean(ops.abs(y - y_pred)))
        return loss

    @property
    def metrics(self):
        return [self.mae_tracker]


rng = np.random.default_rng(0)
x = rng.random((128, 4)).astype("float32")
y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32"))
model = WeightedModel()
model.compile(optimizer=keras.optimizers.SGD(0.05))
history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
