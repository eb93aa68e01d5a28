"""Learning-rate schedules as users write them with Keras 3: the built-in
PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay with
a linear warmup and CosineDecayRestarts called on step numbers, a user
LearningRateSchedule subclass (warmup then inverse square root, with
get_config), a LambdaCallback logging the optimizer's current rate, and
Nadam with clipnorm training on the custom schedule."""
import numpy as np
import keras
from keras import layers, ops

schedules = keras.optimizers.schedules
piecewise = schedules.PiecewiseConstantDecay(boundaries=[10, 20],
                                             values=[1e-2, 5e-3, 1e-3])
polynomial = schedules.PolynomialDecay(1e-2, decay_steps=50,
                                       end_learning_rate=1e-4, power=2.0)
inverse_time = schedules.InverseTimeDecay(1e-2, decay_steps=10,
                                          decay_rate=0.5, staircase=True)
cosine = schedules.CosineDecay(0.0, decay_steps=40, alpha=0.1,
                               warmup_target=1e-2, warmup_steps=10)
restarts = schedules.CosineDecayRestarts(1e-2, first_decay_steps=10,
                                         t_mul=2.0, m_mul=0.5)
for step in [0, 5, 10, 15, 25, 60]:
    values = [float(ops.convert_to_numpy(s(step)))
              for s in (piecewise, polynomial, inverse_time, cosine, restarts)]
    print(step, ["%.6f" % v for v in values])
assert abs(float(piecewise(15)) - 5e-3) < 1e-9
assert abs(float(inverse_time(25)) - 1e-2 / 2.0) < 1e-7
assert abs(float(cosine(5)) - 5e-3) < 1e-7


class WarmupInverseSqrt(schedules.LearningRateSchedule):
    def __init__(self, peak, warmup_steps):
        self.peak = peak
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        step = ops.cast(step, "float32") + 1.0
        warm = ops.cast(self.warmup_steps, "float32")
        return self.peak * ops.minimum(step / warm, ops.sqrt(warm / step))

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}


rng = np.random.default_rng(0)
x = rng.normal(size=(256, 10)).astype("float32")
y = (x @ rng.normal(size=(10, 1)) > 0).astype("float32")

schedule = WarmupInverseSqrt(peak=1e-2, warmup_steps=8)
optimizer = keras.optimizers.Nadam(learning_rate=schedule, clipnorm=1.0)
model = keras.Sequential([
    keras.Input((10,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=optimizer, loss="binary_crossentropy",
              metrics=["accuracy"])
seen = []
log_lr = keras.callbacks.LambdaCallback(
    on_epoch_end=lambda epoch, logs: seen.append(
        float(ops.convert_to_numpy(model.optimizer.learning_rate))))
history = model.fit(x, y, batch_size=32, epochs=4, callbacks=[log_lr],
                    verbose=0)
print("learning rates at epoch ends:", seen)
expected = [float(schedule(8 * (e + 1))) for e in range(4)]
np.testing.assert_allclose(seen, expected, rtol=1e-5)
assert int(model.optimizer.iterations) == 32
