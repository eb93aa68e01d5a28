"""After keras.io "MNIST classification with a mixture of experts", shrunk:
an expert layer creating its kernel in __init__ with add_weight and
applying it with ops.einsum, a router using ops.top_k, ops.one_hot and a
renormalised softmax, and a MoE layer combining them with einsum."""
import numpy as np
import keras
from keras import layers, ops

NUM_EXPERTS = 4; TOP_K = 2; BATCH_SIZE = 16; NUM_EPOCHS = 2
num_classes = 10; input_shape = (28, 28, 1)
x_train = np.random.rand(64, 28, 28, 1).astype("float32")
y_train = keras.utils.to_categorical(np.random.randint(0, 10, 64), num_classes)

class LinearExpert(layers.Layer):
    def __init__(self, num_experts, input_dim, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_experts = num_experts
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.kernel = self.add_weight(shape=(num_experts, input_dim, output_dim), initializer="he_uniform", name="kernel")
    def call(self, x):
        return ops.einsum("bi,eio->beo", x, self.kernel)

class Router(layers.Layer):
    def __init__(self, num_experts, top_k, **kwargs):
        super().__init__(**kwargs)
        self.num_experts = num_experts
        self.top_k = top_k
        self.layer = layers.Dense(num_experts)
    def call(self, x):
        x = self.layer(x)
        router_probs = ops.softmax(x, axis=-1)
        top_k_values, top_k_indices = ops.top_k(router_probs, k=self.top_k)
        mask = ops.one_hot(top_k_indices, self.num_experts)
        mask = ops.sum(mask, axis=1)
        masked_probs = router_probs * mask
        return masked_probs / (ops.sum(masked_probs, axis=-1, keepdims=True) + 1e-9)

class MoE(layers.Layer):
    def __init__(self, num_experts, input_dim, output_dim, top_k, **kwargs):
        super().__init__(**kwargs)
        self.experts = LinearExpert(num_experts, input_dim, output_dim)
        self.router = Router(num_experts, top_k)
    def call(self, x):
        gates = self.router(x)
        expert_outputs = self.experts(x)
        return ops.einsum("be,beo->bo", gates, expert_outputs)

inputs = keras.Input(shape=input_shape)
x = layers.Conv2D(8, kernel_size=(3, 3), activation="relu")(inputs)
x = layers.MaxPooling2D(pool_size=(2, 2))(x)
x = layers.Flatten()(x)
x = MoE(NUM_EXPERTS, x.shape[-1], 32, TOP_K)(x)
outputs = layers.Dense(num_classes, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(loss=keras.losses.CategoricalCrossentropy(), optimizer=keras.optimizers.Adam(), metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=NUM_EPOCHS, validation_split=0.1, verbose=0)
score = model.evaluate(x_train, y_train, verbose=0)
print("Test loss:", score[0], "acc", score[1])
