"""After "Save, serialize, and export models": a registered custom layer
and a custom function, model.save/.keras and load_model, get_config /
from_config, to_json / model_from_json, clone_model, and weights-only
saving with save_weights/load_weights."""
import numpy as np
import keras


@keras.saving.register_keras_serializable(package="my_package",
                                          name="custom_fn")
def custom_fn(x):
    return x ** 2


@keras.saving.register_keras_serializable(package="MyLayers")
class CustomLayer(keras.layers.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor})
        return config


def get_model():
    inputs = keras.Input(shape=(32,))
    x = CustomLayer(2.0)(inputs)
    x = keras.layers.Dense(8, activation=custom_fn)(x)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mean_squared_error")
    return model


rng = np.random.default_rng(0)
test_input = rng.random((128, 32)).astype("float32")
test_target = rng.random((128, 1)).astype("float32")

model = get_model()
history = model.fit(test_input, test_target, verbose=0, epochs=2)

model.save("/tmp/custom_model.keras")
reconstructed_model = keras.models.load_model("/tmp/custom_model.keras")
np.testing.assert_allclose(model.predict(test_input, verbose=0),
                           reconstructed_model.predict(test_input, verbose=0),
                           rtol=1e-5, atol=1e-6)
reconstructed_model.fit(test_input, test_target, verbose=0)

config = model.get_config()
with keras.saving.custom_object_scope({"CustomLayer": CustomLayer,
                                       "custom_fn": custom_fn}):
    new_model = keras.Model.from_config(config)

json_config = model.to_json()
new_model = keras.models.model_from_json(json_config)
new_model.set_weights(model.get_weights())

cloned = keras.models.clone_model(model)
assert [w.shape for w in cloned.get_weights()] == \
    [w.shape for w in model.get_weights()]

layer = keras.layers.Dense(3, activation="relu")
layer_config = keras.layers.serialize(layer)
new_layer = keras.layers.deserialize(layer_config)
assert new_layer.get_config()["units"] == 3

model.save_weights("/tmp/custom_model.weights.h5")
new_model.load_weights("/tmp/custom_model.weights.h5")
np.testing.assert_allclose(model.predict(test_input, verbose=0),
                           new_model.predict(test_input, verbose=0),
                           rtol=1e-5, atol=1e-6)
