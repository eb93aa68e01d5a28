"""A mixed-data model (image + tabular) with two heads, after the
multi-input/multi-output part of the Functional API guide applied to the
common "price and category from photo and attributes" task: a small CNN
and an MLP merged with Concatenate, a regression head and a classification
head, losses/metrics/loss_weights as dicts keyed by output name,
MeanSquaredLogarithmicError, RootMeanSquaredError, targets given as a dict,
and evaluate(return_dict=True)."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
n = 240
photos = rng.random((n, 20, 20, 3)).astype("float32")
attributes = rng.normal(size=(n, 7)).astype("float32")
category = (photos[:, :, :, 0].mean(axis=(1, 2)) * 6).astype("int32") % 3
price = np.exp(0.3 * attributes[:, 0] + 0.2 * category + 2.0).astype("float32")

image_in = keras.Input(shape=(20, 20, 3), name="photo")
table_in = keras.Input(shape=(7,), name="attributes")
x = layers.Conv2D(8, 3, activation="relu")(image_in)
x = layers.MaxPooling2D()(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
x = layers.GlobalMaxPooling2D()(x)
t = layers.Dense(16, activation="relu")(table_in)
t = layers.BatchNormalization()(t)
merged = layers.Concatenate()([x, t])
merged = layers.Dense(32, activation="relu")(merged)
merged = layers.Dropout(0.2)(merged)
price_out = layers.Dense(1, activation="softplus", name="price")(merged)
category_out = layers.Dense(3, activation="softmax", name="category")(merged)
model = keras.Model(inputs=[image_in, table_in],
                    outputs=[price_out, category_out])

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={"price": keras.losses.MeanSquaredLogarithmicError(),
          "category": keras.losses.SparseCategoricalCrossentropy()},
    loss_weights={"price": 1.0, "category": 0.5},
    metrics={"price": [keras.metrics.RootMeanSquaredError(name="rmse"),
                       keras.metrics.MeanAbsolutePercentageError(name="mape")],
             "category": ["accuracy"]},
)
history = model.fit({"photo": photos[:200], "attributes": attributes[:200]},
                    {"price": price[:200], "category": category[:200]},
                    batch_size=32, epochs=3, verbose=0,
                    validation_data=([photos[200:], attributes[200:]],
                                     [price[200:], category[200:]]))
results = model.evaluate([photos[200:], attributes[200:]],
                         {"price": price[200:], "category": category[200:]},
                         return_dict=True, verbose=0)
print(results)
predicted_price, predicted_category = model.predict(
    {"photo": photos[:4], "attributes": attributes[:4]}, verbose=0)
assert predicted_price.shape == (4, 1) and predicted_category.shape == (4, 3)
