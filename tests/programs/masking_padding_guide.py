"""After "Understanding masking & padding": pad_sequences (post padding),
Embedding(mask_zero=True) and compute_mask, a Masking layer in front of
an LSTM, and custom layers that support, create and consume masks."""
import numpy as np
import keras
from keras import layers, ops

raw_inputs = [
    [711, 632, 71],
    [73, 8, 3215, 55, 927],
    [83, 91, 1, 645, 1253, 927],
]
padded_inputs = keras.utils.pad_sequences(raw_inputs, padding="post")
print(padded_inputs)

embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
masked_output = embedding(padded_inputs)
mask = embedding.compute_mask(padded_inputs)
assert ops.convert_to_numpy(mask).tolist() == (padded_inputs != 0).tolist()

masking_layer = layers.Masking()
unmasked_embedding = np.random.random((3, 6, 32)).astype("float32")
unmasked_embedding[padded_inputs == 0] = 0.0
masked_embedding = masking_layer(unmasked_embedding)


class TemporalSplit(keras.layers.Layer):
    """Split the input tensor into 2 tensors along the time dimension."""

    def call(self, inputs):
        return ops.split(inputs, 2, axis=1)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return ops.split(mask, 2, axis=1)


first_half, second_half = TemporalSplit()(masked_embedding)


class CustomEmbedding(keras.layers.Layer):
    def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.mask_zero = mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer="random_normal", dtype="float32")

    def call(self, inputs):
        inputs = ops.cast(inputs, "int32")
        return ops.take(self.embeddings, inputs, axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)


class MyActivation(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return ops.relu(inputs)


class TemporalSoftmax(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        assert mask is not None
        broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
        inputs_exp = ops.exp(inputs) * broadcast_float_mask
        inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1,
                             keepdims=True)
        return inputs_exp / inputs_sum


inputs = keras.Input(shape=(None,), dtype="int32")
x = CustomEmbedding(input_dim=100, output_dim=8, mask_zero=True)(inputs)
x = layers.Dense(8)(x)
x = MyActivation()(x)
x = layers.Dense(1)(x)
outputs = TemporalSoftmax()(x)
softmax_model = keras.Model(inputs, outputs)
y = softmax_model(np.random.randint(0, 10, size=(4, 20)))
assert tuple(y.shape) == (4, 20, 1)

model = keras.Sequential([
    layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True),
    layers.LSTM(16),
    layers.Dense(1, activation="sigmoid"),
])
rng = np.random.default_rng(0)
seqs = [list(rng.integers(1, 5000, size=rng.integers(2, 12)))
        for _ in range(48)]
x_train = keras.utils.pad_sequences(seqs, maxlen=12, padding="post")
y_train = rng.integers(0, 2, size=48)
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=2, batch_size=16, verbose=0)

masked_model = keras.Sequential([
    keras.Input(shape=(6, 32)),
    layers.Masking(mask_value=0.0),
    layers.LSTM(8),
])
out = masked_model(unmasked_embedding)
assert tuple(out.shape) == (3, 8)
