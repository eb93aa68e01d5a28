"""After the "Writing your own callbacks" guide: a callback that reads
logs in every hook, LearningRateScheduler with a schedule function,
EarlyStopping at the minimum loss with restore_best_weights."""
import numpy as np
import keras


class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seen = list(logs.keys())
        self.batch_losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_losses.append(logs["loss"])

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch}: mean absolute error {logs['mean_absolute_error']:.4f}")

    def on_test_batch_end(self, batch, logs=None):
        assert "loss" in logs

    def on_predict_batch_end(self, batch, logs=None):
        assert "outputs" in logs


def lr_schedule(epoch, lr):
    return lr if epoch < 1 else lr * 0.5


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


rng = np.random.default_rng(0)
x_train = rng.random((100, 8)).astype("float32")
y_train = x_train.sum(axis=1)
model = get_model()
loss_history = LossHistory()
history = model.fit(
    x_train, y_train, batch_size=25, epochs=3, verbose=0,
    validation_split=0.2,
    callbacks=[loss_history,
               keras.callbacks.LearningRateScheduler(lr_schedule),
               keras.callbacks.EarlyStopping(monitor="loss", patience=2,
                                             restore_best_weights=True)])
assert len(loss_history.batch_losses) == 12
model.evaluate(x_train, y_train, batch_size=50, verbose=0,
               callbacks=[loss_history])
model.predict(x_train, batch_size=50, verbose=0, callbacks=[loss_history])
