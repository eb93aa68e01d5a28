"""After keras.io "Structured data classification from scratch" without
FeatureSpace, as it runs on every Keras 3 backend: categorical columns
encoded by adapted StringLookup, IntegerLookup and Hashing layers in the
input pipeline (numpy here, a tf.data map there), the numeric columns
inside the model (Normalization adapted per column, Discretization into
bins then CategoryEncoding), concatenated in a functional model over a
dict of named inputs."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
n = 200
data = {
    "sex": rng.integers(0, 2, size=n).astype("int64"),
    "cp": rng.integers(0, 5, size=n).astype("int64"),
    "thal": rng.choice(["fixed", "normal", "reversible"], size=n),
    "age": rng.integers(29, 77, size=n).astype("float32"),
    "trestbps": rng.normal(130, 15, size=n).astype("float32"),
    "chol": rng.normal(240, 40, size=n).astype("float32"),
    "city": rng.choice([f"city_{i}" for i in range(40)], size=n),
}
target = ((data["age"] > 55) ^ (data["sex"] == 1)).astype("float32")

# Categorical features: encoded in the input pipeline.
thal_lookup = layers.StringLookup(output_mode="one_hot")
thal_lookup.adapt(data["thal"])
city_hashing = layers.Hashing(num_bins=16, output_mode="one_hot")
sex_lookup = layers.IntegerLookup(output_mode="one_hot")
sex_lookup.adapt(data["sex"])
cp_lookup = layers.IntegerLookup(output_mode="one_hot")
cp_lookup.adapt(data["cp"])
ENCODERS = {"thal": thal_lookup, "city": city_hashing, "sex": sex_lookup,
            "cp": cp_lookup}


def prepare(columns):
    prepared = {}
    for name, values in columns.items():
        values = np.asarray(values).reshape(-1, 1)
        if name in ENCODERS:
            values = keras.ops.convert_to_numpy(ENCODERS[name](values))
        prepared[name] = values.astype("float32")
    return prepared


def encode_numerical_feature(feature, name, values):
    normalizer = layers.Normalization()
    normalizer.adapt(values.reshape(-1, 1))
    return normalizer(feature)


sex = keras.Input(shape=(sex_lookup.vocabulary_size(),), name="sex")
cp = keras.Input(shape=(cp_lookup.vocabulary_size(),), name="cp")
thal = keras.Input(shape=(thal_lookup.vocabulary_size(),), name="thal")
age = keras.Input(shape=(1,), name="age")
trestbps = keras.Input(shape=(1,), name="trestbps")
chol = keras.Input(shape=(1,), name="chol")
city = keras.Input(shape=(16,), name="city")
all_inputs = [sex, cp, thal, age, trestbps, chol, city]

age_binned = layers.Discretization(bin_boundaries=[40.0, 50.0, 60.0, 70.0])(age)
age_encoded = layers.CategoryEncoding(num_tokens=5,
                                      output_mode="one_hot")(age_binned)
trestbps_encoded = encode_numerical_feature(trestbps, "trestbps",
                                            data["trestbps"])
chol_encoded = encode_numerical_feature(chol, "chol", data["chol"])

all_features = layers.concatenate([
    sex, cp, thal, age_encoded, trestbps_encoded,
    chol_encoded, city])
x = layers.Dense(32, activation="relu")(all_features)
x = layers.Dropout(0.5)(x)
output = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(all_inputs, output)
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])

x_train = prepare(data)
history = model.fit(x_train, target, epochs=3, batch_size=32,
                    validation_split=0.2, verbose=0)

sample = prepare({
    "sex": [1], "cp": [1], "thal": ["fixed"], "age": np.float32([60.0]),
    "trestbps": np.float32([145.0]), "chol": np.float32([233.0]),
    "city": ["city_3"],
})
predictions = model.predict(sample, verbose=0)
assert predictions.shape == (1, 1)
