"""After keras.io "Timeseries forecasting for weather prediction":
features standardised with the training split's mean and std,
timeseries_dataset_from_array with sampling_rate and a shifted target,
an LSTM regressor, ModelCheckpoint on val_loss and EarlyStopping."""
import numpy as np
import keras

rng = np.random.default_rng(0)
steps = 600
t = np.arange(steps, dtype="float32")
features = np.stack([
    np.sin(t / 24.0) + 0.1 * rng.normal(size=steps),
    np.cos(t / 50.0) + 0.1 * rng.normal(size=steps),
    0.01 * t + rng.normal(size=steps),
], axis=1).astype("float32")

split_fraction = 0.7
train_split = int(split_fraction * steps)
step = 2
past = 40
future = 6
learning_rate = 0.001
batch_size = 32
epochs = 3


def normalize(data, train_split):
    data_mean = data[:train_split].mean(axis=0)
    data_std = data[:train_split].std(axis=0)
    return (data - data_mean) / data_std


features = normalize(features, train_split)
train_data = features[0: train_split - 1]
val_data = features[train_split:]

start = past + future
end = start + train_split
x_train = train_data
y_train = features[start:end][:, [0]]
sequence_length = int(past / step)

dataset_train = keras.preprocessing.timeseries_dataset_from_array(
    x_train, y_train, sequence_length=sequence_length,
    sampling_rate=step, batch_size=batch_size)

x_end = len(val_data) - past - future
label_start = train_split + past + future
x_val = val_data[:x_end]
y_val = features[label_start:][:, [0]]
dataset_val = keras.preprocessing.timeseries_dataset_from_array(
    x_val, y_val, sequence_length=sequence_length, sampling_rate=step,
    batch_size=batch_size)

for batch in dataset_train.take(1):
    inputs, targets = batch
print("Input shape:", inputs.shape)
print("Target shape:", targets.shape)

inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
lstm_out = keras.layers.LSTM(16)(inputs)
outputs = keras.layers.Dense(1)(lstm_out)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
              loss="mse")
model.summary()

path_checkpoint = "/tmp/weather_checkpoint.weights.h5"
es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0,
                                            patience=5)
modelckpt_callback = keras.callbacks.ModelCheckpoint(
    monitor="val_loss", filepath=path_checkpoint, verbose=0,
    save_weights_only=True, save_best_only=True)
history = model.fit(dataset_train, epochs=epochs,
                    validation_data=dataset_val,
                    callbacks=[es_callback, modelckpt_callback], verbose=0)
for x, y in dataset_val.take(2):
    prediction = model.predict(x, verbose=0)
    assert prediction.shape[0] == y.shape[0]
