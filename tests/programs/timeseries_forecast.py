"""After keras.io "Timeseries forecasting for weather prediction": windows
from timeseries_dataset_from_array fed to fit, an LSTM regressor, and
ModelCheckpoint/EarlyStopping on val_loss."""
import os
import tempfile

import numpy as np
import keras

rng = np.random.default_rng(0)
series = np.cumsum(rng.normal(size=(600, 3)), axis=0).astype("float32")
series = (series - series.mean(0)) / series.std(0)
past, future, step = 24, 6, 2
sequence_length = past // step
targets = series[past + future:, 0]

dataset_train = keras.utils.timeseries_dataset_from_array(
    series[:400], targets[:400], sequence_length=sequence_length,
    sampling_rate=step, batch_size=64)
dataset_val = keras.utils.timeseries_dataset_from_array(
    series[400:-past - future], targets[400:],
    sequence_length=sequence_length, sampling_rate=step, batch_size=64)

for batch in dataset_train.take(1):
    inputs, batch_targets = batch

inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
lstm_out = keras.layers.LSTM(16)(inputs)
outputs = keras.layers.Dense(1)(lstm_out)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
              loss="mse")

path_checkpoint = os.path.join(tempfile.mkdtemp(), "model_checkpoint.weights.h5")
es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0,
                                            patience=5)
modelckpt_callback = keras.callbacks.ModelCheckpoint(
    monitor="val_loss", filepath=path_checkpoint, verbose=0,
    save_weights_only=True, save_best_only=True)
history = model.fit(dataset_train, epochs=2, validation_data=dataset_val,
                    callbacks=[es_callback, modelckpt_callback], verbose=0)
model.load_weights(path_checkpoint)
