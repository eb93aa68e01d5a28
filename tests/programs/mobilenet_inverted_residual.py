"""After keras.io's MobileNet-style image classifiers: inverted residual
blocks written with the functional API (1x1 expansion, DepthwiseConv2D with
depth_multiplier, ReLU(max_value=6) as ReLU6, linear 1x1 projection, an
`add` skip when shapes match), BatchNormalization, GlobalAveragePooling2D
(keepdims=True) followed by a 1x1 Conv2D head and Flatten, label smoothing,
and `predict` with a batch_size."""
import numpy as np
import keras
from keras import layers

rng = np.random.default_rng(0)
x = rng.random((96, 16, 16, 3)).astype("float32")
y = (x[:, :8, :, 0].mean((1, 2)) > x[:, 8:, :, 0].mean((1, 2))).astype(int)
y = y + 2 * (x[..., 1].mean((1, 2)) > 0.5)
y_onehot = keras.utils.to_categorical(y, 4)


def inverted_residual(x, expansion, filters, stride, name):
    in_channels = x.shape[-1]
    h = layers.Conv2D(in_channels * expansion, 1, padding="same",
                      use_bias=False, name=name + "_expand")(x)
    h = layers.BatchNormalization(name=name + "_expand_bn")(h)
    h = layers.ReLU(max_value=6.0, name=name + "_expand_relu")(h)
    h = layers.DepthwiseConv2D(3, strides=stride, padding="same",
                               use_bias=False, name=name + "_dw")(h)
    h = layers.BatchNormalization(name=name + "_dw_bn")(h)
    h = layers.ReLU(6.0, name=name + "_dw_relu")(h)
    h = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                      name=name + "_project")(h)
    h = layers.BatchNormalization(name=name + "_project_bn")(h)
    if stride == 1 and in_channels == filters:
        h = layers.Add(name=name + "_add")([x, h])
    return h


inputs = keras.Input(shape=(16, 16, 3))
h = layers.Rescaling(2.0, offset=-1.0)(inputs)
h = layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(h)
h = layers.BatchNormalization()(h)
h = layers.ReLU(6.0)(h)
h = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")(h)
h = layers.ReLU(6.0)(h)
h = inverted_residual(h, 2, 16, 1, "block1")
h = inverted_residual(h, 3, 16, 1, "block2")
h = inverted_residual(h, 3, 24, 2, "block3")
h = layers.GlobalAveragePooling2D(keepdims=True)(h)
h = layers.Dropout(0.2)(h)
h = layers.Conv2D(4, 1, padding="same")(h)
h = layers.Flatten()(h)
outputs = layers.Softmax()(h)
model = keras.Model(inputs, outputs, name="tiny_mobilenet")
model.summary()
model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
              metrics=["accuracy"])
history = model.fit(x[:80], y_onehot[:80], batch_size=16, epochs=3,
                    validation_data=(x[80:], y_onehot[80:]), verbose=0)
probs = model.predict(x[80:], batch_size=5, verbose=0)
assert probs.shape == (16, 4)
assert np.allclose(probs.sum(-1), 1.0, atol=1e-5)
assert model.get_layer("block2_add").output.shape == (None, 8, 8, 16)
