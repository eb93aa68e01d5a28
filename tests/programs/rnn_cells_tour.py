"""After keras.io "Working with RNNs": the generic RNN layer over an
LSTMCell, StackedRNNCells of GRUCells, a user-written minimal RNN cell with
state_size, SimpleRNN, Bidirectional with merge_mode="sum" and "ave",
return_state, and the Keras-2-era batch methods train_on_batch,
test_on_batch and predict_on_batch."""
import numpy as np
import keras
from keras import layers, ops


class MinimalRNNCell(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform",
                                      name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units), initializer="orthogonal",
            name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = ops.matmul(inputs, self.kernel)
        output = ops.tanh(h + ops.matmul(prev_output, self.recurrent_kernel))
        return output, [output]


rng = np.random.default_rng(0)
x = rng.normal(size=(96, 10, 4)).astype("float32")
y = (x[:, :, 0].sum(axis=1) > 0).astype("int32")

inputs = keras.Input(shape=(10, 4))
a = layers.RNN(layers.LSTMCell(8), return_sequences=True)(inputs)
b = layers.RNN(layers.StackedRNNCells([layers.GRUCell(8),
                                       layers.GRUCell(8)]),
               return_sequences=True)(a)
c = layers.RNN(MinimalRNNCell(8), return_sequences=True)(b)
d = layers.Bidirectional(layers.SimpleRNN(8, return_sequences=True),
                         merge_mode="sum")(c)
e = layers.Bidirectional(layers.GRU(6), merge_mode="ave")(d)
seq_out, state_h = layers.SimpleRNN(5, return_state=True)(d)
merged = layers.concatenate([e, state_h])
outputs = layers.Dense(2, activation="softmax")(merged)
model = keras.Model(inputs, outputs)
model.summary()
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

for step in range(3):
    logs = model.train_on_batch(x[:32], y[:32], return_dict=True)
print("train_on_batch:", logs)
print("test_on_batch:", model.test_on_batch(x[32:64], y[32:64]))
probabilities = model.predict_on_batch(x[64:])
assert probabilities.shape == (32, 2)
history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
