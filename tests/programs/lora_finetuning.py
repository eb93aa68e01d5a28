"""Parameter-efficient fine-tuning with LoRA as in keras.io "Parameter-
efficient fine-tuning of Gemma with LoRA", on a small model: pre-train a
Dense classifier with an Embedding front, then `layer.enable_lora(rank)` on
the Dense and Embedding layers (the original kernels freeze, lora_kernel_a
/ lora_kernel_b are trained), check the trainable-parameter count, fine-tune
on a shifted task, and check that the frozen base kernels did not move."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
vocab, length = 50, 12
tokens = rng.integers(1, vocab, size=(256, length)).astype("int32")
y_pretrain = (tokens[:, :4].mean(1) > vocab / 2).astype("int32")
y_finetune = (tokens[:, -4:].mean(1) > vocab / 2).astype("int32")

model = keras.Sequential([
    keras.Input(shape=(length,), dtype="int32"),
    layers.Embedding(vocab, 16, name="embed"),
    layers.Flatten(),
    layers.Dense(32, activation="relu", name="hidden"),
    layers.Dense(2, name="head"),
])
model.compile(optimizer=keras.optimizers.Adam(3e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(
                  from_logits=True),
              metrics=["accuracy"])
model.fit(tokens, y_pretrain, batch_size=32, epochs=2, verbose=0)
base_hidden = model.get_layer("hidden").kernel.numpy().copy()
print("trainable before LoRA:",
      sum(int(np.prod(w.shape)) for w in model.trainable_weights))

model.get_layer("embed").enable_lora(4)
model.get_layer("hidden").enable_lora(4)
trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
print("trainable with LoRA:", trainable)
assert trainable == (vocab * 4 + 4 * 16) + (length * 16 * 4 + 4 * 32) + 32 \
    + 2 * 32 + 2

model.compile(optimizer=keras.optimizers.Adam(3e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(
                  from_logits=True),
              metrics=["accuracy"])
history = model.fit(tokens, y_finetune, batch_size=32, epochs=3,
                    verbose=0)
hidden = model.get_layer("hidden")
assert [w.name for w in hidden.non_trainable_weights] == ["kernel"]
np.testing.assert_array_equal(hidden.non_trainable_weights[0].numpy(),
                              base_hidden)
assert hidden.lora_enabled and hidden.lora_rank == 4
print("lora b norm:", float(np.abs(hidden.lora_kernel_b.numpy()).sum()))
