"""After keras.io "Image Super-Resolution using an Efficient Sub-Pixel CNN",
shrunk: inputs of unknown height and width, orthogonal initializers, a
DepthToSpace layer written with ops.reshape/transpose on ops.shape values,
a callback reading logs["loss"] in on_test_batch_end, EarlyStopping and
ModelCheckpoint(save_weights_only, save_best_only) then load_weights."""
import os
import tempfile

import numpy as np
import keras
from keras import layers, ops

class DepthToSpace(layers.Layer):
    def __init__(self, block_size):
        super().__init__()
        self.block_size = block_size

    def call(self, input):
        batch, height, width, depth = ops.shape(input)
        depth = depth // (self.block_size**2)
        x = ops.reshape(input, [batch, height, width, self.block_size, self.block_size, depth])
        x = ops.transpose(x, [0, 1, 3, 2, 4, 5])
        x = ops.reshape(x, [batch, height * self.block_size, width * self.block_size, depth])
        return x

def get_model(upscale_factor=3, channels=1):
    conv_args = {"activation": "relu", "kernel_initializer": "orthogonal", "padding": "same"}
    inputs = keras.Input(shape=(None, None, channels))
    x = layers.Conv2D(16, 5, **conv_args)(inputs)
    x = layers.Conv2D(8, 3, **conv_args)(x)
    x = layers.Conv2D(channels * (upscale_factor**2), 3, **conv_args)(x)
    outputs = DepthToSpace(upscale_factor)(x)
    return keras.Model(inputs, outputs)

class ESPCNCallback(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.psnr = []
    def on_epoch_end(self, epoch, logs=None):
        print("Mean PSNR for epoch: %.2f" % (np.mean(self.psnr)))
    def on_test_batch_end(self, batch, logs=None):
        self.psnr.append(10 * np.log10(1 / logs["loss"]))

lo = np.random.rand(16, 10, 10, 1).astype("float32")
hi = np.random.rand(16, 30, 30, 1).astype("float32")
model = get_model()
early_stopping_callback = keras.callbacks.EarlyStopping(monitor="loss", patience=10)
model_checkpoint_callback = keras.callbacks.ModelCheckpoint(filepath=os.path.join(tempfile.mkdtemp(), "ckpt.weights.h5"), save_weights_only=True,
                                                            monitor="loss", mode="min", save_best_only=True)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss=keras.losses.MeanSquaredError())
history = model.fit(lo, hi, epochs=2, callbacks=[ESPCNCallback(), early_stopping_callback, model_checkpoint_callback],
          validation_data=(lo, hi), verbose=0, batch_size=4)
model.load_weights(model_checkpoint_callback.filepath)
out = model.predict(lo[:1], verbose=0)
print(out.shape)
