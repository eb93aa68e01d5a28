"""Imbalanced binary classification as in keras.io "Imbalanced
classification: credit card fraud detection", with the metrics users add:
F1Score and FBetaScore (on a (batch, 1) sigmoid output with a threshold),
PrecisionAtRecall, SensitivityAtSpecificity, AUC over the PR curve,
TruePositives/FalseNegatives, BinaryFocalCrossentropy as the loss,
class_weight, and evaluate(return_dict=True)."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
n = 512
features = rng.normal(size=(n, 12)).astype("float32")
score = features[:, 0] + 0.5 * features[:, 1] - features[:, 2]
targets = (score > 1.6).astype("float32")[:, None]
counts = np.bincount(targets[:, 0].astype(int))
print("positives:", counts[1], "of", n)
weight_for_0 = 1.0 / counts[0]
weight_for_1 = 1.0 / counts[1]

model = keras.Sequential([
    keras.Input(shape=(12,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dropout(0.3),
    layers.Dense(1, activation="sigmoid"),
])
metrics = [
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
    keras.metrics.F1Score(threshold=0.5, name="f1"),
    keras.metrics.FBetaScore(beta=2.0, threshold=0.5, name="f2"),
    keras.metrics.AUC(curve="PR", name="prc"),
    keras.metrics.PrecisionAtRecall(0.5, name="p_at_r"),
    keras.metrics.SensitivityAtSpecificity(0.9, name="s_at_s"),
]
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss=keras.losses.BinaryFocalCrossentropy(gamma=2.0),
              metrics=metrics)
history = model.fit(features[:384], targets[:384], batch_size=64, epochs=4,
                    validation_data=(features[384:], targets[384:]),
                    class_weight={0: weight_for_0, 1: weight_for_1},
                    verbose=0)
results = model.evaluate(features[384:], targets[384:], return_dict=True,
                         verbose=0)
print(results)
assert set(results) >= {"loss", "f1", "f2", "prc", "tp", "fn"}

f1 = keras.metrics.F1Score(threshold=0.5)
f1.update_state(np.array([[1.0], [0.0], [1.0], [1.0]]),
                np.array([[0.9], [0.6], [0.2], [0.7]]))
assert abs(float(f1.result()[0]) - 2 / 3) < 1e-6
