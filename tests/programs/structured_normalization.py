"""A tabular binary classifier as in the structured-data examples:
Normalization adapted on the features, Dense layers, and the metrics
Keras users pick for imbalanced data."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
features = rng.normal(3.0, 2.0, size=(400, 6)).astype("float32")
targets = (features[:, 0] + 0.5 * features[:, 1] > 5).astype("float32")

normalizer = layers.Normalization()
normalizer.adapt(features)
model = keras.Sequential([
    keras.Input(shape=(6,)),
    normalizer,
    layers.Dense(32, activation="relu"),
    layers.Dropout(0.3),
    layers.Dense(1, activation="sigmoid"),
])
metrics = [
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
    keras.metrics.AUC(name="auc"),
]
model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss="binary_crossentropy", metrics=metrics)
class_weight = {0: 1.0, 1: 2.0}
history = model.fit(features, targets, batch_size=64, epochs=3, verbose=0,
                    validation_split=0.25, class_weight=class_weight)
