"""Custom layers written only with keras.ops and keras.random, as Keras 3
users write backend-agnostic components: a sparse top-k attention pooling
(ops.top_k, ops.take_along_axis, ops.softmax, ops.einsum), a cumulative
mean over time (ops.cumsum, ops.arange), a gated residual using ops.where
and ops.stop_gradient, and a noise layer drawing keras.random.normal from
its own SeedGenerator only when training."""
import numpy as np
import keras
from keras import layers, ops


class TopKAttentionPool(layers.Layer):
    def __init__(self, k, **kwargs):
        super().__init__(**kwargs)
        self.k = k

    def build(self, input_shape):
        self.query = self.add_weight(shape=(input_shape[-1],),
                                     initializer="glorot_uniform",
                                     name="query")

    def call(self, x):
        scores = ops.einsum("btd,d->bt", x, self.query)
        top_scores, top_idx = ops.top_k(scores, k=self.k)
        weights = ops.softmax(top_scores, axis=-1)
        chosen = ops.take_along_axis(x, ops.expand_dims(top_idx, -1), axis=1)
        return ops.einsum("bk,bkd->bd", weights, chosen)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


class CumulativeMean(layers.Layer):
    def call(self, x):
        steps = ops.cast(ops.arange(1, ops.shape(x)[1] + 1), x.dtype)
        return ops.cumsum(x, axis=1) / ops.reshape(steps, (1, -1, 1))


class GatedResidual(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.proj = layers.Dense(units)
        self.gate = layers.Dense(units, activation="sigmoid")

    def call(self, x):
        h = self.proj(x)
        g = self.gate(ops.stop_gradient(x))
        kept = ops.where(g > 0.5, h, ops.zeros_like(h))
        return x + g * kept + (1.0 - g) * h


class TrainingNoise(layers.Layer):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        if training:
            return x + keras.random.normal(ops.shape(x), stddev=self.stddev,
                                           seed=self.seed_generator)
        return x


rng = np.random.default_rng(0)
x = rng.normal(size=(128, 16, 8)).astype("float32")
y = (x[:, :, 0].max(axis=1) > 2.0).astype("float32")

inputs = keras.Input(shape=(16, 8))
h = TrainingNoise(0.05, seed=3)(inputs)
h = layers.Dense(16, activation="relu")(h)
h = CumulativeMean()(h)
h = GatedResidual(16)(h)
pooled = TopKAttentionPool(k=4)(h)
outputs = layers.Dense(1, activation="sigmoid")(pooled)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="binary_crossentropy",
              metrics=[keras.metrics.BinaryAccuracy(name="acc")])
history = model.fit(x, y, batch_size=32, epochs=3, verbose=0)

check = CumulativeMean()(x[:2])
expected = np.cumsum(x[:2], axis=1) / np.arange(1, 17)[None, :, None]
np.testing.assert_allclose(ops.convert_to_numpy(check), expected, rtol=1e-5)
p1 = model.predict(x[:8], verbose=0)
p2 = model.predict(x[:8], verbose=0)
np.testing.assert_allclose(p1, p2)
