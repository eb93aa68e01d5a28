"""After "Customizing what happens in fit()", in the backend-agnostic form
Keras 3 offers: a functional-style subclassed model whose compute_loss
calls super().compute_loss (so compiled losses, sample weights and
regularisation stay) and adds a smoothness penalty; compiled metrics still
reported; evaluate with the same hook."""
import numpy as np
import keras
from keras import layers, ops


class SmoothModel(keras.Model):
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        loss = super().compute_loss(x=x, y=y, y_pred=y_pred,
                                    sample_weight=sample_weight,
                                    training=training)
        penalty = ops.mean(ops.square(y_pred[:, 1:] - y_pred[:, :-1]))
        return loss + 0.1 * penalty


inputs = keras.Input(shape=(32,))
x = layers.Dense(32, activation="relu",
                 kernel_regularizer=keras.regularizers.l2(1e-3))(inputs)
outputs = layers.Dense(4)(x)
model = SmoothModel(inputs, outputs)
model.compile(optimizer="adam", loss="mse", metrics=["mae"])

rng = np.random.default_rng(0)
x = rng.random((200, 32)).astype("float32")
y = rng.random((200, 4)).astype("float32")
sw = rng.random(200).astype("float32")
history = model.fit(x, y, sample_weight=sw, epochs=3, batch_size=50,
                    verbose=0)
loss, mae = model.evaluate(x, y, verbose=0)
assert np.isfinite(loss) and np.isfinite(mae)
