"""A sparse autoencoder as in the Keras blog "Building Autoencoders in
Keras": an L1 activity_regularizer on the code layer, an
ActivityRegularization layer, NonNeg and MaxNorm kernel constraints, an
encoder sub-model read from the trained autoencoder, `model.losses`
holding the activity penalties after a call, and a decoder rebuilt from the
autoencoder's last layers."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
basis = rng.random((6, 64)).astype("float32")
codes = rng.random((200, 6)).astype("float32") * (rng.random((200, 6)) > 0.6)
x = np.clip(codes @ basis / 2.0 + rng.normal(0, 0.05, (200, 64)), 0, 1)
x = x.astype("float32")

encoding_dim = 12
inputs = keras.Input(shape=(64,))
h = layers.Dense(32, activation="relu",
                 kernel_constraint=keras.constraints.MaxNorm(2.0))(inputs)
encoded = layers.Dense(encoding_dim, activation="relu",
                       activity_regularizer=keras.regularizers.l1(1e-4),
                       name="code")(h)
encoded = layers.ActivityRegularization(l1=1e-5, l2=1e-5)(encoded)
d = layers.Dense(32, activation="relu",
                 kernel_constraint=keras.constraints.NonNeg())(encoded)
decoded = layers.Dense(64, activation="sigmoid")(d)
model = keras.Model(inputs, decoded, name="sparse_autoencoder")
encoder = keras.Model(inputs, encoded, name="encoder")

code_input = keras.Input(shape=(encoding_dim,))
decoder = keras.Model(code_input,
                      model.layers[-1](model.layers[-2](code_input)),
                      name="decoder")

model.compile(optimizer="adam", loss="binary_crossentropy")
history = model.fit(x[:160], x[:160], epochs=5, batch_size=32,
                    shuffle=True, validation_data=(x[160:], x[160:]),
                    verbose=0)
assert np.all(model.layers[-2].kernel.numpy() >= 0)
norms = np.sqrt((model.layers[1].kernel.numpy() ** 2).sum(0))
assert np.all(norms <= 2.0 + 1e-5)

_ = model(x[:8])
print("activity losses:", len(model.losses))
assert len(model.losses) == 2
encoded_imgs = encoder.predict(x[160:], verbose=0)
decoded_imgs = decoder.predict(encoded_imgs, verbose=0)
assert decoded_imgs.shape == (40, 64)
print("mean code activation", float(encoded_imgs.mean()))
