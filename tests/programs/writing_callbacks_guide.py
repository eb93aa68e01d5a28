"""After "Writing your own callbacks": EarlyStoppingAtMinLoss that keeps
the best weights with get_weights/set_weights and sets
model.stop_training, and a CustomLearningRateScheduler that reads and
assigns model.optimizer.learning_rate at the start of each epoch."""
import numpy as np
import keras


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = self.model.optimizer.learning_rate
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr)):6.4f}.")


LR_SCHEDULE = [(1, 0.05), (2, 0.01)]


def lr_schedule(epoch, lr):
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


rng = np.random.default_rng(0)
x_train = rng.random((128, 6)).astype("float32")
y_train = x_train @ np.arange(1, 7, dtype="float32")

model = get_model()
model.fit(x_train, y_train, batch_size=64, steps_per_epoch=2, epochs=5,
          verbose=0, callbacks=[EarlyStoppingAtMinLoss(patience=1)])

model = get_model()
history = model.fit(x_train, y_train, batch_size=64, epochs=4, verbose=0,
                    callbacks=[CustomLearningRateScheduler(lr_schedule)])
assert abs(float(np.array(model.optimizer.learning_rate)) - 0.01) < 1e-7
