"""After keras.io "Classification with Gated Residual and Variable
Selection Networks" (Keras 3 version), on synthetic tabular data: integer
categorical features embedded with Embedding, numeric features projected
with Dense, GatedLinearUnit / GatedResidualNetwork / VariableSelection
custom layers built from sub-layers, `ops.stack` and `ops.squeeze`,
a Softmax over the feature axis, `ops.matmul` of the weights with the
encoded features, dict inputs, and BinaryAccuracy."""
import numpy as np
import keras
from keras import layers, ops

rng = np.random.default_rng(0)
n = 320
numeric_names = ["age", "hours", "capital"]
categorical = {"work": 5, "education": 7}
data = {name: rng.normal(size=(n, 1)).astype("float32")
        for name in numeric_names}
for name, size in categorical.items():
    data[name] = rng.integers(0, size, size=(n, 1)).astype("int32")
target = ((data["age"][:, 0] + 0.5 * data["hours"][:, 0]
           + (data["education"][:, 0] > 3)) > 0.8).astype("float32")

encoding_size = 8


class GatedLinearUnit(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.linear = layers.Dense(units)
        self.sigmoid = layers.Dense(units, activation="sigmoid")

    def call(self, inputs):
        return self.linear(inputs) * self.sigmoid(inputs)


class GatedResidualNetwork(layers.Layer):
    def __init__(self, units, dropout_rate, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.elu_dense = layers.Dense(units, activation="elu")
        self.linear_dense = layers.Dense(units)
        self.dropout = layers.Dropout(dropout_rate)
        self.gated_linear_unit = GatedLinearUnit(units)
        self.layer_norm = layers.LayerNormalization()
        self.project = layers.Dense(units)

    def call(self, inputs):
        x = self.elu_dense(inputs)
        x = self.linear_dense(x)
        x = self.dropout(x)
        if inputs.shape[-1] != self.units:
            inputs = self.project(inputs)
        x = inputs + self.gated_linear_unit(x)
        return self.layer_norm(x)


class VariableSelection(layers.Layer):
    def __init__(self, num_features, units, dropout_rate, **kwargs):
        super().__init__(**kwargs)
        self.grns = [GatedResidualNetwork(units, dropout_rate)
                     for _ in range(num_features)]
        self.grn_concat = GatedResidualNetwork(units, dropout_rate)
        self.softmax = layers.Dense(num_features, activation="softmax")

    def call(self, inputs):
        v = self.grn_concat(ops.concatenate(inputs, axis=-1))
        v = ops.expand_dims(self.softmax(v), axis=-1)
        x = [grn(inputs[i]) for i, grn in enumerate(self.grns)]
        x = ops.stack(x, axis=1)
        return ops.squeeze(ops.matmul(ops.transpose(v, axes=[0, 2, 1]), x),
                           axis=1)


inputs = {name: keras.Input(shape=(1,), name=name) for name in numeric_names}
inputs.update({name: keras.Input(shape=(1,), name=name, dtype="int32")
               for name in categorical})
encoded = []
for name in numeric_names:
    encoded.append(layers.Dense(encoding_size)(inputs[name]))
for name, size in categorical.items():
    e = layers.Embedding(size, encoding_size)(inputs[name])
    encoded.append(layers.Reshape((encoding_size,))(e))
features = VariableSelection(len(encoded), encoding_size, 0.1)(encoded)
outputs = layers.Dense(1, activation="sigmoid")(features)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(5e-3),
              loss=keras.losses.BinaryCrossentropy(),
              metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
train = {k: v[:256] for k, v in data.items()}
test = {k: v[256:] for k, v in data.items()}
history = model.fit(train, target[:256], batch_size=32, epochs=4,
                    validation_data=(test, target[256:]), verbose=0)
print(model.evaluate(test, target[256:], verbose=0))
