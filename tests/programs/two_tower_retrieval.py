"""A two-tower retrieval model as in recommender tutorials, in the
Functional API: named inputs fed as dicts, one tower model shared by the
query and the positive/negative items (weight sharing), UnitNormalization,
Dot(normalize=True) cosine scores, a softmax over [positive, negative],
get_layer, summary(expand_nested=True) and predict on a dict."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
num_users, num_items, dim = 50, 80, 8
n = 512
user_ids = rng.integers(0, num_users, n)
pos_items = (user_ids * 3 + rng.integers(0, 2, n)) % num_items
neg_items = rng.integers(0, num_items, n)
user_age = rng.normal(size=(n, 1)).astype("float32")

item_in = keras.Input(shape=(1,), dtype="int32", name="item_id")
item_vec = layers.Embedding(num_items, 16, name="item_embedding")(item_in)
item_vec = layers.Flatten()(item_vec)
item_vec = layers.Dense(dim, name="item_proj")(item_vec)
item_tower = keras.Model(item_in, layers.UnitNormalization()(item_vec),
                         name="item_tower")

user = keras.Input(shape=(1,), dtype="int32", name="user")
age = keras.Input(shape=(1,), name="age")
pos = keras.Input(shape=(1,), dtype="int32", name="positive")
neg = keras.Input(shape=(1,), dtype="int32", name="negative")
u = layers.Flatten()(layers.Embedding(num_users, 16, name="user_embedding")(user))
u = layers.Concatenate()([u, age])
u = layers.Dense(dim, name="user_proj")(u)
pos_vec = item_tower(pos)
neg_vec = item_tower(neg)
pos_score = layers.Dot(axes=1, normalize=True, name="pos_score")([u, pos_vec])
neg_score = layers.Dot(axes=1, normalize=True, name="neg_score")([u, neg_vec])
logits = layers.Concatenate(name="scores")([pos_score, neg_score])
logits = layers.Rescaling(5.0)(logits)
model = keras.Model({"user": user, "age": age, "positive": pos,
                     "negative": neg}, logits, name="two_tower")
model.summary(expand_nested=True)

model.compile(optimizer=keras.optimizers.Adam(1e-2),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
features = {"user": user_ids[:, None], "age": user_age,
            "positive": pos_items[:, None], "negative": neg_items[:, None]}
labels = np.zeros(n, dtype="int32")
history = model.fit(features, labels, batch_size=64, epochs=3, verbose=0,
                    validation_split=0.1)

assert model.get_layer("item_tower") is item_tower
scores = model.predict({k: v[:5] for k, v in features.items()}, verbose=0)
assert scores.shape == (5, 2)
assert np.all(np.abs(scores) <= 5.0 + 1e-4)
item_codes = item_tower.predict(np.arange(num_items)[:, None], verbose=0)
np.testing.assert_allclose(np.linalg.norm(item_codes, axis=1), 1.0, rtol=1e-5)
