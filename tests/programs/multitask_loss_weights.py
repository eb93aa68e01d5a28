"""A multi-task network as in the Functional API guide and common
"age/gender" scripts, with LIST outputs (not dicts): a shared trunk, a
regression head and two classification heads, `loss` and `loss_weights`
as lists, `metrics` as a list of lists (one per output), targets as a list,
per-output sample weights as a list, and evaluate(return_dict=True) with
the per-output keys Keras names after the output layers."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
n = 256
x = rng.normal(size=(n, 10)).astype("float32")
age = (x[:, 0] * 10 + 40 + rng.normal(size=n)).astype("float32")[:, None]
gender = (x[:, 1] + 0.3 * x[:, 2] > 0).astype("float32")[:, None]
group = np.digitize(x[:, 3], [-0.7, 0.0, 0.7]).astype("int32")

inputs = keras.Input(shape=(10,), name="features")
trunk = layers.Dense(32, activation="relu")(inputs)
trunk = layers.BatchNormalization()(trunk)
trunk = layers.Dense(32, activation="relu")(trunk)
age_out = layers.Dense(1, name="age")(trunk)
gender_out = layers.Dense(1, activation="sigmoid", name="gender")(trunk)
group_out = layers.Dense(4, activation="softmax", name="group")(trunk)
model = keras.Model(inputs, [age_out, gender_out, group_out])
model.compile(
    optimizer=keras.optimizers.Adam(5e-3),
    loss=["mse", "binary_crossentropy", "sparse_categorical_crossentropy"],
    loss_weights=[0.01, 1.0, 0.5],
    metrics=[["mae"], ["accuracy", keras.metrics.AUC(name="auc")],
             ["accuracy"]])
weights = np.where(gender[:, 0] > 0, 2.0, 1.0).astype("float32")
history = model.fit(
    x[:192], [age[:192], gender[:192], group[:192]],
    sample_weight=[np.ones(192, "float32"), weights[:192],
                   np.ones(192, "float32")],
    batch_size=32, epochs=4, verbose=0,
    validation_data=(x[192:], [age[192:], gender[192:], group[192:]]))
print(sorted(history.history))
scores = model.evaluate(x[192:], [age[192:], gender[192:], group[192:]],
                        return_dict=True, verbose=0)
print(scores)
assert "loss" in scores
preds = model.predict(x[:4], verbose=0)
assert [p.shape for p in preds] == [(4, 1), (4, 1), (4, 4)]
