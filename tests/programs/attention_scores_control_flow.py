"""A sequence tagger with the less common pieces of Keras 3's layer and
ops APIs: MultiHeadAttention with use_causal_mask and
return_attention_scores, EinsumDense, a custom layer looping with
ops.fori_loop and choosing with ops.cond, AdamW with
exclude_from_weight_decay, per-sample weights of shape (batch, 1) with a 3-tuple
validation_data, validation_freq=2, and MeanIoU on the argmax."""
import numpy as np
import keras
from keras import layers, ops


class Smoother(layers.Layer):
    """Repeated exponential smoothing along time, `passes` times."""

    def __init__(self, passes, **kwargs):
        super().__init__(**kwargs)
        self.passes = passes

    def call(self, x):
        def one_pass(i, h):
            shifted = ops.concatenate([h[:, :1], h[:, :-1]], axis=1)
            return 0.5 * h + 0.5 * shifted
        smoothed = ops.fori_loop(0, self.passes, one_pass, x)
        return ops.cond(self.passes > 0, lambda: smoothed, lambda: x)


class ArgmaxIoU(keras.metrics.MeanIoU):
    def update_state(self, y_true, y_pred, sample_weight=None):
        return super().update_state(y_true, ops.argmax(y_pred, axis=-1),
                                    sample_weight)


rng = np.random.default_rng(0)
n, steps, features, classes = 160, 12, 6, 3
x = rng.normal(size=(n, steps, features)).astype("float32")
y = (np.cumsum(x[:, :, 0], axis=1) > 0).astype("int32") + \
    (x[:, :, 1] > 1.0).astype("int32")
weights = rng.uniform(0.5, 1.5, size=(n, 1)).astype("float32")

inputs = keras.Input(shape=(steps, features))
h = layers.EinsumDense("btf,fu->btu", output_shape=(None, 16),
                       bias_axes="u", activation="gelu")(inputs)
h = Smoother(2)(h)
attended, scores = layers.MultiHeadAttention(num_heads=2, key_dim=8)(
    h, h, use_causal_mask=True, return_attention_scores=True)
h = layers.LayerNormalization()(h + attended)
outputs = layers.Dense(classes, activation="softmax")(h)
model = keras.Model(inputs, outputs)

optimizer = keras.optimizers.AdamW(learning_rate=3e-3, weight_decay=0.05)
optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
              metrics=[ArgmaxIoU(num_classes=classes, name="iou")])
history = model.fit(x[:128], y[:128], sample_weight=weights[:128],
                    validation_data=(x[128:], y[128:], weights[128:]),
                    validation_freq=2, batch_size=32, epochs=4, verbose=0)
print({k: len(v) for k, v in history.history.items()})

probe = keras.Model(inputs, scores)
attention = probe.predict(x[:2], verbose=0)
assert attention.shape == (2, 2, steps, steps)
upper = np.triu(np.ones((steps, steps), bool), k=1)
assert np.all(attention[:, :, upper] < 1e-6)
np.testing.assert_allclose(attention.sum(axis=-1), 1.0, rtol=1e-5)
